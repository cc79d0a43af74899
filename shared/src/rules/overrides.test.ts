import { describe, expect, it } from 'vitest';
import { engineEvents as E } from './context';
import { evaluate } from './engine';
import { RuleSetConfigError, applyOverrides, applyProfile, configureRuleSet, defaultRuleSet, ruleSetSchema, type Rule, type RuleSet } from './index';
import { at, brief, ctxAt, only, run } from './testkit';

const find = (rs: RuleSet, id: string): Rule => {
  const r = rs.rules.find((x) => x.id === id);
  if (!r) throw new Error(id);
  return r;
};
const param = (rs: RuleSet, id: string, key: string) => (find(rs, id) as Record<string, unknown>)[key];
const snapshot = JSON.stringify(defaultRuleSet);

describe('applyProfile', () => {
  it('elderly/comorbid tightens the listed limits and lists every change', () => {
    const { ruleSet, changes } = applyProfile(defaultRuleSet, 'elderly_comorbid');
    expect(changes.map((c) => c.text)).toEqual([
      'SpO2 low: limit 88 → 90',
      'Systolic BP high: limit 180 → 170',
      'Heart rate high: limit 150 → 130',
      'Systolic BP rise over baseline: change 20% → 15%',
      'Infusion rate needs a monitored setting: limit 1 → 0.5',
    ]);
    expect(changes[0]).toMatchObject({ ruleId: 'spo2.low.high', param: 'limit', from: 88, to: 90, origin: 'profile' });
    expect([param(ruleSet, 'spo2.low.high', 'limit'), param(ruleSet, 'sbp.high.high', 'limit'), param(ruleSet, 'hr.high.high', 'limit'), param(ruleSet, 'sbp.baseline.rise', 'percent')]).toEqual([90, 170, 130, 15]);
  });

  it('labels changed rules as institutional defaults of the profile, and leaves the others alone', () => {
    const { ruleSet } = applyProfile(defaultRuleSet, 'elderly_comorbid');
    const changed = find(ruleSet, 'sbp.high.high').source;
    expect(changed.institutionalDefault).toBe(true);
    expect(changed.section).toMatch(/elderly\/comorbid profile: Q6/);
    expect(find(ruleSet, 'treatments.year.over6').source).toEqual(find(defaultRuleSet, 'treatments.year.over6').source);
  });

  it('standard changes nothing; the input set is never modified', () => {
    const r = applyProfile(defaultRuleSet, 'standard');
    expect(r.changes).toEqual([]);
    expect(r.ruleSet).toBe(defaultRuleSet);
    applyProfile(defaultRuleSet, 'elderly_comorbid');
    expect(JSON.stringify(defaultRuleSet)).toBe(snapshot);
  });

  it('a set without the profile is left as it is', () => {
    const { profiles: _p, ...bare } = defaultRuleSet;
    expect(applyProfile(ruleSetSchema.parse(bare), 'elderly_comorbid').changes).toEqual([]);
  });

  it('the engine then alarms at the profile limit', () => {
    const rs = applyProfile(only(defaultRuleSet, ['hr.high.high']), 'standard').ruleSet;
    const elderly = applyProfile(defaultRuleSet, 'elderly_comorbid').ruleSet;
    const evs = [E.vitals(at(0), { hr: 135 })];
    expect(brief(run(rs, evs).transitions)).toEqual([]);
    expect(brief(run(only(elderly, ['hr.high.high']), evs).transitions)).toEqual(['fire:hr.high.high@0']);
  });

  it('a rule set whose profile names an unknown rule, or a parameter the rule lacks, is refused', () => {
    const unknown = { ...defaultRuleSet, profiles: { elderly_comorbid: { overrides: { 'nope.rule': { limit: 1 } } } } };
    expect(ruleSetSchema.safeParse(unknown).error?.issues[0]?.message).toMatch(/nope.rule: no such rule/);
    const lacks = { ...defaultRuleSet, profiles: { elderly_comorbid: { overrides: { apnea: { limit: 10 } } } } };
    expect(ruleSetSchema.safeParse(lacks).error?.issues[0]?.message).toMatch(/apnea: limit cannot be set on a no_breath rule/);
  });
});

