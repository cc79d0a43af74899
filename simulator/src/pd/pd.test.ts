import { OBSERVATION_SCALES, type ObservationScale, type SimDrug } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { SimulatedPatient, type PatientSample } from '../patient';
import { GasExchange, VitalsGenerator } from '../physiology';
import { PkModel } from '../pk';
import { createRng } from '../random';
import { SCENARIOS, type Scenario } from '../scenarios';
import { assess } from './assessor';
import { NO_DRUGS, nauseaHazard, sedationDepth, ventilatoryDepression } from './effects';

/** A patient with no scripted plan or events: only the test's actions change anything. */
const quiet: Scenario = { ...SCENARIOS.stable, name: 'quiet', events: [], monitor: {} };

type Act = (p: SimulatedPatient, min: number) => void;

/** Runs a patient every 5 scenario seconds to `untilMin`; `act` runs after each sample, so an action at minute m acts from m on. */
function trace(opts: { act: Act; untilMin: number; seed?: number; weightKg?: number; scenario?: Scenario; noiseScale?: number }) {
  const p = new SimulatedPatient({ scenario: opts.scenario ?? quiet, weightKg: opts.weightKg ?? 70, seed: opts.seed ?? 7, noiseScale: opts.noiseScale ?? 0, followPlan: false });
  const out: (PatientSample & { min: number })[] = [];
  for (let s = 0; s <= opts.untilMin * 60; s += 5) {
    const min = s / 60;
    out.push({ min, ...p.advanceTo(min) });
    opts.act(p, min);
  }
  return { patient: p, samples: out };
}

/** Starts ketamine at `rate` mg/kg/h at minute 0 and gives `drugs` at their minutes (doses in mg: test inputs, not recommendations). */
const plan =
  (rate: number, drugs: { atMin: number; drug: SimDrug; doseMg: number }[] = [], stopAtMin?: number): Act =>
  (p, min) => {
    if (min === 0) p.act({ type: 'infusion', event: { type: 'start', rateMgKgH: rate } });
    for (const d of drugs) if (Math.abs(min - d.atMin) < 1e-9) p.act({ type: 'drug', drug: d.drug, doseMg: d.doseMg });
    if (stopAtMin !== undefined && Math.abs(min - stopAtMin) < 1e-9) p.act({ type: 'infusion', event: { type: 'stop' } });
  };

