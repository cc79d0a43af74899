import { describe, expect, it } from 'vitest';
import { evaluate, initialEngineState, type EngineState, type RuleTransition } from './engine';
import { defaultRuleSet, ruleSetSchema, type RuleSet } from './index';
import type { VitalsSample } from '../vitals';

const T0 = 1_000_000;

function run(rs: RuleSet, samples: VitalsSample[]): { transitions: RuleTransition[]; state: EngineState } {
  let state = initialEngineState();
  const transitions: RuleTransition[] = [];
  for (const s of samples) {
    const r = evaluate(rs, state, s);
    state = r.state;
    transitions.push(...r.transitions);
  }
  return { transitions, state };
}
const brief = (ts: RuleTransition[]) => ts.map((t) => `${t.type}:${t.rule.id}@${(t.t - T0) / 1000}`);
const spo2 = (secs: number[], v: (s: number) => number | null | undefined) => secs.map((s) => ({ t: T0 + s * 1000, spo2: v(s) }) as VitalsSample);

describe('default rule set', () => {
  it('validates and cites a source for every rule', () => {
    expect(ruleSetSchema.safeParse(defaultRuleSet).success).toBe(true);
    for (const r of defaultRuleSet.rules) {
      expect(r.source.document).toMatch(/ASRA\/AAPM\/ASA 2018/);
      expect(r.source.section.length).toBeGreaterThan(0);
    }
    expect(defaultRuleSet.rules.map((r) => [r.id, r.priority, r.op, r.limit, r.forMs])).toEqual([
      ['spo2.low.high', 'high', '<', 88, 10_000],
      ['sbp.high.high', 'high', '>', 180, 0],
      ['hr.high.high', 'high', '>', 150, 0],
    ]);
  });

  it('refuses a rule set with duplicate ids or an unknown field', () => {
    const dup = { ...defaultRuleSet, rules: [defaultRuleSet.rules[0], defaultRuleSet.rules[0]] };
    expect(ruleSetSchema.safeParse(dup).error?.issues[0]?.message).toMatch(/duplicate rule id/);
    const bad = { ...defaultRuleSet, rules: [{ ...defaultRuleSet.rules[0], field: 'temp' }] };
    expect(ruleSetSchema.safeParse(bad).success).toBe(false);
  });
});

describe('threshold rule with delay and hysteresis (SpO2 < 88 for 10 s, clears at >= 90)', () => {
  it.each([
    ['fires exactly when the condition has held for 10 s', spo2([0, 5, 9, 10], () => 86), ['fire:spo2.low.high@10']],
    ['does not fire on a 9 s dip', spo2([0, 5, 9, 10], (s) => (s < 10 ? 86 : 95)), []],
    ['restarts the delay after a recovery', spo2([0, 5, 6, 12, 21, 22], (s) => (s === 6 ? 95 : 86)), ['fire:spo2.low.high@22']],
    ['clears only past the hysteresis band', spo2([0, 10, 11, 12, 13], (s) => ({ 0: 86, 10: 86, 11: 88, 12: 89, 13: 90 })[s] ?? 0), ['fire:spo2.low.high@10', 'clear:spo2.low.high@13']],
    ['ignores missing and null readings (no data is not normal data)', spo2([0, 4, 8, 10], (s) => (s === 4 ? null : s === 8 ? undefined : 86)), ['fire:spo2.low.high@10']],
    ['does not re-fire while still firing', spo2([0, 10, 20, 30], () => 80), ['fire:spo2.low.high@10']],
  ])('%s', (_name, samples, expected) => {
    expect(brief(run(defaultRuleSet, samples).transitions)).toEqual(expected);
  });

  it('renders value against limit', () => {
    const { transitions } = run(defaultRuleSet, spo2([0, 10], () => 86.44));
    expect(transitions[0]).toMatchObject({ type: 'fire', message: 'SpO2 86.4 < 88', value: 86.44, limit: 88 });
  });
});

describe('immediate high rules', () => {
  it('fires SBP > 180 and HR > 150 on the first breaching sample, not at the limit', () => {
    const r = run(defaultRuleSet, [
      { t: T0, sbp: 180, hr: 150 },
      { t: T0 + 1000, sbp: 181, hr: 151 },
    ]);
    expect(brief(r.transitions)).toEqual(['fire:sbp.high.high@1', 'fire:hr.high.high@1']);
  });
});

describe('purity', () => {
  it('does not mutate the state it is given and is deterministic', () => {
    const s0 = initialEngineState();
    const sample = { t: T0, spo2: 80 };
    const a = evaluate(defaultRuleSet, s0, sample);
    const b = evaluate(defaultRuleSet, s0, sample);
    expect(s0).toEqual({});
    expect(a).toEqual(b);
  });
});