describe('applyOverrides', () => {
  it.each<[string, Record<string, Record<string, number | boolean>>, string[]]>([
    ['limit and delay', { 'spo2.low.high': { limit: 85, forMs: 15_000 } }, ['SpO2 low: delay 10 s → 15 s', 'SpO2 low: limit 88 → 85']],
    ['switching a rule off', { 'hr.high.medium': { enabled: false } }, ['Heart rate elevated: switched off']],
    ['a schedule interval', { 'obs.sedation.due': { intervalMs: 600_000 } }, ['Sedation score due: interval 15 min → 10 min']],
    ['a baseline change from percent to absolute', { 'sbp.baseline.rise': { absolute: 30 } }, ['Systolic BP rise over baseline: change 20% → —', 'Systolic BP rise over baseline: change — → 30']],
    ['the same value changes nothing', { 'spo2.low.high': { limit: 88 } }, []],
    ['priority and latching', { 'rr.low.medium': { priority: 'high' as unknown as number, latching: true } }, ['Respiratory rate low: priority medium → high', 'Respiratory rate low: latching no → yes']],
  ])('%s', (_n, overrides, expected) => {
    const { changes } = applyOverrides(defaultRuleSet, overrides);
    expect(changes.map((c) => c.text)).toEqual(expected);
    expect(changes.every((c) => c.origin === 'override')).toBe(true);
  });

  it('returns a validated set with the new values and leaves the input alone', () => {
    const { ruleSet } = applyOverrides(defaultRuleSet, { 'spo2.low.high': { limit: 85 } });
    expect(ruleSetSchema.safeParse(ruleSet).success).toBe(true);
    expect(param(ruleSet, 'spo2.low.high', 'limit')).toBe(85);
    expect(JSON.stringify(defaultRuleSet)).toBe(snapshot);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown rule', { 'no.such': { limit: 1 } }, /no.such: no such rule/],
    ['a parameter the kind does not have', { 'spo2.low.high': { percent: 10 } }, /percent cannot be set on a threshold rule/],
    ['an unknown parameter', { 'spo2.low.high': { colour: 'red' } }, /spo2.low.high/],
    ['a negative delay', { 'spo2.low.high': { forMs: -1 } }, /forMs/],
    ['a band as wide as the change', { 'spo2.falling': { hysteresis: 4 } }, /hysteresis must be smaller than delta/],
    ['a data-back window longer than the timeout', { 'tech.no_data': { presentWithinMs: 40_000 } }, /presentWithinMs must be shorter/],
  ])('refuses %s, naming it, and applies nothing', (_n, overrides, message) => {
    let err: unknown;
    try {
      applyOverrides(defaultRuleSet, overrides as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RuleSetConfigError);
    expect((err as RuleSetConfigError).issues.join('\n')).toMatch(message);
  });

  it('a switched-off rule does not fire, and switching off a firing rule clears it', () => {
    const rs = only(defaultRuleSet, ['sbp.high.high']);
    const off = applyOverrides(rs, { 'sbp.high.high': { enabled: false } }).ruleSet;
    expect(run(off, [E.vitals(at(0), { sbp: 200 })]).transitions).toEqual([]);
    const firing = run(rs, [E.vitals(at(0), { sbp: 200 })]);
    const r = evaluate(off, firing.state, ctxAt(), E.vitals(at(1), { sbp: 200 }));
    expect(r.transitions.map((t) => [t.type, t.rule.id, t.message])).toEqual([['clear', 'sbp.high.high', 'Systolic BP high: rule switched off']]);
  });
});

describe('configureRuleSet', () => {
  it('applies the profile, then the overrides, and lists both in order', () => {
    const { ruleSet, changes } = configureRuleSet(defaultRuleSet, { profile: 'elderly_comorbid', overrides: { 'spo2.low.high': { limit: 91 } } });
    expect(param(ruleSet, 'spo2.low.high', 'limit')).toBe(91);
    expect(changes.filter((c) => c.ruleId === 'spo2.low.high').map((c) => [c.origin, c.text])).toEqual([
      ['profile', 'SpO2 low: limit 88 → 90'],
      ['override', 'SpO2 low: limit 90 → 91'],
    ]);
  });

  it('with neither, the set as shipped and no changes', () => {
    expect(configureRuleSet(defaultRuleSet)).toEqual({ ruleSet: defaultRuleSet, changes: [] });
  });
});

describe('the sedative modifier (Q6: midazolam may enhance ketamine\'s effects)', () => {
  const sedated = (opts: Parameters<typeof configureRuleSet>[1] = {}) => configureRuleSet(defaultRuleSet, { ...opts, modifiers: ['sedative_given'] });

  it('tightens the respiratory limits, says so in every change, and cites Q6 as an institutional default', () => {
    const { ruleSet, changes } = sedated();
    expect(changes.map((c) => c.text)).toEqual([
      'SpO2 low: limit 88 → 90 (benzodiazepine or opioid given)',
      'SpO2 below 92%: limit 92 → 94 (benzodiazepine or opioid given)',
      'Respiratory rate low: limit 10 → 12 (benzodiazepine or opioid given)',
      'Respiratory rate very low: limit 8 → 10 (benzodiazepine or opioid given)',
      'EtCO2 high: limit 50 → 45 (benzodiazepine or opioid given)',
      'Apnea: duration 20 s → 15 s (benzodiazepine or opioid given)',
    ]);
    expect(changes.every((c) => c.origin === 'modifier')).toBe(true);
    expect(find(ruleSet, 'rr.low.medium').source).toMatchObject({ institutionalDefault: true, section: expect.stringMatching(/benzodiazepine or opioid given: Q6: concomitantly administered medications may enhance certain effects \(eg, midazolam\)/) });
    expect(defaultRuleSet.modifiers?.sedative_given?.whenRescueClasses).toEqual(['benzodiazepine', 'opioid']);
  });

  it('the engine then alarms at the tighter limit', () => {
    const evs = [E.vitals(at(0), { rr: 11 }), E.tick(at(16))];
    expect(brief(run(only(configureRuleSet(defaultRuleSet).ruleSet, ['rr.low.medium']), evs).transitions)).toEqual([]);
    expect(brief(run(only(sedated().ruleSet, ['rr.low.medium']), evs).transitions)).toEqual(['fire:rr.low.medium@16']);
  });

  it('only tightens: a profile or physician limit already tighter stays, a looser one is tightened', () => {
    const elderly = sedated({ profile: 'elderly_comorbid' });
    // The profile already has SpO2 < 90: nothing more to tighten there.
    expect(elderly.changes.filter((c) => c.ruleId === 'spo2.low.high').map((c) => c.text)).toEqual(['SpO2 low: limit 88 → 90']);
    const tighter = sedated({ overrides: { 'rr.low.medium': { limit: 14 } } });
    expect(param(tighter.ruleSet, 'rr.low.medium', 'limit')).toBe(14);
    const looser = sedated({ overrides: { 'spo2.low.high': { limit: 85 } } });
    expect(param(looser.ruleSet, 'spo2.low.high', 'limit')).toBe(90);
    expect(looser.changes.filter((c) => c.ruleId === 'spo2.low.high').map((c) => `${c.origin}: ${c.text}`)).toEqual([
      'override: SpO2 low: limit 88 → 85',
      'modifier: SpO2 low: limit 85 → 90 (benzodiazepine or opioid given)',
    ]);
  });

  it('without the modifier in force, or in a rule set stored before it existed, nothing changes', () => {
    expect(configureRuleSet(defaultRuleSet).changes).toEqual([]);
    const { modifiers: _m, ...v3 } = defaultRuleSet;
    const stored = ruleSetSchema.parse(JSON.parse(JSON.stringify({ ...v3, version: 3 })));
    expect(configureRuleSet(stored, { modifiers: ['sedative_given'] }).changes).toEqual([]);
  });

  it('a modifier naming an unknown rule, or a limit on a rule without one, is refused', () => {
    const m = defaultRuleSet.modifiers!.sedative_given!;
    const bad = { ...defaultRuleSet, modifiers: { sedative_given: { ...m, overrides: { 'nope.rule': { limit: 1 }, 'tech.no_data': { limit: 3 } } } } };
    expect(ruleSetSchema.safeParse(bad).error?.issues.map((i) => i.message)).toEqual([
      'nope.rule: no such rule',
      'tech.no_data: limit cannot be set on a no_data rule',
      'tech.no_data: limit cannot be tightened on a no_data rule',
    ]);
  });
});
