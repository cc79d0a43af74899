import { describe, expect, it } from 'vitest';
import type { VitalsSample } from '../../vitals';
import { engineEvents as E, type EngineEvent } from '../context';
import { engineStateFromActive } from '../engine';
import { defaultRuleSet } from '../index';
import { applyOverrides } from '../overrides';
import { ruleSetSchema, type Rule } from '../schema';
import { T0, at, brief, ctxAt, only, run, ruleSet } from '../testkit';
import { ruleStateOf } from '../state';
import { TREND_BUCKETS, pushTrend } from './vitals';

const v = (s: number, values: Omit<VitalsSample, 't'>) => E.vitals(at(s), values);
const ticks = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => E.tick(at(from + i)));
/** One vitals frame per second from `from` to `to` with values from f(second). */
const frames = (from: number, to: number, f: (s: number) => Omit<VitalsSample, 't'>) => Array.from({ length: to - from + 1 }, (_, i) => v(from + i, f(from + i)));

const spo2Low = ruleSet({ id: 'spo2', kind: 'threshold', field: 'spo2', op: '<', limit: 88, forMs: 10_000, hysteresis: 2, message: '{label} {value} {op} {limit}' });
const sbpHigh = ruleSet({ id: 'sbp', kind: 'threshold', field: 'sbp', op: '>', limit: 180, forMs: 0, hysteresis: 5 });

describe('threshold', () => {
  it.each<[string, EngineEvent[], string[]]>([
    ['a tick completes a delay that started on data', [v(0, { spo2: 86 }), ...ticks(1, 12)], ['fire:spo2@10']],
    ['a null reading holds: ticks do not complete the delay on an invalid value', [v(0, { spo2: 86 }), v(1, { spo2: null }), ...ticks(2, 20)], []],
    ['a valid breaching value after a null resumes the same delay', [v(0, { spo2: 86 }), v(1, { spo2: null }), ...ticks(2, 12), v(13, { spo2: 86 })], ['fire:spo2@13']],
    ['a value inside the band restarts the delay', [v(0, { spo2: 86 }), v(3, { spo2: 89 }), ...frames(4, 14, () => ({ spo2: 86 }))], ['fire:spo2@14']],
    ['a frame without the field changes nothing', [v(0, { spo2: 86 }), v(5, { hr: 70 }), v(10, { hr: 70 })], ['fire:spo2@10']],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(spo2Low, evs).transitions)).toEqual(expected);
  });

  it('oscillation inside the hysteresis band gives one fire (no flapping)', () => {
    const values = [181, 178, 182, 177, 183, 176, 181, 175];
    const r = run(sbpHigh, values.map((x, i) => v(i * 60, { sbp: x })));
    expect(brief(r.transitions)).toEqual(['fire:sbp@0', 'clear:sbp@420']);
  });

  it('a value exactly at the limit does not fire; hysteresis 0 clears at the limit', () => {
    const rs = ruleSet({ id: 'hr', kind: 'threshold', field: 'hr', op: '>', limit: 120, forMs: 0, hysteresis: 0 });
    expect(brief(run(rs, [v(0, { hr: 120 }), v(1, { hr: 121 }), v(2, { hr: 120 })]).transitions)).toEqual(['fire:hr@1', 'clear:hr@2']);
  });
});

