import { describe, expect, it } from 'vitest';
import { PkModel, dispositionRates, terminalHalfLifeMin } from './model';
import { DOMINO_1982, type PkParameterSet } from './parameters';

const WEIGHT = 70;

/** 0.5 mg/kg over 40 min = 0.75 mg/kg/h, sampled every `stepMin`. */
function typicalInfusion(stepMin = 1 / 60, totalMin = 120) {
  const m = new PkModel(WEIGHT);
  const samples: { t: number; cp: number; ce: number }[] = [];
  m.setRate(0.75);
  for (let t = stepMin; t <= totalMin + 1e-9; t += stepMin) {
    if (Math.abs(m.timeMin - 40) < 1e-9) m.setRate(0);
    m.advance(stepMin);
    samples.push({ t: m.timeMin, cp: m.plasmaNgMl, ce: m.effectNgMl });
  }
  return { model: m, samples };
}

/** Independent reference: classic RK4 on the same equations with a 1 s step (error ~1e-12 relative here). */
function rk4Plasma(p: PkParameterSet, weightKg: number, mgPerMin: number, bolusMg: number, minutes: number): number {
  const h = 1 / 60;
  let a = [bolusMg, 0, 0];
  const f = ([a1, a2, a3]: number[]) => [
    mgPerMin - (p.k10 + p.k12 + p.k13) * a1! + p.k21 * a2! + p.k31 * a3!,
    p.k12 * a1! - p.k21 * a2!,
    p.k13 * a1! - p.k31 * a3!,
  ];
  for (let i = 0; i < Math.round(minutes / h); i++) {
    const k1 = f(a);
    const k2 = f(a.map((x, j) => x + (h / 2) * k1[j]!));
    const k3 = f(a.map((x, j) => x + (h / 2) * k2[j]!));
    const k4 = f(a.map((x, j) => x + h * k3[j]!));
    a = a.map((x, j) => x + (h / 6) * (k1[j]! + 2 * k2[j]! + 2 * k3[j]! + k4[j]!));
  }
  return (a[0]! / (p.v1LPerKg * weightKg)) * 1000;
}