const window = (xs: (PatientSample & { min: number })[], lo: number, hi: number) => xs.filter((x) => x.min >= lo && x.min < hi);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('respiratory pharmacodynamics', () => {
  it('depresses ventilation with ketamine concentration: RR falls and EtCO2 rises at high concentrations, barely at analgesic ones', () => {
    const steady = (ketamine: number) => {
      const d = ventilatoryDepression({ ...NO_DRUGS, ketamine });
      const gas = new GasExchange({ rr: 15, etco2: 36, aaGradientMmHg: 8, spo2: 98 });
      for (let i = 0; i < 60; i++) gas.step(1, d);
      return { d, ...gas.peek(d) };
    };
    const levels = [0, 240, 650, 1500, 3000, 6000].map(steady);
    for (let i = 1; i < levels.length; i++) {
      expect(levels[i]!.d).toBeGreaterThan(levels[i - 1]!.d);
      expect(levels[i]!.rr).toBeLessThan(levels[i - 1]!.rr);
      expect(levels[i]!.etco2).toBeGreaterThan(levels[i - 1]!.etco2);
      expect(levels[i]!.spo2).toBeLessThanOrEqual(levels[i - 1]!.spo2);
    }
    // 0.5 mg/kg over 40 min peaks near 240 ng/mL: ventilation practically unchanged (the guideline's pharmacology background).
    expect(levels[0]!.rr - levels[1]!.rr).toBeLessThan(0.5);
    expect(levels[1]!.etco2 - levels[0]!.etco2).toBeLessThan(1);
    // Anaesthetic concentrations: clear hypoventilation.
    expect(levels[5]!.rr).toBeLessThan(10);
    expect(levels[5]!.etco2).toBeGreaterThan(50);
  });

  it('midazolam adds respiratory depression beyond ketamine alone at the same ketamine dose', () => {
    const ketamineAlone = trace({ act: plan(1), untilMin: 45 }).samples;
    const withMidazolam = trace({ act: plan(1, [{ atMin: 20, drug: 'midazolam', doseMg: 3.5 }]), untilMin: 45 }).samples;
    // Same ketamine in both runs.
    expect(withMidazolam.at(-1)!.levels.ketamine).toBeCloseTo(ketamineAlone.at(-1)!.levels.ketamine, 9);
    // Noise-free physiology (the monitor rounds to whole numbers).
    const worst = (xs: typeof ketamineAlone) => ({
      rr: Math.min(...xs.map((x) => x.state.gas.rr)),
      etco2: Math.max(...xs.map((x) => x.state.gas.etco2)),
      spo2: Math.min(...xs.map((x) => x.state.gas.spo2)),
    });
    const before = worst(window(ketamineAlone, 20, 45));
    const after = worst(window(withMidazolam, 20, 45));
    expect(after.rr).toBeLessThan(before.rr - 0.8);
    expect(after.etco2).toBeGreaterThan(before.etco2 + 3);
    expect(after.spo2).toBeLessThan(before.spo2 - 0.2);
    // Nothing changes before the dose.
    expect(window(withMidazolam, 0, 20).map((x) => x.vitals)).toEqual(window(ketamineAlone, 0, 20).map((x) => x.vitals));
    // The teaching interaction is synergistic: more than the sum of each drug's own depression.
    const k = { ...NO_DRUGS, ketamine: 320 };
    const m = { ...NO_DRUGS, midazolam: 150 };
    expect(ventilatoryDepression({ ...k, midazolam: 150 })).toBeGreaterThan(ventilatoryDepression(k) + ventilatoryDepression(m));
  });

  it('an opioid on board depresses ventilation too, and with midazolam more than the sum of each', () => {
    const depression = (drugs: { atMin: number; drug: SimDrug; doseMg: number }[]) =>
      Math.max(...window(trace({ act: plan(0.5, drugs), untilMin: 40 }).samples, 20, 40).map((x) => x.state.ventilatoryDepression));
    const ketamineOnly = depression([]);
    const fentanyl = depression([{ atMin: 20, drug: 'fentanyl', doseMg: 0.05 }]);
    const midazolam = depression([{ atMin: 20, drug: 'midazolam', doseMg: 2 }]);
    const both = depression([
      { atMin: 20, drug: 'fentanyl', doseMg: 0.05 },
      { atMin: 20, drug: 'midazolam', doseMg: 2 },
    ]);
    expect(fentanyl).toBeGreaterThan(ketamineOnly + 0.02);
    expect(both - ketamineOnly).toBeGreaterThan(fentanyl - ketamineOnly + (midazolam - ketamineOnly));
  });

  it('SpO2 lags: RR falls at once, EtCO2 over minutes, SpO2 last', () => {
    // Noise-free obese patient with sleep apnoea, midazolam on 1 mg/kg/h (the desaturation scenario without its rate change).
    const osa: Scenario = { ...SCENARIOS.desaturation, events: [], monitor: {} };
    const xs = window(trace({ scenario: osa, weightKg: 110, act: plan(1, [{ atMin: 20, drug: 'midazolam', doseMg: 5.5 }]), untilMin: 50 }).samples, 20, 50);
    const argmin = (f: (x: (typeof xs)[number]) => number) => xs.reduce((best, x) => (f(x) < f(best) ? x : best)).min;
    const tRr = argmin((x) => x.state.gas.rr);
    const tEtco2 = argmin((x) => -x.state.gas.etco2);
    const tSpo2 = argmin((x) => x.state.gas.spo2);
    expect(tRr).toBeLessThan(tEtco2);
    expect(tEtco2).toBeLessThanOrEqual(tSpo2);
    expect(tSpo2 - tRr).toBeGreaterThanOrEqual(2);
    // One minute after the dose the rate has fallen most of its way, the oximeter less than half of its way.
    const at = (min: number) => xs.find((x) => Math.abs(x.min - min) < 1e-6)!;
    const fall = (f: (x: (typeof xs)[number]) => number, t: number, tMin: number) => (f(at(20)) - f(at(t))) / (f(at(20)) - f(at(tMin)));
    expect(fall((x) => x.state.gas.rr, 21, tRr)).toBeGreaterThan(0.6);
    expect(fall((x) => x.state.gas.spo2, 21, tSpo2)).toBeLessThan(0.5);
    // And it desaturates: below the 88% high-priority limit at its worst.
    expect(Math.min(...xs.map((x) => x.vitals.spo2))).toBeLessThan(88);
  });
});

