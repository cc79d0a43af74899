import { describe, expect, it } from 'vitest';
import type { CareSetting, InfusionState } from '../../sessions';
import { engineEvents as E, type ContextPatch, type EngineEvent } from '../context';
import { applyOverrides, defaultRuleSet } from '../index';
import { MIN, T0, at, brief, ctxAt, only, run } from '../testkit';

const ticksEvery = (fromS: number, toS: number, stepS: number) => {
  const out: EngineEvent[] = [];
  for (let s = fromS; s <= toS; s += stepS) out.push(E.tick(at(s)));
  return out;
};
const running = (rateMgKgH = 1, x: Partial<InfusionState> = {}): Partial<InfusionState> => ({ status: 'running', rateMgKgH, asOf: T0, ...x });

describe('observation_due: sedation score every 15 min', () => {
  const rs = only(defaultRuleSet, ['obs.sedation.due']);
  const lastAt = (s: number) => ({ sedation: { t: at(s), scale: 'RASS' as const, score: 0 } });

  it('fires when the last score is more than 15 min old, with how late it is', () => {
    const r = run(rs, ticksEvery(0, 20 * 60, 1), ctxAt({ infusion: running(), lastObservation: lastAt(0) }));
    expect(brief(r.transitions)).toEqual(['fire:obs.sedation.due@901']);
    expect(r.transitions[0]).toMatchObject({ message: 'Sedation score overdue: last 15 min ago (every 15 min)', value: 901, limit: 900 });
  });

  it('with a grace delay the message says how late ("last 17 min ago")', () => {
    const graced = applyOverrides(rs, { 'obs.sedation.due': { forMs: 2 * MIN } }).ruleSet;
    const r = run(graced, ticksEvery(0, 20 * 60, 1), ctxAt({ infusion: running(), lastObservation: lastAt(0) }));
    expect(r.transitions[0]?.message).toBe('Sedation score overdue: last 17 min ago (every 15 min)');
  });

  it('clears when a score is recorded (the observation event and the context both carry it)', () => {
    const evs = [...ticksEvery(0, 960, 60), E.observation(at(970), 'MOAAS', 4), E.tick(at(980))];
    const ctx = (ev: EngineEvent) => ctxAt({ infusion: running(), lastObservation: ev.t >= at(970) ? { sedation: { t: at(970), scale: 'MOAAS', score: 4 } } : lastAt(0) });
    expect(brief(run(rs, evs, ctx).transitions)).toEqual(['fire:obs.sedation.due@960', 'clear:obs.sedation.due@970']);
  });

  it('a pain score is not a sedation score', () => {
    const evs = [...ticksEvery(0, 960, 60), E.observation(at(970), 'NRS_PAIN', 3), E.tick(at(980))];
    const ctx = (ev: EngineEvent) => ctxAt({ infusion: running(), lastObservation: { ...lastAt(0), pain: ev.t >= at(970) ? { t: at(970), score: 3 } : null } });
    expect(brief(run(rs, evs, ctx).transitions)).toEqual(['fire:obs.sedation.due@960']);
  });

  it.each<[InfusionState['status'], string[]]>([
    ['not_started', []],
    ['running', ['fire:obs.sedation.due@960']],
    ['paused', ['fire:obs.sedation.due@960']],
    ['stopped', []],
  ])('applies while the infusion is running or paused (%s)', (status, expected) => {
    const r = run(rs, ticksEvery(0, 1200, 60), ctxAt({ infusion: { status }, lastObservation: lastAt(0) }));
    expect(brief(r.transitions)).toEqual(expected);
  });

  it('with no score at all, counts from the session start and says so; stopping the infusion clears it', () => {
    const evs = ticksEvery(0, 1500, 60);
    const ctx = (ev: EngineEvent) => ctxAt({ infusion: { status: ev.t < at(1200) ? 'running' : 'stopped' } });
    const r = run(rs, evs, ctx);
    expect(brief(r.transitions)).toEqual(['fire:obs.sedation.due@960', 'clear:obs.sedation.due@1200']);
    expect(r.transitions[0]?.message).toBe('Sedation score overdue: none recorded, session started 16 min ago (every 15 min)');
  });
});

