import { defaultRuleSet } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { runHeadless } from './headless';
import { SCENARIOS, SCENARIO_NAMES } from './scenarios';

const CLINICAL = new Set(defaultRuleSet.rules.filter((r) => r.category === 'clinical').map((r) => r.id));

describe('scenarios judged by the shipped rules on their own clock (x60 and faster)', () => {
  it('every expected alarm id is a rule of the shipped rule set', () => {
    const ids = new Set(defaultRuleSet.rules.map((r) => r.id));
    for (const s of Object.values(SCENARIOS)) for (const id of s.expectedAlarms) expect(ids.has(id), `${s.name}: ${id}`).toBe(true);
  });

  it.each(SCENARIO_NAMES.flatMap((name) => [1, 2, 3].map((seed) => [name, seed] as const)))('%s (seed %i) raises the alarms it is written to raise', (name, seed) => {
    const s = SCENARIOS[name];
    const [lo, hi] = s.patient.weightKg;
    for (const weightKg of [lo, Math.round((lo + hi) / 2), hi]) {
      const fired = runHeadless({ scenario: s, seed, weightKg }).map((a) => a.ruleId);
      expect(fired, `${weightKg} kg`).toEqual(expect.arrayContaining(s.expectedAlarms));
      // The uneventful course and the patient never started raise no clinical alarm at all.
      if (name === 'stable' || name === 'checklist-fail') expect(fired.filter((id) => CLINICAL.has(id)), `${weightKg} kg`).toEqual([]);
    }
  });

  it('the desaturation alarms come after the midazolam, in physiological order: SpO2 last', () => {
    const alarms = runHeadless({ scenario: SCENARIOS.desaturation, seed: 1, weightKg: 110 });
    const at = (id: string) => alarms.find((a) => a.ruleId === id)!.atMin;
    expect(Math.min(...alarms.map((a) => a.atMin))).toBeGreaterThan(20);
    expect(at('etco2.high.medium')).toBeLessThan(at('spo2.low.high'));
  });
});