describe('baseline_change', () => {
  const rise = ruleSet({
    id: 'bp',
    kind: 'baseline_change',
    field: 'sbp',
    direction: 'rise',
    percent: 20,
    hysteresis: 5,
    message: '{label} {value} is {change} {dir} baseline {baseline} (limit {limit})',
  });
  const withBaseline = ctxAt({ baseline: { sbp: 122 } });

  it('fires at +20% over the baseline and says so against the limit', () => {
    const r = run(rise, [v(0, { sbp: 146 }), v(60, { sbp: 152 })], withBaseline);
    expect(brief(r.transitions)).toEqual(['fire:bp@60']);
    expect(r.transitions[0]).toMatchObject({ value: 152, message: 'SBP 152 is +24% over baseline 122 (limit +20%)' });
    expect(r.transitions[0]?.limit).toBeCloseTo(146.4, 9);
  });

  it('is inactive while the baseline is missing (null, or without the field), and starts once it exists', () => {
    const evs = [v(0, { sbp: 200 }), v(60, { sbp: 200 }), v(120, { sbp: 200 })];
    const ctxs = [ctxAt({ baseline: null }), ctxAt({ baseline: { hr: 70 } }), withBaseline];
    expect(brief(run(rise, evs, (_e, i) => ctxs[i]!).transitions)).toEqual(['fire:bp@120']);
  });

  it('clears only once the rise is back under 15% (20% minus the 5-point band)', () => {
    // 122 +15% = 140.3: 141 stays in the band, 140 clears.
    const r = run(rise, [v(0, { sbp: 150 }), v(60, { sbp: 145 }), v(120, { sbp: 141 }), v(180, { sbp: 140 })], withBaseline);
    expect(brief(r.transitions)).toEqual(['fire:bp@0', 'clear:bp@180']);
  });

  it('measures a fall in absolute units', () => {
    const rs = ruleSet({ id: 'hrfall', kind: 'baseline_change', field: 'hr', direction: 'fall', absolute: 20, hysteresis: 5, message: '{label} {value} is {change} {dir} baseline {baseline} (limit {limit})' });
    const r = run(rs, [v(0, { hr: 61 }), v(1, { hr: 60 }), v(2, { hr: 64 }), v(3, { hr: 66 })], ctxAt({ baseline: { hr: 80 } }));
    expect(brief(r.transitions)).toEqual(['fire:hrfall@1', 'clear:hrfall@3']);
    expect(r.transitions[0]?.message).toBe('HR 60 is -20 /min under baseline 80 (limit -20 /min)');
  });

  it('honours its delay', () => {
    const rs = ruleSet({ id: 'bp', kind: 'baseline_change', field: 'sbp', direction: 'rise', percent: 20, hysteresis: 5, forMs: 30_000 });
    expect(brief(run(rs, [v(0, { sbp: 160 }), ...ticks(1, 40)], withBaseline).transitions)).toEqual(['fire:bp@30']);
  });

  it('refuses both or neither of percent and absolute, and a band as wide as the change', () => {
    const base = { id: 'x', kind: 'baseline_change', field: 'sbp', direction: 'rise', hysteresis: 1 };
    expect(() => ruleSet({ ...base, percent: 20, absolute: 10 })).toThrow(/exactly one/);
    expect(() => ruleSet(base)).toThrow(/exactly one/);
    expect(() => ruleSet({ ...base, percent: 5, hysteresis: 5 })).toThrow(/smaller/);
  });
});