describe('observation_due: NIBP every 5 min', () => {
  const rs = only(defaultRuleSet, ['obs.nibp.due']);
  it('fires when no systolic reading for more than 5 min, clears on the next one', () => {
    const evs = [E.vitals(at(0), { sbp: 120, hr: 70 }), ...Array.from({ length: 330 }, (_, i) => E.vitals(at(i + 1), { hr: 70 })), E.vitals(at(331), { sbp: 125 })];
    const r = run(rs, evs, ctxAt({ infusion: running() }));
    expect(brief(r.transitions)).toEqual(['fire:obs.nibp.due@301', 'clear:obs.nibp.due@331']);
    expect(r.transitions[0]?.message).toBe('NIBP overdue: last 5 min ago (every 5 min)');
  });

  it('uses the context\'s last NIBP time as well (e.g. after a restart)', () => {
    const r = run(rs, ticksEvery(100, 400, 1), ctxAt({ infusion: running(), lastNibpAt: at(90) }));
    expect(brief(r.transitions)).toEqual(['fire:obs.nibp.due@391']);
  });

  it('a null (failed) measurement is not a measurement', () => {
    const evs = [E.vitals(at(0), { sbp: 120 }), E.vitals(at(200), { sbp: null }), ...ticksEvery(201, 310, 1)];
    expect(brief(run(rs, evs, ctxAt({ infusion: running() })).transitions)).toEqual(['fire:obs.nibp.due@301']);
  });
});

