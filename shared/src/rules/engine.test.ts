import { describe, expect, it } from 'vitest';
import type { VitalsSample } from '../vitals';
import { buildContext, engineEvents } from './context';
import { engineStateFromActive, evaluate, firingRules, initialEngineState, ruleStateOf } from './engine';
import { applyProfile, defaultRuleSet, ruleSetSchema } from './index';
import { T0, at, brief, ctxAt, only, run } from './testkit';

/** The three v1 rules keep their ids and semantics. */
const V1 = only(defaultRuleSet, ['spo2.low.high', 'sbp.high.high', 'hr.high.high']);

const vitalsRun = (samples: VitalsSample[]) => run(V1, samples.map((s) => ({ kind: 'vitals', t: s.t, sample: s }) as const));
const spo2 = (secs: number[], v: (s: number) => number | null | undefined) => secs.map((s) => ({ t: T0 + s * 1000, spo2: v(s) }) as VitalsSample);

describe('default rule set', () => {
  it('validates and cites a source for every rule', () => {
    expect(ruleSetSchema.safeParse(defaultRuleSet).success).toBe(true);
    for (const r of defaultRuleSet.rules) {
      expect(r.source.document).toMatch(/ASRA\/AAPM\/ASA 2018/);
      expect(r.source.section.length).toBeGreaterThan(0);
    }
    expect(V1.rules.map((r) => (r.kind === 'threshold' ? [r.id, r.priority, r.op, r.limit, r.forMs, r.latching] : null))).toEqual([
      ['spo2.low.high', 'high', '<', 88, 10_000, true],
      ['sbp.high.high', 'high', '>', 180, 0, true],
      ['hr.high.high', 'high', '>', 150, 0, true],
    ]);
    expect(defaultRuleSet.rules.slice(0, 3).map((r) => r.id)).toEqual(['spo2.low.high', 'sbp.high.high', 'hr.high.high']);
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
    expect(brief(vitalsRun(samples).transitions)).toEqual(expected);
  });

  it('renders value against limit', () => {
    const { transitions } = vitalsRun(spo2([0, 10], () => 86.44));
    expect(transitions[0]).toMatchObject({ type: 'fire', message: 'SpO2 86.4 < 88', value: 86.44, limit: 88 });
  });
});

describe('immediate high rules', () => {
  it('fires SBP > 180 and HR > 150 on the first breaching sample, not at the limit', () => {
    const r = vitalsRun([
      { t: T0, sbp: 180, hr: 150 },
      { t: T0 + 1000, sbp: 181, hr: 151 },
    ]);
    expect(brief(r.transitions)).toEqual(['fire:sbp.high.high@1', 'fire:hr.high.high@1']);
  });
});

describe('purity', () => {
  it('does not mutate the state it is given and is deterministic', () => {
    const s0 = initialEngineState();
    const ev = engineEvents.vitals(T0, { spo2: 80 });
    const ctx = buildContext();
    const a = evaluate(defaultRuleSet, s0, ctx, ev);
    const b = evaluate(defaultRuleSet, s0, ctx, ev);
    expect(s0).toEqual(initialEngineState());
    expect(a).toEqual(b);
  });

  it('keeps the state JSON-serialisable: a state that went through JSON gives the same result', () => {
    const evs = [engineEvents.vitals(at(0), { spo2: 86, hr: 80, rr: 12, etco2: 38 }), engineEvents.tick(at(5)), engineEvents.vitals(at(9), { spo2: 85 })];
    const { state } = run(defaultRuleSet, evs);
    const next = engineEvents.vitals(at(10), { spo2: 85 });
    const direct = evaluate(defaultRuleSet, state, ctxAt(), next);
    const viaJson = evaluate(defaultRuleSet, JSON.parse(JSON.stringify(state)), ctxAt(), next);
    expect(viaJson.transitions.map((t) => t.message)).toEqual(direct.transitions.map((t) => t.message));
    expect(brief(direct.transitions)).toContain('fire:spo2.low.high@10');
    expect(JSON.parse(JSON.stringify(viaJson.state))).toEqual(JSON.parse(JSON.stringify(direct.state)));
  });

  it('judges an event older than the previous one at the previous time (time never runs backwards)', () => {
    const { state } = run(V1, [engineEvents.vitals(at(10), { spo2: 86 })]);
    const r = evaluate(V1, state, ctxAt(), engineEvents.vitals(at(0), { spo2: 86 }));
    expect(r.state.lastT).toBe(at(10));
    expect(r.transitions).toEqual([]);
  });

  it('treats a state of an older format as a fresh start instead of failing', () => {
    const old = { 'spo2.low.high': { since: 1, firing: true } } as unknown as ReturnType<typeof initialEngineState>;
    expect(() => evaluate(V1, old, ctxAt(), engineEvents.vitals(at(0), { spo2: 95 }))).not.toThrow();
  });
});

describe('restart', () => {
  it('a state rebuilt from raised alarms does not raise them again, and clears them when the condition does', () => {
    const s = engineStateFromActive([{ ruleId: 'spo2.low.high', since: at(0) }], at(100));
    expect(firingRules(s)).toEqual(['spo2.low.high']);
    const r = run(V1, [engineEvents.vitals(at(101), { spo2: 80 }), engineEvents.vitals(at(120), { spo2: 80 }), engineEvents.vitals(at(121), { spo2: 95 })], ctxAt(), s);
    expect(brief(r.transitions)).toEqual(['clear:spo2.low.high@121']);
  });
});

describe('changing the rule set mid-session (profile or override applied)', () => {
  it('keeps each rule\'s state by id, drops rules no longer in the set, and does not re-raise', () => {
    const first = run(defaultRuleSet, [engineEvents.vitals(at(0), { spo2: 80, sbp: 190 }), engineEvents.vitals(at(10), { spo2: 80, sbp: 190 })]);
    expect(brief(first.transitions)).toEqual(expect.arrayContaining(['fire:spo2.low.high@10', 'fire:sbp.high.high@0']));
    const changed = applyProfile(defaultRuleSet, 'elderly_comorbid').ruleSet;
    const subset = only(changed, ['sbp.high.high', 'spo2.low.high']);
    const r = run(subset, [engineEvents.vitals(at(11), { spo2: 80, sbp: 190 }), engineEvents.vitals(at(12), { spo2: 95, sbp: 160 })], ctxAt(), first.state);
    expect(brief(r.transitions)).toEqual(['clear:sbp.high.high@12', 'clear:spo2.low.high@12']);
    expect(r.state.ids).toEqual(['sbp.high.high', 'spo2.low.high']);
    expect(ruleStateOf(r.state, 'hr.high.high')).toBeUndefined();
  });
});
