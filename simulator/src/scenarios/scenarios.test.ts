import { describe, expect, it } from 'vitest';
import { SimulatedPatient } from '../patient';
import { DEFAULT_SCENARIO_ORDER, GUIDELINE_LIMITS, SCENARIOS, SCENARIO_NAMES, resolveScenario, scenarioProblems, scenarioSchema, type Scenario } from './index';

/** Vitals of a scenario every 5 scenario seconds, with noise, for a given seed and weight. */
function run(scenario: Scenario, seed: number, weightKg = 75, untilMin = 70) {
  const p = new SimulatedPatient({ scenario, weightKg, seed });
  const out: { min: number; hr: number; sbp: number; dbp: number; spo2: number; rr: number; rate: number }[] = [];
  for (let s = 0; s <= untilMin * 60; s += 5) {
    const { vitals } = p.advanceTo(s / 60);
    out.push({ min: s / 60, ...vitals, rate: p.pk.rateMgKgH });
  }
  return out;
}

describe('scenarios', () => {
  it('are valid data and keep to the guideline doses', () => {
    expect(SCENARIO_NAMES).toEqual(expect.arrayContaining(['stable', 'hypertensive', 'desaturation', 'tachycardia']));
    for (const s of Object.values(SCENARIOS)) {
      expect(scenarioSchema.safeParse(s).success, s.name).toBe(true);
      expect(scenarioProblems(s), s.name).toEqual([]);
      for (const step of s.infusion) {
        if (step.type === 'bolus') expect(step.doseMgKg).toBeLessThan(0.35);
        if (step.type === 'start' || step.type === 'rate_change') {
          expect(step.rateMgKgH).toBeGreaterThanOrEqual(0.5);
          expect(step.rateMgKgH).toBeLessThanOrEqual(2);
          if (step.rateMgKgH > 1) expect(['monitored_unit', 'icu']).toContain(s.setting);
        }
      }
    }
  });

  it('bolus doses stay below 0.35 mg/kg after rounding to 0.1 mg, at every weight in range', () => {
    for (const s of Object.values(SCENARIOS)) {
      for (let w = s.patient.weightKg[0]; w <= s.patient.weightKg[1]; w++) {
        const p = new SimulatedPatient({ scenario: s, weightKg: w, seed: 1, noiseScale: 0 });
        const events = p.advanceTo(1_000).infusionEvents;
        for (const ev of events) if (ev.type === 'bolus') expect(ev.doseMg / w).toBeLessThan(GUIDELINE_LIMITS.bolusMaxMgKgExclusive);
      }
    }
  });

  it('the guideline check catches doses and plans out of bounds', () => {
    const base = SCENARIOS.stable;
    const bad = (infusion: Scenario['infusion'], setting: Scenario['setting'] = 'clinic') => scenarioProblems({ ...base, setting, infusion });
    expect(bad([{ atMin: 0, type: 'bolus', doseMgKg: 0.35 }]).join()).toMatch(/not below 0.35/);
    expect(bad([{ atMin: 0, type: 'start', rateMgKgH: 1.5 }]).join()).toMatch(/exceeds 1 mg\/kg\/h allowed in clinic/);
    expect(bad([{ atMin: 0, type: 'start', rateMgKgH: 1.5 }], 'monitored_unit')).toEqual([]);
    expect(bad([{ atMin: 0, type: 'start', rateMgKgH: 2.5 }], 'monitored_unit').join()).toMatch(/exceeds 2/);
    expect(bad([{ atMin: 0, type: 'start', rateMgKgH: 5 }], 'icu')).toEqual([]);
    expect(bad([{ atMin: 0, type: 'start', rateMgKgH: 0.2 }]).join()).toMatch(/below 0.5/);
    expect(bad([{ atMin: 0, type: 'rate_change', rateMgKgH: 0.5 }]).join()).toMatch(/cannot rate change an infusion that is not started/);
    expect(
      bad([
        { atMin: 5, type: 'start', rateMgKgH: 0.5 },
        { atMin: 2, type: 'stop' },
      ]).join(),
    ).toMatch(/time order/);
  });

  it('resolves names and refuses unknown names, malformed data and unsafe doses', () => {
    expect(resolveScenario('stable')).toBe(SCENARIOS.stable);
    expect(() => resolveScenario('nope')).toThrow(/unknown scenario "nope".*stable/);
    expect(() => resolveScenario({ ...SCENARIOS.stable, setting: 'ward' } as unknown as Scenario)).toThrow(/invalid scenario: setting/);
    const unsafe = { ...SCENARIOS.stable, name: 'unsafe', infusion: [{ atMin: 0, type: 'bolus', doseMgKg: 0.5 }] } as Scenario;
    expect(() => resolveScenario(unsafe)).toThrow(/outside the guideline.*0.5 mg\/kg/);
    expect(resolveScenario(JSON.parse(JSON.stringify(SCENARIOS.hypertensive)) as Scenario)).toEqual(SCENARIOS.hypertensive);
  });

  it('the default rotation shows a desaturation and a hypertensive patient within four sessions', () => {
    expect(DEFAULT_SCENARIO_ORDER.slice(0, 4)).toEqual(expect.arrayContaining(['desaturation', 'hypertensive']));
    expect(DEFAULT_SCENARIO_ORDER.every((n) => n in SCENARIOS)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])('stable stays inside the default alarm limits (seed %i)', (seed) => {
    for (const v of run(SCENARIOS.stable, seed, 70, 160)) {
      expect(v.sbp).toBeLessThan(180);
      expect(v.dbp).toBeLessThan(110);
      expect(v.hr).toBeLessThan(120);
      expect(v.hr).toBeGreaterThan(50);
      expect(v.spo2).toBeGreaterThanOrEqual(92);
      expect(v.rr).toBeGreaterThanOrEqual(10);
    }
  });

  it.each([1, 2, 3, 4, 5])('desaturation: SpO2 84-86%% for over a minute, then recovery (seed %i)', (seed) => {
    const v = run(SCENARIOS.desaturation, seed);
    const low = v.filter((x) => x.spo2 <= 86);
    expect(low.length * 5).toBeGreaterThanOrEqual(60);
    expect(Math.min(...v.map((x) => x.spo2))).toBeGreaterThanOrEqual(83);
    expect(low.every((x) => x.min >= 12 && x.min <= 17)).toBe(true);
    // Below the 88% high-priority limit for longer than a 10 s alarm delay at up to 10x speed.
    expect(v.filter((x) => x.spo2 < 88).length * 5).toBeGreaterThanOrEqual(100);
    expect(v.filter((x) => x.min >= 20).every((x) => x.spo2 >= 94)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])('hypertensive: SBP passes 180 only at the higher rates (seed %i)', (seed) => {
    const v = run(SCENARIOS.hypertensive, seed);
    const over = v.filter((x) => x.sbp > 180);
    expect(over.length).toBeGreaterThan(20);
    // The first crossing comes after the rate went above 1 mg/kg/h (it may linger briefly after it is lowered).
    expect(over[0]!.rate).toBeGreaterThan(1);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const at = (lo: number, hi: number) => mean(v.filter((x) => x.min >= lo && x.min < hi).map((x) => x.sbp));
    expect(at(10, 15)).toBeLessThan(at(25, 30)); // 1 -> 1.5 mg/kg/h
    expect(at(25, 30)).toBeLessThan(at(40, 50)); // 1.5 -> 2 mg/kg/h
    expect(at(40, 50)).toBeGreaterThan(180);
  });

  it.each([1, 2, 3, 4, 5])('tachycardia: HR over 150 after the bolus, over 120 at 1 mg/kg/h, settling after the stop (seed %i)', (seed) => {
    const v = run(SCENARIOS.tachycardia, seed, 75, 90);
    expect(v.filter((x) => x.min >= 8 && x.min < 12 && x.hr > 150).length).toBeGreaterThan(0);
    expect(v.filter((x) => x.min < 8).every((x) => x.hr < 150)).toBe(true);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(v.filter((x) => x.min >= 15 && x.min < 30).map((x) => x.hr))).toBeGreaterThan(120);
    expect(mean(v.filter((x) => x.min >= 80).map((x) => x.hr))).toBeLessThan(115);
  });
});