describe('rate_of_change', () => {
  const falling = ruleSet({
    id: 'fall',
    kind: 'rate_of_change',
    field: 'spo2',
    direction: 'fall',
    delta: 4,
    windowMs: 60_000,
    hysteresis: 1,
    // The trend mechanics without a confirmation time (confirmation: its own tests below).
    confirmMs: 0,
    message: '{label} {verb} {change} in {window} ({from} → {value}; limit {limit})',
  });

  it('fires when SpO2 falls 4 points within 60 s', () => {
    const r = run(falling, frames(0, 30, (s) => ({ spo2: s < 20 ? 98 : 94 })));
    expect(brief(r.transitions)).toEqual(['fire:fall@20']);
    expect(r.transitions[0]).toMatchObject({ value: 4, limit: 4, message: 'SpO2 fell 4 in 60 s (98 → 94; limit 4)' });
  });

  it('does not fire on a slow fall (1 point per 20 s)', () => {
    const r = run(falling, [0, 20, 40, 60, 80, 100].map((s, i) => v(s, { spo2: 98 - i })));
    expect(r.transitions).toEqual([]);
  });

  it('clears once the high reading has left the window (window plus at most one bucket) ', () => {
    const r = run(falling, frames(0, 80, (s) => ({ spo2: s < 10 ? 98 : 94 })));
    // Last 98 at 9 s (bucket 4 of 2 s); it leaves the window at 70 s.
    expect(brief(r.transitions)).toEqual(['fire:fall@10', 'clear:fall@70']);
  });

  it('ignores null readings (not a fall to zero)', () => {
    const r = run(falling, [v(0, { spo2: 98 }), v(1, { spo2: null }), v(2, { spo2: 97 })]);
    expect(r.transitions).toEqual([]);
  });

  it('watches a rise as well', () => {
    const rs = ruleSet({ id: 'rise', kind: 'rate_of_change', field: 'etco2', direction: 'rise', delta: 10, windowMs: 120_000, hysteresis: 2, confirmMs: 0 });
    expect(brief(run(rs, [v(0, { etco2: 38 }), v(60, { etco2: 44 }), v(90, { etco2: 48 })]).transitions)).toEqual(['fire:rise@90']);
  });

  it('keeps a bounded history whatever the sample rate', () => {
    let h = null as ReturnType<typeof pushTrend> | null;
    for (let i = 0; i < 20_000; i++) h = pushTrend(h, T0 + i * 7, 90 + (i % 5), 60_000, 'fall');
    expect(h!.length).toBeLessThanOrEqual(TREND_BUCKETS + 2);
    const { state } = run(falling, frames(0, 600, () => ({ spo2: 97 })));
    expect((ruleStateOf(state, 'fall')?.d as unknown[]).length).toBeLessThanOrEqual(TREND_BUCKETS + 2);
  });
});

describe('combination (hypoventilation: SpO2 falling and (EtCO2 > 50 or RR < 10))', () => {
  const hypo = ruleSet({
    id: 'hypo',
    kind: 'combination',
    all: [{ type: 'trend', field: 'spo2', direction: 'fall', delta: 3, windowMs: 120_000, hysteresis: 1, confirmMs: 0 }],
    any: [
      { type: 'threshold', field: 'etco2', op: '>', limit: 50, hysteresis: 3 },
      { type: 'threshold', field: 'rr', op: '<', limit: 10, hysteresis: 2 },
    ],
    maxAgeMs: 15_000,
    message: 'Hypoventilation: {conditions}',
  });
  const fallThen = (x: Omit<VitalsSample, 't' | 'spo2'>) => frames(0, 40, (s) => ({ spo2: s < 30 ? 97 : 94, ...x }));

  it.each<[string, EngineEvent[], string[]]>([
    ['SpO2 falling with RR < 10', fallThen({ rr: 8, etco2: 40 }), ['fire:hypo@30']],
    ['SpO2 falling with EtCO2 > 50', fallThen({ rr: 14, etco2: 55 }), ['fire:hypo@30']],
    ['SpO2 falling alone', fallThen({ rr: 14, etco2: 40 }), []],
    ['RR < 10 without a fall', frames(0, 40, () => ({ spo2: 97, rr: 8 })), []],
    ['an RR older than maxAgeMs does not count', [v(0, { rr: 8 }), ...frames(1, 40, (s) => ({ spo2: s < 30 ? 97 : 94 }))], []],
    ['a null RR does not count', fallThen({ rr: null }), []],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(hypo, evs).transitions)).toEqual(expected);
  });

  it('names the conditions that hold, and clears when RR is back past its band', () => {
    const r = run(hypo, [...fallThen({ rr: 8, etco2: 40 }), v(41, { spo2: 94, rr: 11 }), v(42, { spo2: 94, rr: 12 })]);
    expect(brief(r.transitions)).toEqual(['fire:hypo@30', 'clear:hypo@42']);
    expect(r.transitions[0]?.message).toBe('Hypoventilation: SpO2 fell 3 in 2 min (to 94) and RR 8 < 10');
  });

  it('refuses a combination without conditions', () => {
    expect(() => ruleSet({ id: 'c', kind: 'combination', maxAgeMs: 10_000 })).toThrow(/at least one condition/);
  });
});

