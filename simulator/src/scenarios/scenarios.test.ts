import { describe, expect, it } from 'vitest';
import { OBSERVATION_SCALES, vitalsFrameSchema } from '@infusion/shared';
import { SimulatedPatient } from '../patient';
import { toFrame } from '../physiology';
import { DEFAULT_SCENARIO_ORDER, FIRST_COURSE_MINIMUM, GUIDELINE_LIMITS, SCENARIOS, SCENARIO_NAMES, planDose, resolveScenario, scenarioProblems, scenarioSchema, type Scenario } from './index';

/** Vitals of a scenario every 5 scenario seconds, with noise, for a given seed and weight. */
function run(scenario: Scenario, seed: number, weightKg = 75, untilMin = 70) {
  const p = new SimulatedPatient({ scenario, weightKg, seed });
  const out: { min: number; hr: number; sbp: number; dbp: number; spo2: number; etco2: number; rr: number; rate: number }[] = [];
  for (let s = 0; s <= untilMin * 60; s += 5) {
    const { vitals } = p.advanceTo(s / 60);
    out.push({ min: s / 60, ...vitals, rate: p.pk.rateMgKgH });
  }
  return out;
}

describe('scenarios', () => {
  it('are valid data and keep to the guideline doses', () => {
    expect(SCENARIO_NAMES).toEqual(expect.arrayContaining(['stable', 'hypertensive', 'desaturation', 'tachycardia', 'emergence', 'bradycardia', 'artifacts', 'bolus-over-limit', 'checklist-fail']));
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

  it('a scenario document with a bad field is refused with the field named and the reason, never half-loaded', () => {
    const base = JSON.parse(JSON.stringify(SCENARIOS.desaturation)) as Record<string, unknown>;
    const refuse = (patch: Record<string, unknown>) => () => resolveScenario({ ...base, ...patch } as Scenario);
    // A scripted drug must say where its dose comes from.
    expect(refuse({ events: [{ kind: 'drug', label: 'x', atMin: 1, drug: 'midazolam', doseMgKg: 0.05 }] })).toThrow(/events\.0\.doseSource/);
    expect(refuse({ events: [{ kind: 'drug', label: 'x', atMin: 1, drug: 'propofol', doseMgKg: 0.05, doseSource: 'y' }] })).toThrow(/events\.0\.drug/);
    expect(refuse({ archetype: 'athlete' })).toThrow(/archetype/);
    expect(refuse({ checklist: { findings: ['headache'] } })).toThrow(/checklist\.findings\.0/);
    expect(refuse({ expected: [{ id: 'a', label: 'b', after: { atMin: 0 }, action: { type: 'dance' } }] })).toThrow(/expected\.0\.action/);
    expect(refuse({ events: [{ kind: 'artifact', label: 'x', atMin: 1, durationMin: 0, artifact: 'motion' }] })).toThrow(/events\.0\.durationMin/);
    // Defaults are filled in for what a document leaves out.
    const { archetype: _a, expected: _e, expectedAlarms: _x, ...minimal } = base;
    expect(resolveScenario(minimal as Scenario)).toMatchObject({ archetype: 'healthy_adult', expected: [], expectedAlarms: [] });
  });

  it('the default rotation shows a desaturation and a hypertensive patient within four sessions', () => {
    expect(DEFAULT_SCENARIO_ORDER.slice(0, 4)).toEqual(expect.arrayContaining(['desaturation', 'hypertensive']));
    expect(DEFAULT_SCENARIO_ORDER.every((n) => n in SCENARIOS)).toBe(true);
  });

  it.each([1, 2, 3, 4, 5])('stable stays inside the default alarm limits (seed %i)', (seed) => {
    for (const v of run(SCENARIOS.stable, seed, 70, 190)) {
      expect(v.sbp).toBeLessThan(180);
      expect(v.dbp).toBeLessThan(110);
      expect(v.hr).toBeLessThan(120);
      expect(v.hr).toBeGreaterThan(50);
      expect(v.spo2).toBeGreaterThanOrEqual(92);
      expect(v.rr).toBeGreaterThanOrEqual(10);
    }
  });

  it.each([1, 2, 3, 4, 5])('desaturation: after the midazolam RR falls, EtCO2 rises and SpO2 falls below 88 percent, then recovers (seed %i)', (seed) => {
    const v = run(SCENARIOS.desaturation, seed, 110, 70);
    const before = v.filter((x) => x.min < 20);
    expect(before.every((x) => x.spo2 >= 90 && x.etco2 <= 50)).toBe(true);
    const after = v.filter((x) => x.min >= 20 && x.min < 35);
    // Below the 88% high-priority limit for longer than its 10 s delay; EtCO2 above 50 for longer than 15 s.
    expect(after.filter((x) => x.spo2 < 88).length * 5).toBeGreaterThanOrEqual(30);
    expect(after.filter((x) => x.etco2 > 50).length * 5).toBeGreaterThanOrEqual(60);
    expect(Math.min(...after.map((x) => x.rr))).toBeLessThan(Math.min(...before.map((x) => x.rr)));
    expect(Math.min(...v.map((x) => x.spo2))).toBeGreaterThanOrEqual(75);
    expect(v.filter((x) => x.min >= 50).every((x) => x.spo2 >= 90)).toBe(true);
  });

  it('stable is a full first course: at least 80 mg over more than 2 h at every weight in range (Q3)', () => {
    const s = SCENARIOS.stable;
    for (let w = s.patient.weightKg[0]; w <= s.patient.weightKg[1]; w++) {
      const { doseMg, infusingMin } = planDose(s, w);
      expect(doseMg, `${w} kg`).toBeGreaterThanOrEqual(FIRST_COURSE_MINIMUM.doseMg);
      expect(infusingMin).toBeGreaterThan(FIRST_COURSE_MINIMUM.durationMinExclusive);
    }
    // And the patient model gives what the plan says.
    const p = new SimulatedPatient({ scenario: s, weightKg: s.patient.weightKg[0], seed: 1 });
    p.advanceTo(300);
    expect(p.pk.dosedMg).toBeCloseTo(planDose(s, s.patient.weightKg[0]).doseMg, 6);
  });

  it.each(SCENARIO_NAMES)('%s validates as JSON and runs to its end with every frame accepted by the ingest schema', (name) => {
    const s = SCENARIOS[name];
    expect(scenarioSchema.parse(JSON.parse(JSON.stringify(s)))).toEqual(s);
    const end = Math.max(...s.infusion.map((x) => x.atMin), ...s.events.map((e) => e.atMin)) + 10;
    const w = Math.round((s.patient.weightKg[0] + s.patient.weightKg[1]) / 2);
    const p = new SimulatedPatient({ scenario: s, weightKg: w, seed: 3 });
    const problems: string[] = [];
    const types: string[] = [];
    let frames = 0;
    let scores = 0;
    for (let sec = 0; sec <= end * 60; sec += 5) {
      const x = p.advanceTo(sec / 60);
      types.push(...x.infusionEvents.map((e) => e.type));
      if (x.reading.connected) {
        frames++;
        const parsed = vitalsFrameSchema.safeParse(toFrame('s1', frames, 1_700_000_000_000 + sec * 1000, x.reading.values));
        if (!parsed.success) problems.push(`${sec} s: ${parsed.error.message}`);
      }
      if (sec % 600 === 0) {
        for (const scale of ['RASS', 'MOAAS', 'RAMSAY', 'NRS_PAIN'] as const) {
          const score = p.assess(scale);
          if (Number.isInteger(score) && score >= OBSERVATION_SCALES[scale].min && score <= OBSERVATION_SCALES[scale].max) scores++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(frames).toBeGreaterThan(0);
    expect(scores).toBe(4 * (Math.floor((end * 60) / 600) + 1));
    if (s.name === 'checklist-fail') expect(types).toEqual([]);
    else expect(types).toEqual(s.infusion.map((x) => x.type));
    expect(p.infusionStatus).toBe(s.name === 'checklist-fail' ? 'not_started' : 'stopped');
  });

  it('a patient who fails the checklist is never started by the scripted nurse', () => {
    const p = new SimulatedPatient({ scenario: SCENARIOS['checklist-fail'], weightKg: 80, seed: 2 });
    expect(p.checklistFails).toBe(true);
    const v = Array.from({ length: 60 }, (_, i) => p.advanceTo(i));
    expect(v.flatMap((x) => x.infusionEvents)).toEqual([]);
    expect(p.pk.dosedMg).toBe(0);
    // Poorly controlled hypertension: a resting SBP well above normal.
    expect(p.vitals.baseline.sbp).toBeGreaterThanOrEqual(150);
  });

  it('artifacts: motion corrupts SpO2, the probe off sends no valid SpO2, the disconnect sends nothing, NIBP comes in cycles', () => {
    const p = new SimulatedPatient({ scenario: SCENARIOS.artifacts, weightKg: 70, seed: 4 });
    const xs = Array.from({ length: 45 * 12 + 1 }, (_, i) => ({ min: i / 12, ...p.advanceTo(i / 12) }));
    const during = (lo: number, hi: number) => xs.filter((x) => x.min >= lo && x.min < hi);
    expect(during(10, 11.5).some((x) => x.reading.values.spo2 !== null && x.reading.values.spo2! < x.vitals.spo2 - 3)).toBe(true);
    expect(during(20, 22).every((x) => x.reading.values.spo2 === null)).toBe(true);
    expect(during(23, 34).every((x) => typeof x.reading.values.spo2 === 'number')).toBe(true);
    expect(during(35, 36.5).every((x) => !x.reading.connected)).toBe(true);
    expect(during(0, 35).every((x) => x.reading.connected)).toBe(true);
    // One cuff reading as the monitor starts, then one every 3 min, nothing between.
    const nibp = during(0, 35).filter((x) => x.reading.values.sbp !== undefined).map((x) => x.min);
    expect(nibp.length).toBe(12);
    for (let i = 1; i < nibp.length; i++) expect(nibp[i]! - nibp[i - 1]!).toBeCloseTo(3, 6);
  });

  it.each([1, 2, 3])('bradycardia: heart rate under 50 and SBP under 90 during the episode only (seed %i)', (seed) => {
    const v = run(SCENARIOS.bradycardia, seed, 70, 60);
    const episode = v.filter((x) => x.min >= 31 && x.min < 34.5);
    expect(episode.every((x) => x.hr < 50)).toBe(true);
    expect(episode.filter((x) => x.sbp < 90).length).toBeGreaterThan(0.8 * episode.length);
    expect(v.filter((x) => x.min < 30 || x.min > 40).every((x) => x.hr > 50 && x.sbp > 100)).toBe(true);
  });

  it('emergence: agitated (RASS +2 or more) after the reaction starts, calmer after the midazolam', () => {
    const p = new SimulatedPatient({ scenario: SCENARIOS.emergence, weightKg: 70, seed: 8 });
    const rass = (lo: number, hi: number) => {
      const out: number[] = [];
      for (let m = lo; m < hi; m += 0.5) {
        p.advanceTo(m);
        out.push(p.assess('RASS'));
      }
      return out;
    };
    const calm = rass(0, 24);
    const agitated = rass(25.5, 30);
    const treated = rass(36, 45);
    expect(Math.max(...calm)).toBeLessThanOrEqual(1);
    expect(Math.min(...agitated)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...treated)).toBeLessThanOrEqual(1);
  });

  it.each([1, 2, 3, 4, 5])('hypertensive: SBP passes 180 only at the higher rates (seed %i)', (seed) => {
    const v = run(SCENARIOS.hypertensive, seed);
    const over = v.filter((x) => x.sbp > 180);
    expect(over.length).toBeGreaterThan(20);
    // The crossings come once the rate went above 1 mg/kg/h (noise may touch 181 now and then before).
    expect(over.filter((x) => x.min < 15).length).toBeLessThanOrEqual(3);
    expect(over.filter((x) => x.min >= 15).length).toBeGreaterThan(0.9 * over.length);
    // The trajectory under the noise: rising with each rate step, over 180 at 2 mg/kg/h, under it at 1.
    const p = new SimulatedPatient({ scenario: SCENARIOS.hypertensive, weightKg: 75, seed, noiseScale: 0 });
    const clean = Array.from({ length: 55 * 12 }, (_, i) => ({ min: i / 12, sbp: p.advanceTo(i / 12).vitals.sbp }));
    const at = (min: number) => clean.find((x) => Math.abs(x.min - min) < 1e-6)!.sbp;
    expect(at(14)).toBeLessThan(at(29));
    expect(at(29)).toBeLessThan(at(45));
    expect(clean.filter((x) => x.min < 15).every((x) => x.sbp < 180)).toBe(true);
    expect(clean.filter((x) => x.min >= 38 && x.min < 50).every((x) => x.sbp > 180)).toBe(true);
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