describe('sedation and the virtual assessor', () => {
  it('sedation deepens with concentration, and midazolam deepens it further', () => {
    const ks = [0, 100, 240, 650, 1500, 3000];
    const depths = ks.map((ketamine) => sedationDepth({ ...NO_DRUGS, ketamine }));
    for (let i = 1; i < depths.length; i++) expect(depths[i]!).toBeGreaterThan(depths[i - 1]!);
    expect(sedationDepth({ ...NO_DRUGS, ketamine: 240, midazolam: 100 })).toBeGreaterThan(depths[2]!);
    // The assessor's mean RASS follows: calm at analgesic levels, sedated at anaesthetic ones.
    const rng = createRng(3);
    const meanScore = (scale: ObservationScale, sedation: number) => mean(Array.from({ length: 400 }, () => assess(rng, scale, { sedation, agitation: 0, pain: 5 })));
    expect(Math.abs(meanScore('RASS', depths[2]!))).toBeLessThan(0.6);
    expect(meanScore('RASS', depths[5]!)).toBeLessThan(-2);
    expect(meanScore('MOAAS', depths[5]!)).toBeLessThan(meanScore('MOAAS', depths[2]!));
    expect(meanScore('RAMSAY', depths[5]!)).toBeGreaterThan(meanScore('RAMSAY', depths[2]!));
  });

  it('scores with plausible noise and always on the scale asked for', () => {
    const rng = createRng(11);
    for (const scale of Object.keys(OBSERVATION_SCALES) as ObservationScale[]) {
      const scores = Array.from({ length: 300 }, (_, i) => assess(rng, scale, { sedation: (i % 10) / 10, agitation: i % 7 === 0 ? 2 : 0, pain: i % 11 }));
      const { min, max } = OBSERVATION_SCALES[scale];
      expect(scores.every((s) => Number.isInteger(s) && s >= min && s <= max && !Object.is(s, -0)), scale).toBe(true);
    }
    // Same patient, repeated scores: mostly the same, sometimes one off, never two.
    const repeated = Array.from({ length: 500 }, () => assess(rng, 'RASS', { sedation: 0.4, agitation: 0, pain: 5 }));
    const counts = new Map<number, number>();
    for (const s of repeated) counts.set(s, (counts.get(s) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThan(250);
    expect(counts.size).toBeGreaterThan(1);
    expect(Math.max(...repeated) - Math.min(...repeated)).toBeLessThanOrEqual(3);
  });

  it('midazolam calms an emergence reaction', () => {
    const emergence: Scenario = { ...SCENARIOS.emergence, events: SCENARIOS.emergence.events.filter((e) => e.kind === 'reaction'), monitor: {} };
    const untreated = trace({ scenario: emergence, act: plan(1), untilMin: 40 }).samples;
    const treated = trace({ scenario: emergence, act: plan(1, [{ atMin: 28, drug: 'midazolam', doseMg: 2.1 }]), untilMin: 40 }).samples;
    const agitationAt = (xs: typeof untreated, lo: number, hi: number) => mean(window(xs, lo, hi).map((x) => x.state.agitation));
    expect(agitationAt(untreated, 0, 24)).toBeLessThan(1.5);
    expect(agitationAt(untreated, 26, 40)).toBeGreaterThan(2.5);
    expect(agitationAt(treated, 32, 40)).toBeLessThan(agitationAt(untreated, 32, 40) / 2);
    expect(mean(window(treated, 32, 40).map((x) => x.vitals.hr))).toBeLessThan(mean(window(untreated, 32, 40).map((x) => x.vitals.hr)) - 5);
  });
});

describe('rescue drugs', () => {
  // Doses below are test inputs, not recommendations: the product never proposes a dose.
  it('clonidine lowers blood pressure and heart rate over the following hour', () => {
    const none = trace({ act: plan(0.5), untilMin: 90 }).samples;
    const clonidine = trace({ act: plan(0.5, [{ atMin: 30, drug: 'clonidine', doseMg: 0.15 }]), untilMin: 90 }).samples;
    const sbp = (xs: typeof none) => mean(window(xs, 60, 90).map((x) => x.vitals.sbp));
    const hr = (xs: typeof none) => mean(window(xs, 60, 90).map((x) => x.vitals.hr));
    expect(sbp(clonidine)).toBeLessThan(sbp(none) - 5);
    expect(hr(clonidine)).toBeLessThan(hr(none) - 2);
    // Not at once: the effect builds over tens of minutes.
    expect(window(clonidine, 31, 32)[0]!.vitals.sbp).toBeGreaterThan(sbp(clonidine));
  });

  it('a beta-blocker lowers heart rate; ondansetron lowers the nausea hazard', () => {
    const none = trace({ act: plan(0.75), untilMin: 60 }).samples;
    const metoprolol = trace({ act: plan(0.75, [{ atMin: 20, drug: 'metoprolol', doseMg: 5 }]), untilMin: 60 }).samples;
    const hr = (xs: typeof none) => mean(window(xs, 40, 60).map((x) => x.vitals.hr));
    expect(hr(metoprolol)).toBeLessThan(hr(none) - 5);
    const ketamine = { ...NO_DRUGS, ketamine: 400 };
    expect(nauseaHazard({ ...ketamine, ondansetron: 20 })).toBeLessThan(nauseaHazard(ketamine) / 10);
    expect(nauseaHazard(NO_DRUGS)).toBe(0);
  });
});

describe('the infusion through the PK model', () => {
  it('stopping or lowering the infusion lowers the concentration exactly as the PK model does', () => {
    const { samples } = trace({
      act: (p, min) => {
        if (min === 0) p.act({ type: 'infusion', event: { type: 'start', rateMgKgH: 1 } });
        if (min === 30) p.act({ type: 'infusion', event: { type: 'rate_change', rateMgKgH: 0.5 } });
        if (min === 50) p.act({ type: 'infusion', event: { type: 'stop' } });
      },
      untilMin: 70,
    });
    const ref = new PkModel(70);
    ref.setRate(1);
    ref.advance(30);
    ref.setRate(0.5);
    ref.advance(20);
    const atStop = ref.effectNgMl;
    ref.setRate(0);
    ref.advance(20);
    const at = (min: number) => samples.find((x) => Math.abs(x.min - min) < 1e-6)!;
    expect(at(50).levels.ketamine).toBeCloseTo(atStop, 9);
    expect(at(70).levels.ketamine).toBeCloseTo(ref.effectNgMl, 9);
    expect(at(29).effectNgMl).toBeGreaterThan(at(40).effectNgMl);
    // After the stop the effect site falls under the 100 ng/mL analgesic level within minutes.
    expect(samples.find((x) => x.min > 50 && x.effectNgMl < 100)!.min - 50).toBeLessThan(8);
  });
});

describe('determinism', () => {
  it('the same seed gives the same stream (vitals, monitor readings, symptoms and scores); another seed does not', () => {
    const run = (seed: number) => {
      const scenario = SCENARIOS.artifacts;
      const p = new SimulatedPatient({ scenario, weightKg: 72, seed });
      const out: unknown[] = [];
      for (let s = 0; s <= 45 * 60; s += 3) {
        const x = p.advanceTo(s / 60);
        out.push([x.vitals, x.reading, x.state.nausea, s % 300 === 0 ? p.assess('RASS') : null]);
      }
      return out;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('a generator given only a ketamine concentration keeps the old interface', () => {
    const g = new VitalsGenerator({ seed: 1, noiseScale: 0 });
    expect(g.expected(0, 0)).toEqual(g.expected(0, { ...NO_DRUGS }));
  });
});