describe('no_breath (apnea)', () => {
  const apnea = ruleSet({ id: 'apnea', kind: 'no_breath', durationMs: 20_000, minEtco2: 5, maxFrameGapMs: 10_000, priority: 'high', message: 'No breath for {value} s (limit {limit} s)' });

  it.each<[string, EngineEvent[], string[]]>([
    ['RR 0 for 20 s', frames(0, 40, (s) => ({ rr: s < 10 ? 12 : 0, etco2: 30 })), ['fire:apnea@29']],
    ['frames without RR or EtCO2 after respiratory data (no capnography): no apnea from missing values', frames(0, 60, (s) => (s === 0 ? { rr: 12 } : { hr: 70 })), []],
    ['a silent monitor (ticks only) is the no-data alarm\'s business, not apnea', [v(0, { rr: 12 }), ...ticks(1, 40)], []],
    ['frames that resume inside the frame gap still count the time without breath', [v(0, { rr: 12 }), ...ticks(1, 9), ...frames(10, 25, () => ({ rr: 0 }))], ['fire:apnea@20']],
    ['null RR and EtCO2 (line off) are not apnea', frames(0, 60, (s) => (s === 0 ? { rr: 12 } : { rr: null, etco2: null })), []],
    ['an EtCO2 flat line (0) is apnea', frames(0, 25, (s) => ({ etco2: s === 0 ? 35 : 0 })), ['fire:apnea@20']],
    ['readings resuming after a gap: the time without readings does not count', [v(0, { rr: 12 }), ...frames(1, 40, () => ({ hr: 70 })), ...frames(41, 70, () => ({ rr: 0 }))], ['fire:apnea@61']],
    ['no breath on both sides of a gap: the count goes on', [...frames(0, 5, () => ({ rr: 0 })), ...frames(6, 30, () => ({ hr: 70 })), v(31, { rr: 0 })], ['fire:apnea@31']],
    ['a monitor that reports RR only every 15 s still raises apnea', [v(0, { rr: 12 }), v(15, { rr: 0 }), v(30, { rr: 0 }), v(45, { rr: 0 })], ['fire:apnea@45']],
    ['never any respiratory data: nothing to judge', [v(0, { hr: 70 }), ...ticks(1, 60)], []],
    ['an EtCO2 value counts as a breath when RR is not sent', frames(0, 40, () => ({ etco2: 35 })), []],
    ['an EtCO2 under minEtco2 is not a breath', frames(0, 25, () => ({ etco2: 2 })), ['fire:apnea@20']],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(apnea, evs).transitions)).toEqual(expected);
  });

  it('says how long, and clears on the next breath', () => {
    const r = run(apnea, [v(0, { rr: 12 }), ...frames(1, 21, () => ({ rr: 0 })), v(22, { rr: 6 })]);
    expect(brief(r.transitions)).toEqual(['fire:apnea@20', 'clear:apnea@22']);
    expect(r.transitions[0]).toMatchObject({ message: 'No breath for 20 s (limit 20 s)', value: 20, limit: 20 });
  });

  it('a raised apnea alarm stays raised while the monitor is silent, and clears on a breath', () => {
    const r = run(apnea, [v(0, { rr: 12 }), ...frames(1, 25, () => ({ rr: 0 })), ...ticks(26, 60), v(61, { rr: 10 })]);
    expect(brief(r.transitions)).toEqual(['fire:apnea@20', 'clear:apnea@61']);
  });

  it('a raised apnea alarm stays raised when readings of no breath resume after a gap, or after a restart', () => {
    const r = run(apnea, [v(0, { rr: 12 }), ...frames(1, 25, () => ({ rr: 0 })), ...frames(26, 60, () => ({ hr: 70 })), ...frames(61, 64, () => ({ rr: 0 })), v(65, { rr: 10 })]);
    expect(brief(r.transitions)).toEqual(['fire:apnea@20', 'clear:apnea@65']);
    const restarted = run(apnea, [v(101, { rr: 0 }), v(102, { rr: 0 }), v(103, { rr: 9 })], ctxAt(), engineStateFromActive([{ ruleId: 'apnea', since: at(90) }], at(100)));
    expect(brief(restarted.transitions)).toEqual(['clear:apnea@103']);
  });
});