describe('dose guardrails', () => {
  const rs = only(defaultRuleSet, ['dose.bolus.clinic', 'dose.bolus.high', 'dose.rate.clinic', 'dose.rate.non_icu', 'dose.rate.max', 'dose.cumulative']);
  const fired = (setting: CareSetting, patch: ContextPatch, evs: EngineEvent[]) =>
    run(rs, evs, ctxAt({ ...patch, session: { setting, weightKg: 70 } })).transitions.filter((t) => t.type === 'fire').map((t) => t.rule.id);

  it.each<[CareSetting, number, string[]]>([
    ['clinic', 28, ['dose.bolus.clinic']], // 0.40 mg/kg
    ['clinic', 24.5, ['dose.bolus.clinic']], // exactly 0.35 mg/kg: ">= 0.35"
    ['clinic', 24, []], // 0.34 mg/kg
    ['monitored_unit', 28, ['dose.bolus.high']],
    ['icu', 28, ['dose.bolus.high']],
    ['icu', 20, []],
  ])('bolus in %s of %s mg (70 kg)', (setting, doseMg, expected) => {
    expect(fired(setting, { infusion: running(0.5) }, [E.infusion(at(0), 'bolus', { doseMg })])).toEqual(expected);
  });

  it('the bolus alarm shows dose against limit, fires on the bolus and clears at the next event (the server latches it)', () => {
    const r = run(rs, [E.infusion(at(0), 'bolus', { doseMg: 28 }), E.tick(at(1))], ctxAt({ session: { setting: 'clinic', weightKg: 70 } }));
    expect(brief(r.transitions)).toEqual(['fire:dose.bolus.clinic@0', 'clear:dose.bolus.clinic@1']);
    expect(r.transitions[0]).toMatchObject({ message: 'Bolus 0.40 mg/kg ≥ 0.35 mg/kg in a clinic', limit: 0.35 });
    expect(r.transitions[0]?.rule).toMatchObject({ priority: 'high', latching: true });
  });

  it.each<[CareSetting, number, string[]]>([
    ['clinic', 1, []],
    ['clinic', 1.5, ['dose.rate.clinic']],
    ['clinic', 2.5, ['dose.rate.clinic', 'dose.rate.non_icu']],
    ['monitored_unit', 1.5, []],
    ['monitored_unit', 2, []],
    ['monitored_unit', 2.5, ['dose.rate.non_icu']],
    ['monitored_unit', 8, ['dose.rate.non_icu', 'dose.rate.max']],
    ['icu', 2.5, []],
    ['icu', 7, []],
    ['icu', 7.5, ['dose.rate.max']],
  ])('infusion rate in %s at %s mg/kg/h', (setting, rate, expected) => {
    expect(fired(setting, { infusion: running(rate) }, [E.infusion(at(0), 'start', { rateMgKgH: rate })])).toEqual(expected);
  });

  it('a rate guardrail clears when the rate is lowered, and does not apply while paused', () => {
    const evs = [E.infusion(at(0), 'start', { rateMgKgH: 1.5 }), E.infusion(at(60), 'rate_change', { rateMgKgH: 0.8 }), E.infusion(at(120), 'rate_change', { rateMgKgH: 1.5 }), E.infusion(at(180), 'pause')];
    const inf = [running(1.5), running(0.8), running(1.5), running(1.5, { status: 'paused' })];
    const r = run(rs, evs, (_e, i) => ctxAt({ session: { setting: 'clinic' }, infusion: inf[i] }));
    expect(brief(r.transitions)).toEqual(['fire:dose.rate.clinic@0', 'clear:dose.rate.clinic@60', 'fire:dose.rate.clinic@120', 'clear:dose.rate.clinic@180']);
    expect(r.transitions[0]?.message).toBe('Infusion 1.50 mg/kg/h > 1 mg/kg/h in a clinic');
  });

  it('the cumulative dose is projected to the event time (2 mg/kg/h reaches 8 mg/kg at 4 h)', () => {
    const r = run(rs, ticksEvery(0, 4 * 3600 + 60, 60), ctxAt({ session: { setting: 'icu' }, infusion: running(2) }));
    expect(brief(r.transitions)).toEqual([`fire:dose.cumulative@${4 * 3600}`]);
    expect(r.transitions[0]?.message).toBe('Cumulative dose 8 mg/kg ≥ 8 mg/kg');
  });

  it('says which weight a per-kg figure is on when the site doses on ideal or adjusted body weight', () => {
    const bolus = (weightBasis?: 'actual' | 'ideal' | 'adjusted') =>
      run(rs, [E.infusion(at(0), 'bolus', { doseMg: 28 })], ctxAt({ session: { setting: 'clinic', weightKg: 70, ...(weightBasis ? { weightBasis } : {}) } })).transitions[0]?.message;
    expect(bolus()).toBe('Bolus 0.40 mg/kg ≥ 0.35 mg/kg in a clinic');
    expect(bolus('actual')).toBe('Bolus 0.40 mg/kg ≥ 0.35 mg/kg in a clinic');
    expect(bolus('ideal')).toBe('Bolus 0.40 mg/kg (ideal body weight) ≥ 0.35 mg/kg in a clinic');
    const cumulative = run(rs, [E.tick(at(0))], ctxAt({ session: { setting: 'icu', weightBasis: 'adjusted' }, infusion: { status: 'stopped', cumulativeMgPerKg: 8.2, cumulativeMg: 574 } }));
    expect(cumulative.transitions[0]?.message).toBe('Cumulative dose 8.20 mg/kg (adjusted body weight) ≥ 8 mg/kg');
  });

  it('the cumulative dose counts boluses already in the context', () => {
    const r = run(rs, [E.tick(at(0))], ctxAt({ session: { setting: 'icu' }, infusion: { status: 'stopped', cumulativeMgPerKg: 8.2, cumulativeMg: 574 } }));
    expect(brief(r.transitions)).toEqual(['fire:dose.cumulative@0']);
  });
});