describe('PkModel (Domino 1982)', () => {
  it('names its parameter set and documents its ke0', () => {
    const m = new PkModel(WEIGHT);
    expect(m.params.id).toBe('domino-1982');
    expect(m.params.ke0).toBeCloseTo(0.9);
    expect(m.params.ke0Basis).toMatch(/Sleigh/);
    expect(m.v1L).toBeCloseTo(0.063 * 70);
  });

  it('conserves mass: body amount plus eliminated equals everything given', () => {
    const m = new PkModel(WEIGHT);
    m.setRate(1.5);
    m.advance(17.3);
    m.bolus(12);
    m.advance(0.25);
    m.setRate(0.5);
    m.advance(93);
    m.setRate(0);
    m.advance(600);
    const a = m.amounts();
    const total = a.centralMg + a.peripheralFastMg + a.peripheralSlowMg + a.eliminatedMg;
    const expected = 1.5 * 70 * ((17.3 + 0.25) / 60) + 12 + 0.5 * 70 * (93 / 60);
    expect(m.dosedMg).toBeCloseTo(expected, 9);
    expect(Math.abs(total - expected) / expected).toBeLessThan(1e-9);
    expect(a.eliminatedMg).toBeGreaterThan(0.9 * expected);
  });

  it('matches an independent RK4 integration, whatever the step size', () => {
    const reference = rk4Plasma(DOMINO_1982, WEIGHT, (1 * WEIGHT) / 60, 10, 30);
    for (const step of [1 / 60, 0.5, 7.5, 30]) {
      const m = new PkModel(WEIGHT);
      m.bolus(10);
      m.setRate(1);
      for (let t = 0; t < 30 - 1e-9; t += step) m.advance(step);
      expect(Math.abs(m.plasmaNgMl - reference) / reference).toBeLessThan(1e-10);
    }
  });

  it('scales with weight: equal mg/kg gives equal concentrations, equal mg gives less in a heavier patient', () => {
    const run = (weightKg: number, bolusMg: number) => {
      const m = new PkModel(weightKg);
      m.setRate(1);
      m.advance(20);
      if (bolusMg) m.bolus(bolusMg);
      m.advance(1);
      return m;
    };
    expect(run(50, 0).plasmaNgMl).toBeCloseTo(run(100, 0).plasmaNgMl, 9);
    expect(run(50, 0).effectNgMl).toBeCloseTo(run(100, 0).effectNgMl, 9);
    expect(run(100, 0).dosedMg).toBeCloseTo(2 * run(50, 0).dosedMg, 9);
    const bolusRise = (w: number) => run(w, 10).plasmaNgMl - run(w, 0).plasmaNgMl;
    expect(bolusRise(50)).toBeCloseTo(2 * bolusRise(100), 6);
  });

  it('rises during an infusion and falls after it stops; the effect site lags plasma', () => {
    const { samples } = typicalInfusion();
    const at = (t: number) => samples.find((s) => Math.abs(s.t - t) < 1e-6)!;
    expect(at(1).cp).toBeGreaterThan(0);
    expect(at(10).cp).toBeGreaterThan(at(1).cp);
    expect(at(40).cp).toBeGreaterThan(at(20).cp);
    expect(at(45).cp).toBeLessThan(at(40).cp);
    expect(at(120).cp).toBeLessThan(at(60).cp);
    // Effect site trails plasma while rising and stays above it for a while after the stop.
    expect(at(5).ce).toBeLessThan(at(5).cp);
    expect(at(41).ce).toBeGreaterThan(at(41).cp);
    expect(at(40).ce / at(40).cp).toBeGreaterThan(0.95);
  });

  it('0.5 mg/kg over 40 min in 70 kg peaks at about 240 ng/mL: the order of the 100 ng/mL analgesic threshold', () => {
    const { samples } = typicalInfusion();
    const peak = samples.reduce((a, b) => (b.cp > a.cp ? b : a));
    // The model gives 240 ng/mL at the end of the infusion (Domino's small V1 of 4.4 L makes plasma
    // run high; the steady state at this rate would be 453 ng/mL). 150-350 keeps it within the
    // order of the guideline's threshold and fails on a unit slip (x1000), a per-kg error (x70) or a
    // missing compartment.
    expect(peak.t).toBeCloseTo(40, 1);
    expect(peak.cp).toBeGreaterThan(150);
    expect(peak.cp).toBeLessThan(350);
    // Analgesic concentrations are reached within the first minute or two ...
    const firstAbove100 = samples.find((s) => s.cp >= 100)!;
    expect(firstAbove100.t).toBeLessThan(2);
    // ... and redistribution brings plasma back under 100 ng/mL within minutes of the stop (3.7 min).
    const firstBelowAfterStop = samples.find((s) => s.t > 40 && s.cp < 100)!;
    expect(firstBelowAfterStop.t - 40).toBeLessThan(5);
  });

  it('terminal half-life is 1.91 h: inside the guideline 2.3 ± 0.5 h, near its lower end', () => {
    const rates = dispositionRates(DOMINO_1982);
    expect(rates[0]).toBeGreaterThan(rates[1]);
    expect(rates[1]).toBeGreaterThan(rates[2]);
    // Each rate is a root of the characteristic polynomial of the compartment matrix.
    const p = DOMINO_1982;
    for (const s of rates) {
      const a = p.k10 + p.k12 + p.k13;
      const det = (a - s) * (p.k21 - s) * (p.k31 - s) - p.k12 * p.k21 * (p.k31 - s) - p.k13 * p.k31 * (p.k21 - s);
      expect(Math.abs(det)).toBeLessThan(1e-9);
    }
    const halfLifeH = terminalHalfLifeMin(DOMINO_1982) / 60;
    expect(halfLifeH).toBeCloseTo(1.91, 2);
    expect(halfLifeH).toBeGreaterThanOrEqual(2.3 - 0.5);
    expect(halfLifeH).toBeLessThanOrEqual(2.3 + 0.5);

    // Observed decay agrees: log-linear slope of plasma 6 to 10 h after the typical infusion.
    const m = new PkModel(WEIGHT);
    m.setRate(0.75);
    m.advance(40);
    m.setRate(0);
    m.advance(360);
    const c6 = m.plasmaNgMl;
    m.advance(240);
    const c10 = m.plasmaNgMl;
    const observedH = (240 * Math.LN2) / Math.log(c6 / c10) / 60;
    expect(observedH).toBeCloseTo(halfLifeH, 2);
  });

  it('refuses nonsense inputs', () => {
    expect(() => new PkModel(0)).toThrow(/weight/);
    const m = new PkModel(WEIGHT);
    expect(() => m.setRate(-1)).toThrow(/rate/);
    expect(() => m.bolus(Number.NaN)).toThrow(/bolus/);
    expect(() => m.advance(-1)).toThrow(/advance/);
  });
});
