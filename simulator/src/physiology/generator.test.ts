import { VITAL_FIELDS, VITAL_META, vitalsFrameSchema } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { PkModel } from '../pk';
import { SCENARIOS } from '../scenarios';
import { KETAMINE_EFFECT, ketamineEffect } from './effects';
import { excursionWeight, type VitalExcursion } from './excursion';
import { OUTPUT_LIMITS, VitalsGenerator, toFrame } from './generator';

const series = (g: VitalsGenerator, n: number, ce = 200) => Array.from({ length: n }, (_, i) => g.next(i / 60, ce));

describe('VitalsGenerator', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = series(new VitalsGenerator({ seed: 42 }), 300);
    const b = series(new VitalsGenerator({ seed: 42 }), 300);
    const c = series(new VitalsGenerator({ seed: 43 }), 300);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });

  it('draws a plausible resting adult and keeps scenario overrides', () => {
    for (let seed = 0; seed < 200; seed++) {
      const b = new VitalsGenerator({ seed }).baseline;
      expect(b.hr).toBeGreaterThanOrEqual(56);
      expect(b.hr).toBeLessThanOrEqual(95);
      expect(b.sbp - b.dbp).toBeGreaterThanOrEqual(30);
      expect(b.sbp).toBeLessThanOrEqual(142);
      expect(b.spo2).toBeGreaterThanOrEqual(96);
    }
    expect(new VitalsGenerator({ seed: 1, baseline: { sbp: 150, hr: 99 } }).baseline).toMatchObject({ sbp: 150, hr: 99 });
  });

  it('has realistic noise: values vary around the expected value without wandering off', () => {
    const g = new VitalsGenerator({ seed: 9, baseline: { hr: 70, sbp: 120, dbp: 75 } });
    const hr = series(g, 1800, 0).map((v) => v.hr);
    const mean = hr.reduce((s, x) => s + x, 0) / hr.length;
    const sd = Math.sqrt(hr.reduce((s, x) => s + (x - mean) ** 2, 0) / hr.length);
    expect(Math.abs(mean - 70)).toBeLessThan(3);
    expect(sd).toBeGreaterThan(1);
    expect(sd).toBeLessThan(5);
    expect(new Set(hr).size).toBeGreaterThan(5);
  });

  it('raises HR and BP with effect-site concentration, saturating', () => {
    // Ketamine's own effect: a patient who never becomes agitated.
    const g = new VitalsGenerator({ seed: 3, noiseScale: 0, susceptibility: { emergence: 0 } });
    const at = (ce: number) => g.expected(0, ce);
    expect(at(0)).toMatchObject({ hr: g.baseline.hr, sbp: g.baseline.sbp, dbp: g.baseline.dbp, spo2: g.baseline.spo2 });
    const low = at(100);
    const mid = at(400);
    const high = at(20_000);
    for (const f of ['hr', 'sbp', 'dbp'] as const) {
      expect(low[f]).toBeGreaterThan(at(0)[f]);
      expect(mid[f]).toBeGreaterThan(low[f]);
      expect(high[f]).toBeGreaterThan(mid[f]);
    }
    // Saturating: never beyond Emax, and each further 1000 ng/mL adds less.
    expect(high.sbp - g.baseline.sbp).toBeLessThan(KETAMINE_EFFECT.emax.sbp);
    const d1 = ketamineEffect(1000).sbp - ketamineEffect(0).sbp;
    const d2 = ketamineEffect(2000).sbp - ketamineEffect(1000).sbp;
    expect(d2).toBeLessThan(d1 / 2);
    // At analgesic concentrations a small rise in RR only (guideline Q6).
    expect(low.rr - g.baseline.rr).toBeLessThanOrEqual(KETAMINE_EFFECT.emax.rr);
    expect(low.rr).toBeGreaterThan(g.baseline.rr);
  });

  it('a high concentration held for half an hour depresses breathing: RR falls and EtCO2 rises (not a fixed +2/min)', () => {
    const g = new VitalsGenerator({ seed: 3, noiseScale: 0 });
    let v = g.next(0, 0);
    const rest = { rr: v.rr, etco2: v.etco2 };
    for (let s = 1; s <= 30 * 60; s += 5) v = g.next(s / 60, 6000);
    expect(v.rr).toBeLessThan(rest.rr - 3);
    expect(v.etco2).toBeGreaterThan(rest.etco2 + 10);
    expect(v.spo2).toBeLessThan(g.baseline.spo2);
  });

  it('scales the response with the patient sensitivity', () => {
    const typical = new VitalsGenerator({ seed: 5, noiseScale: 0, susceptibility: { emergence: 0 } });
    const strong = new VitalsGenerator({ seed: 5, noiseScale: 0, sensitivity: { bp: 2 }, susceptibility: { emergence: 0 } });
    const rise = (g: VitalsGenerator) => g.expected(0, 300).sbp - g.baseline.sbp;
    expect(rise(strong)).toBeCloseTo(2 * rise(typical), 6);
  });

  it('reproduces the Yale series at 40 min of 0.5 mg/kg (SBP +16, DBP +11 mmHg) for a typical patient', () => {
    const pk = new PkModel(70);
    pk.setRate(0.75);
    pk.advance(40);
    const g = new VitalsGenerator({ seed: 1, noiseScale: 0 });
    const v = g.expected(40, pk.effectNgMl);
    expect(v.sbp - g.baseline.sbp).toBeGreaterThan(14);
    expect(v.sbp - g.baseline.sbp).toBeLessThan(18);
    expect(v.dbp - g.baseline.dbp).toBeGreaterThan(9);
    expect(v.dbp - g.baseline.dbp).toBeLessThan(13);
  });

  it('applies an excursion with onset, hold and recovery', () => {
    const ev: VitalExcursion = { kind: 'excursion', label: 'desat', atMin: 10, onsetMin: 1, holdMin: 2, recoverMin: 2, to: { spo2: 85 }, delta: { hr: 10 } };
    expect(excursionWeight(ev, 9)).toBe(0);
    expect(excursionWeight(ev, 10.5)).toBeCloseTo(0.5);
    expect(excursionWeight(ev, 12)).toBe(1);
    expect(excursionWeight(ev, 14)).toBeCloseTo(0.5);
    expect(excursionWeight(ev, 15)).toBe(0);
    const g = new VitalsGenerator({ seed: 2, noiseScale: 0, baseline: { spo2: 97, hr: 70 }, events: [ev] });
    expect(g.expected(12, 0)).toMatchObject({ spo2: 85, hr: 80 });
    expect(g.expected(16, 0)).toMatchObject({ spo2: 97, hr: 70 });
  });

  it('never leaves the physiological ranges: every frame passes the ingest schema', () => {
    const extremes: VitalExcursion[] = [
      { kind: 'excursion', label: 'crash', atMin: 0, onsetMin: 0.1, holdMin: 1, recoverMin: 0.1, to: { spo2: 20, sbp: 30, dbp: 10, hr: 10, rr: 0, etco2: 0 } },
      { kind: 'excursion', label: 'storm', atMin: 2, onsetMin: 0.1, holdMin: 1, recoverMin: 0.1, delta: { spo2: 50, sbp: 400, dbp: 400, hr: 400, rr: 200, etco2: 300 } },
    ];
    const configs = [
      ...Object.values(SCENARIOS).map((s) => ({ baseline: s.physiology.baseline, sensitivity: s.physiology.sensitivity, events: s.events.flatMap((e) => (e.kind === 'excursion' ? [e] : [])) })),
      { events: extremes, sensitivity: { hr: 10, bp: 10, rr: 10 } },
    ];
    let frames = 0;
    const problems: string[] = [];
    for (const [i, cfg] of configs.entries()) {
      for (let seed = 0; seed < 10; seed++) {
        const g = new VitalsGenerator({ seed: seed * 31 + i, noiseScale: 4, ...cfg });
        for (let s = 0; s < 400; s++) {
          const ce = [0, 150, 600, 5000, 50_000][s % 5]!;
          const v = g.next(s / 100, ce);
          const frame = toFrame('sess-1', s + 1, 1_700_000_000_000 + s * 1000, v);
          const parsed = vitalsFrameSchema.safeParse(frame);
          if (!parsed.success) problems.push(`${JSON.stringify(frame)}: ${parsed.error.message}`);
          for (const f of VITAL_FIELDS) {
            if (!Number.isInteger(v[f]) || v[f] < VITAL_META[f].min || v[f] > VITAL_META[f].max) problems.push(`${f}=${v[f]}`);
          }
          if (!(v.dbp < v.map && v.map < v.sbp)) problems.push(`pressures ${v.sbp}/${v.dbp} (${v.map})`);
          if (v.spo2 > OUTPUT_LIMITS.spo2[1]) problems.push(`spo2 ${v.spo2}`);
          frames++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(frames).toBe(configs.length * 10 * 400);
  });
});