describe('sedation', () => {
  const rs = only(defaultRuleSet, ['sedation.moderate', 'sedation.deep', 'sedation.agitation']);
  const score = (scale: 'RASS' | 'MOAAS' | 'RAMSAY', s: number) =>
    run(rs, [E.observation(at(0), scale, s)], ctxAt({ lastObservation: { sedation: { t: at(0), scale, score: s } } })).transitions.map((t) => t.rule.id);

  /**
   * The same depth fires the same rules on every scale, by the scales' definitions: responds readily
   * to a normal voice; responds to voice but not readily; no prompt response to a normal voice
   * (loud voice, glabellar tap); physical stimulation only; no response.
   */
  const LEVELS: [depth: string, rass: number[], moaas: number[], ramsay: number[], rules: string[]][] = [
    ['calm, responds readily', [0, -1], [5], [2], []],
    ['responds to voice, not readily', [-2], [4], [3], ['sedation.moderate']],
    ['no prompt response to a normal voice', [-3], [3], [4], ['sedation.moderate', 'sedation.deep']],
    ['physical stimulation only', [-4], [2, 1], [5], ['sedation.moderate', 'sedation.deep']],
    ['no response', [-5], [0], [6], ['sedation.moderate', 'sedation.deep']],
  ];
  it.each(LEVELS)('%s: RASS %j, MOAA/S %j, Ramsay %j', (_depth, rass, moaas, ramsay, rules) => {
    for (const s of rass) expect(score('RASS', s), `RASS ${s}`).toEqual(rules);
    for (const s of moaas) expect(score('MOAAS', s), `MOAA/S ${s}`).toEqual(rules);
    for (const s of ramsay) expect(score('RAMSAY', s), `Ramsay ${s}`).toEqual(rules);
  });

  it('moderate sedation is a medium step before the high deep-sedation alarm, each saying scale, score and limit', () => {
    const r = run(rs, [E.observation(at(0), 'MOAAS', 3)], ctxAt({ lastObservation: { sedation: { t: at(0), scale: 'MOAAS', score: 3 } } }));
    expect(r.transitions.map((t) => [t.rule.priority, t.message])).toEqual([
      ['medium', 'Moderate sedation: MOAA/S 3 ≤ 4'],
      ['high', 'Deep sedation: MOAA/S 3 ≤ 3'],
    ]);
  });

  it.each<[number, string[]]>([
    [2, []],
    [3, ['sedation.agitation']],
    [4, ['sedation.agitation']],
  ])('agitation at RASS +%s', (s, expected) => {
    expect(score('RASS', s)).toEqual(expected);
  });

  it('clears on a new score that no longer meets the criterion; a pain score changes nothing', () => {
    const evs = [E.observation(at(0), 'RASS', -4), E.observation(at(60), 'NRS_PAIN', 2), E.tick(at(61)), E.observation(at(300), 'RASS', -1)];
    const sed = (t: number, score: number) => ({ t: at(t), scale: 'RASS' as const, score });
    const ctxs = [sed(0, -4), sed(0, -4), sed(0, -4), sed(300, -1)];
    const r = run(rs, evs, (_e, i) => ctxAt({ lastObservation: { sedation: ctxs[i]! } }));
    expect(brief(r.transitions)).toEqual(['fire:sedation.moderate@0', 'fire:sedation.deep@0', 'clear:sedation.moderate@300', 'clear:sedation.deep@300']);
  });

  it('agitation lists the treatment of choice first (benzodiazepine, clonidine: Q2, "not antipsychotics"), haloperidol after them (Q7)', () => {
    const agitation = rs.rules.find((r) => r.id === 'sedation.agitation')!;
    expect(agitation.rescue).toEqual(['benzodiazepine', 'alpha2_agonist', 'haloperidol']);
    expect(agitation.source.section).toMatch(/^Q2 \(low-dose benzodiazepines or alpha-2 agonists, and not antipsychotics\); Q7 \(haloperidol/);
    expect(rs.rules.find((r) => r.id === 'sedation.deep')?.rescue).toEqual([]);
  });
});

describe('treatment count (guideline Q8: no more than 6 to 12 a year)', () => {
  const rs = only(defaultRuleSet, ['treatments.year.over6', 'treatments.year.over12']);
  it.each<[number, string[]]>([
    [1, []],
    [6, []],
    [7, ['fire:treatments.year.over6@0']],
    [12, ['fire:treatments.year.over6@0']],
    [13, ['fire:treatments.year.over6@0', 'fire:treatments.year.over12@0']],
  ])('%s treatments', (n, expected) => {
    const r = run(rs, [E.tick(at(0)), E.tick(at(1)), E.tick(at(2))], ctxAt({ treatmentsInLast12Months: n }));
    expect(brief(r.transitions)).toEqual(expected);
  });

  it('says how many against the limit', () => {
    const r = run(rs, [E.tick(at(0))], ctxAt({ treatmentsInLast12Months: 14 }));
    expect(r.transitions.map((t) => [t.rule.priority, t.message])).toEqual([
      ['medium', '14 treatments in 12 months > 6 (guideline: no more than 6 to 12 a year)'],
      ['high', '14 treatments in 12 months > 12 (guideline: no more than 6 to 12 a year)'],
    ]);
  });
});