describe('shipped respiratory rules: absent data is a technical alarm, never apnea', () => {
  const resp = only(defaultRuleSet, ['apnea', 'tech.resp.absent', 'tech.co2.off', 'rr.low.high']);

  it('frames without RR and EtCO2 raise the technical "no respiratory signal" alarm, not apnea', () => {
    const r = run(resp, frames(0, 120, (s) => (s === 0 ? { hr: 70, spo2: 98, rr: 14, etco2: 38 } : { hr: 70, spo2: 98 })));
    expect(brief(r.transitions)).toEqual(['fire:tech.resp.absent@20']);
    expect(r.transitions[0]).toMatchObject({ message: 'No RR, EtCO2 for 20 s: apnea cannot be detected' });
    expect(r.transitions[0]?.rule).toMatchObject({ category: 'technical', priority: 'medium' });
  });

  it('a monitor without capnography from the first frame raises the technical alarm only', () => {
    expect(brief(run(resp, frames(0, 120, () => ({ hr: 70, spo2: 98 }))).transitions)).toEqual(['fire:tech.resp.absent@20']);
  });

  it('a capnography line that reports nulls raises the technical alarms only', () => {
    const r = run(resp, frames(0, 120, (s) => (s === 0 ? { rr: 14, etco2: 38 } : { rr: null, etco2: null })));
    expect(brief(r.transitions)).toEqual(['fire:tech.co2.off@11', 'fire:tech.resp.absent@20']);
  });

  it('RR 0 from real readings still raises apnea (and RR very low), with no technical alarm', () => {
    const r = run(resp, frames(0, 40, (s) => ({ rr: s < 5 ? 14 : 0, etco2: 38 })));
    expect(brief(r.transitions)).toEqual(['fire:rr.low.high@15', 'fire:apnea@24']);
  });
});

describe('absent signal: a delay does not complete on frames that keep coming without the field', () => {
  const spo2 = only(defaultRuleSet, ['spo2.low.high', 'spo2.low.medium', 'spo2.falling']);
  const oneLow = (s: number) => (s < 10 ? { hr: 70, spo2: 98 } : s === 10 ? { hr: 70, spo2: 86 } : { hr: 70 });

  it('one low SpO2 reading followed by frames without SpO2 (probe off, field omitted) raises no SpO2 alarm', () => {
    expect(run(spo2, frames(0, 90, oneLow)).transitions).toEqual([]);
  });

  it('the absent SpO2 is a technical alarm: SpO2 sensor off', () => {
    const r = run(only(defaultRuleSet, ['spo2.low.high', 'spo2.low.medium', 'spo2.falling', 'tech.spo2.off']), frames(0, 90, oneLow));
    expect(brief(r.transitions)).toEqual(['fire:tech.spo2.off@26']);
    expect(r.transitions[0]).toMatchObject({ message: 'SpO2 sensor off: no valid value' });
  });

  it('the delay goes on with the next reading: still low, the alarm fires on it', () => {
    const r = run(spo2, [...frames(0, 30, oneLow), v(31, { hr: 70, spo2: 86 })]);
    expect(brief(r.transitions)).toEqual(['fire:spo2.low.high@31', 'fire:spo2.low.medium@31', 'fire:spo2.falling@31']);
  });

  it('a raised alarm stays raised while the field is absent', () => {
    const r = run(spo2, [...frames(0, 20, (s) => ({ hr: 70, spo2: s < 5 ? 98 : 86 })), ...frames(21, 90, () => ({ hr: 70 }))]);
    expect(brief(r.transitions)).toEqual(['fire:spo2.low.high@15', 'fire:spo2.low.medium@20', 'fire:spo2.falling@20']);
  });

  it('a silent monitor is another matter: ticks complete a delay that started on its last frame\'s reading', () => {
    expect(brief(run(spo2, [...frames(0, 10, oneLow), ...ticks(11, 30)]).transitions)).toEqual(['fire:spo2.low.high@20', 'fire:spo2.low.medium@25', 'fire:spo2.falling@25']);
  });

  it('rules without absentAfterMs (intermittent NIBP) keep the last reading until the next', () => {
    const nibp = ruleSet({ id: 'sbp', kind: 'threshold', field: 'sbp', op: '>', limit: 180, forMs: 30_000, hysteresis: 5 });
    expect(brief(run(nibp, [v(0, { sbp: 190, hr: 70 }), ...frames(1, 40, () => ({ hr: 70 }))]).transitions)).toEqual(['fire:sbp@30']);
  });
});

describe('trend confirmation: a trend does not raise what a threshold delay ignores', () => {
  const spo2 = only(defaultRuleSet, ['spo2.low.high', 'spo2.low.medium', 'spo2.falling']);
  const hypo = only(defaultRuleSet, ['hypoventilation', 'rr.low.medium']);

  it('a 5-s SpO2 dip raises nothing: not the SpO2-low alarms (10 s delay) and not SpO2 falling', () => {
    expect(run(spo2, frames(0, 90, (s) => ({ spo2: s >= 20 && s < 25 ? 86 : 98 }))).transitions).toEqual([]);
  });

  it('a sustained fall still raises SpO2 falling, once it has held for its confirmation time', () => {
    const r = run(spo2, frames(0, 60, (s) => ({ spo2: s < 20 ? 98 : 93 })));
    expect(brief(r.transitions)).toEqual(['fire:spo2.falling@35']);
    expect(r.transitions[0]?.message).toBe('SpO2 fell 5 in 60 s (98 → 93; limit 4)');
  });

  it('hypoventilation is not raised by a 5-s dip with a single low RR, and is by a sustained one', () => {
    const dip = frames(0, 90, (s) => (s >= 20 && s < 25 ? { spo2: 94, rr: 9, etco2: 40 } : { spo2: 98, rr: 14, etco2: 40 }));
    expect(run(hypo, dip).transitions).toEqual([]);
    const sustained = frames(0, 60, (s) => (s >= 20 ? { spo2: 94, rr: 9, etco2: 40 } : { spo2: 98, rr: 14, etco2: 40 }));
    expect(brief(run(hypo, sustained).transitions)).toEqual(['fire:hypoventilation@35', 'fire:rr.low.medium@35']);
  });

  it('hypoventilation is not raised by a sustained SpO2 fall with RR < 10 for only 5 s (the RR-low delay is 15 s)', () => {
    const evs = frames(0, 90, (s) => ({ spo2: s < 20 ? 98 : 94, rr: s >= 30 && s < 35 ? 9 : 14, etco2: 40 }));
    expect(run(hypo, evs).transitions).toEqual([]);
  });

  it('the rule set refuses a trend rule that waits less than a threshold delay on what it watches, a combination\'s thresholds included', () => {
    expect(() => applyOverrides(defaultRuleSet, { 'rr.low.medium': { forMs: 20_000 } })).toThrow(
      "hypoventilation: waits 15 s on rr < 10, shorter than the 20 s delay of rr.low.medium; forMs or the trend condition's confirmMs must be at least 20000",
    );
    expect(() => applyOverrides(defaultRuleSet, { 'rr.low.medium': { forMs: 20_000 }, hypoventilation: { forMs: 20_000 } })).not.toThrow();
  });

  it('the rule set refuses a trend that waits less than a threshold delay on the same field and direction', () => {
    const edit = (id: string, patch: Record<string, unknown>) => ({ ...defaultRuleSet, rules: defaultRuleSet.rules.map((r) => (r.id === id ? { ...r, ...patch } : r)) });
    const short = ruleSetSchema.safeParse(edit('spo2.falling', { confirmMs: 5_000 }));
    const at = defaultRuleSet.rules.findIndex((r) => r.id === 'spo2.falling');
    expect(short.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      `rules.${at}.confirmMs: spo2.falling: waits 5 s on a spo2 fall, shorter than the 10 s delay of spo2.low.high; confirmMs must be at least 10000`,
      `rules.${at}.confirmMs: spo2.falling: waits 5 s on a spo2 fall, shorter than the 15 s delay of spo2.low.medium; confirmMs must be at least 15000`,
    ]);
    // A longer SpO2-low delay needs a longer confirmation too; a physician override is checked the same way.
    expect(() => applyOverrides(defaultRuleSet, { 'spo2.low.medium': { forMs: 20_000 } })).toThrow(/spo2\.falling: waits 15 s.*20 s delay of spo2\.low\.medium/);
    const longer = { 'spo2.low.medium': { forMs: 20_000 }, 'spo2.falling': { confirmMs: 20_000 } };
    expect(() => applyOverrides(defaultRuleSet, longer)).toThrow(/hypoventilation: waits 15 s.*forMs or the trend condition's confirmMs must be at least 20000/);
    expect(() => applyOverrides(defaultRuleSet, { ...longer, hypoventilation: { forMs: 20_000 } })).not.toThrow();
    expect(ruleSetSchema.safeParse(edit('spo2.falling', { confirmMs: 60_000 })).error?.issues[0]).toMatchObject({ path: ['rules', defaultRuleSet.rules.findIndex((r) => r.id === 'spo2.falling'), 'confirmMs'], message: 'confirmMs must be shorter than windowMs' });
  });

  it('rule sets stored before confirmMs existed load with a 15-s confirmation', () => {
    const rs = ruleSet({ id: 'fall', kind: 'rate_of_change', field: 'spo2', direction: 'fall', delta: 4, windowMs: 60_000, hysteresis: 1 });
    expect(rs.rules[0]).toMatchObject({ confirmMs: 15_000 });
  });

  it('a site\'s stored set with longer SpO2-low and RR-low delays still loads, its trends waiting as long as those delays', () => {
    const noConfirm = (r: Rule): unknown => {
      if (r.kind === 'rate_of_change') return { ...r, confirmMs: undefined };
      if (r.kind === 'combination') return { ...r, all: r.all?.map((c) => ({ ...c, confirmMs: undefined })) };
      return r.id === 'spo2.low.medium' ? { ...r, forMs: 20_000 } : r.id === 'rr.low.medium' ? { ...r, forMs: 25_000 } : r;
    };
    const stored = JSON.parse(JSON.stringify({ ...defaultRuleSet, rules: defaultRuleSet.rules.map(noConfirm) })) as unknown;
    const parsed = ruleSetSchema.safeParse(stored);
    expect(parsed.error?.issues).toBeUndefined();
    const byId = (id: string) => parsed.data!.rules.find((r) => r.id === id);
    expect(byId('spo2.falling')).toMatchObject({ confirmMs: 20_000 });
    // Hypoventilation also watches RR < 10: it waits as long as the RR-low rule.
    expect(byId('hypoventilation')).toMatchObject({ all: [{ field: 'spo2', confirmMs: 25_000 }] });
  });
});

describe('rule sets stored before maxFrameGapMs existed', () => {
  it('still load, with a 10 s frame gap', () => {
    const rs = ruleSet({ id: 'apnea', kind: 'no_breath', durationMs: 20_000, minEtco2: 5 });
    expect(rs.rules[0]).toMatchObject({ kind: 'no_breath', maxFrameGapMs: 10_000 });
  });
});
