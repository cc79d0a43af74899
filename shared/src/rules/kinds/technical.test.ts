import { describe, expect, it } from 'vitest';
import type { VitalsSample } from '../../vitals';
import { engineEvents as E, type EngineEvent } from '../context';
import { defaultRuleSet } from '../index';
import { engineStateFromActive } from '../engine';
import { at, brief, ctxAt, only, run, ruleSet } from '../testkit';

const v = (s: number, values: Omit<VitalsSample, 't'>) => E.vitals(at(s), values);
const ticks = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => E.tick(at(from + i)));
const frames = (from: number, to: number, f: (s: number) => Omit<VitalsSample, 't'>) => Array.from({ length: to - from + 1 }, (_, i) => v(from + i, f(from + i)));

describe('technical: sensor off', () => {
  const off = ruleSet({
    id: 'off',
    kind: 'technical',
    check: 'sensor_off',
    category: 'technical',
    priority: 'low',
    fields: ['etco2', 'rr'],
    forMs: 10_000,
    clearForMs: 5_000,
    message: '{labels} sensor off: no valid value',
  });

  it.each<[string, EngineEvent[], string[]]>([
    ['fires after its debounce and clears after its own', [...frames(0, 14, () => ({ etco2: null, rr: 12 })), ...frames(15, 25, () => ({ etco2: 35, rr: 12 }))], ['fire:off@10', 'clear:off@20']],
    ['a null shorter than the debounce does not fire', [...frames(0, 8, () => ({ etco2: null })), ...frames(9, 20, () => ({ etco2: 35 }))], []],
    ['flapping valid/null while firing does not clear', [...frames(0, 10, () => ({ rr: null })), ...frames(11, 30, (s) => ({ rr: s % 3 ? 12 : null }))], ['fire:off@10']],
    ['frames without the field leave it as it was', [v(0, { etco2: null }), ...frames(1, 12, () => ({ hr: 70 }))], ['fire:off@10']],
    ['ticks carry the debounce when frames stop', [v(0, { rr: null }), ...ticks(1, 12)], ['fire:off@10']],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(off, evs).transitions)).toEqual(expected);
  });

  it('with absentMs, frames that keep coming without a field after its last reading count as off; a reading clears it', () => {
    const absent = ruleSet({ id: 'off', kind: 'technical', check: 'sensor_off', category: 'technical', fields: ['spo2'], absentMs: 5_000, forMs: 10_000, clearForMs: 5_000 });
    const evs = [...frames(0, 40, (s) => (s <= 10 ? { spo2: 97, hr: 70 } : { hr: 70 })), ...frames(41, 50, () => ({ spo2: 97 }))];
    expect(brief(run(absent, evs).transitions)).toEqual(['fire:off@26', 'clear:off@46']);
    // Never reported: not flagged (nothing to say it went off); a silent monitor: the no-data alarm's.
    expect(run(absent, frames(0, 60, () => ({ hr: 70 }))).transitions).toEqual([]);
    expect(run(absent, [v(0, { spo2: 97 }), ...ticks(1, 60)]).transitions).toEqual([]);
  });

  it('names the fields that are off, and is a technical alarm', () => {
    const r = run(off, frames(0, 10, () => ({ etco2: null, rr: 14 })));
    expect(r.transitions[0]).toMatchObject({ message: 'EtCO2 sensor off: no valid value', value: null, limit: null });
    expect(r.transitions[0]?.rule.category).toBe('technical');
  });
});

describe('technical: implausible jump (artifact)', () => {
  const rs = only(defaultRuleSet, ['tech.hr.artifact', 'hr.high.high']);

  it('an HR jump of more than 60/min in 1 s is a technical alarm, not a clinical one', () => {
    const r = run(rs, [v(0, { hr: 80 }), v(1, { hr: 160 }), v(2, { hr: 80 })]);
    expect(brief(r.transitions)).toEqual(['fire:tech.hr.artifact@1']);
    expect(r.transitions[0]).toMatchObject({ message: 'HR artifact: 80 → 160 in 1 s (max change 60)', value: 80, limit: 60 });
  });

  it('a change that persists is accepted on the next reading (the clinical alarm then fires)', () => {
    const r = run(rs, [v(0, { hr: 80 }), v(1, { hr: 160 }), v(2, { hr: 160 })]);
    expect(brief(r.transitions)).toEqual(['fire:tech.hr.artifact@1', 'fire:hr.high.high@2']);
  });

  it('clears after 10 s of plausible readings', () => {
    const r = run(rs, [v(0, { hr: 80 }), v(1, { hr: 150 }), ...frames(2, 15, () => ({ hr: 150 }))]);
    expect(brief(r.transitions)).toEqual(['fire:tech.hr.artifact@1', 'clear:tech.hr.artifact@12']);
  });

  it('a large change between readings more than 2 s apart is not an artifact', () => {
    const r = run(rs, [v(0, { hr: 80 }), v(5, { hr: 155 })]);
    expect(brief(r.transitions)).toEqual(['fire:hr.high.high@5']);
  });

  it('a jump within 60/min is plausible', () => {
    expect(run(rs, [v(0, { hr: 80 }), v(1, { hr: 140 })]).transitions).toEqual([]);
  });
});

describe('technical: signal absent (no respiratory signal)', () => {
  const absent = ruleSet({
    id: 'resp',
    kind: 'technical',
    check: 'signal_absent',
    category: 'technical',
    fields: ['rr', 'etco2'],
    absentMs: 20_000,
    clearForMs: 5_000,
    message: 'No {labels} for {value} s',
  });

  it.each<[string, EngineEvent[], string[]]>([
    ['frames without either field fire after absentMs, and it clears after its own debounce', [v(0, { rr: 14 }), ...frames(1, 30, () => ({ hr: 70 })), ...frames(31, 40, () => ({ etco2: 38 }))], ['fire:resp@20', 'clear:resp@36']],
    ['null readings count as absent', frames(0, 25, (s) => (s === 0 ? { rr: 14 } : { rr: null, etco2: null })), ['fire:resp@20']],
    ['one of the fields is enough (RR without capnography)', frames(0, 60, () => ({ rr: 14, hr: 70 })), []],
    ['a silent monitor is the no-data alarm\'s business', [v(0, { rr: 14 }), ...ticks(1, 60)], []],
    ['a monitor without the fields from its first frame fires absentMs after it', frames(5, 30, () => ({ hr: 70 })), ['fire:resp@25']],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(absent, evs).transitions)).toEqual(expected);
  });

  it('says which signal is missing and for how long', () => {
    expect(run(absent, frames(0, 20, () => ({ hr: 70 }))).transitions[0]).toMatchObject({ message: 'No RR, EtCO2 for 20 s', value: 20, limit: 20 });
  });
});

describe('no_data', () => {
  const noData = only(defaultRuleSet, ['tech.no_data']);
  const feed = (from: number, to: number) => frames(from, to, () => ({ hr: 70 }));

  it.each<[string, EngineEvent[], string[]]>([
    ['fires after 30 s without a frame (ticks)', [...feed(0, 10), ...ticks(11, 45)], ['fire:tech.no_data@40']],
    ['clears only after data has been back for 10 s', [...feed(0, 10), ...ticks(11, 49), ...feed(50, 65)], ['fire:tech.no_data@40', 'clear:tech.no_data@60']],
    ['a single frame does not clear it', [...feed(0, 10), ...ticks(11, 49), ...feed(50, 50), ...ticks(51, 80)], ['fire:tech.no_data@40']],
    ['data that comes and goes inside the debounce gives one fire', [...feed(0, 0), ...ticks(1, 35), ...feed(36, 40), ...ticks(41, 80), ...feed(81, 95)], ['fire:tech.no_data@30', 'clear:tech.no_data@91']],
    ['before the infusion starts, a monitor that has not sent yet is not an alarm', ticks(0, 120), []],
    ['steady data never fires', feed(0, 120), []],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(noData, evs).transitions)).toEqual(expected);
  });

  it('while an infusion runs, a monitor that never sends is an alarm 30 s after the start (not after the first event)', () => {
    // A score at 0 s, the start at 100 s, then only ticks: no frame ever.
    const evs = [E.observation(at(0), 'RASS', 0), ...ticks(1, 99), E.infusion(at(100), 'start', { rateMgKgH: 1.5 }), ...ticks(101, 140)];
    const r = run(noData, evs, (ev) => ctxAt({ infusion: { status: ev.t >= at(100) ? 'running' : 'not_started', rateMgKgH: ev.t >= at(100) ? 1.5 : 0 } }));
    expect(brief(r.transitions)).toEqual(['fire:tech.no_data@130']);
    expect(r.transitions[0]).toMatchObject({ message: 'No data for 30 s', value: 30 });
  });

  it('after a restart, the no-data clock starts at the restart', () => {
    expect(brief(run(noData, ticks(101, 140), ctxAt(), engineStateFromActive([], at(100))).transitions)).toEqual(['fire:tech.no_data@130']);
  });

  it('says for how long', () => {
    const r = run(noData, [...feed(0, 0), ...ticks(1, 30)]);
    expect(r.transitions[0]).toMatchObject({ message: 'No data for 30 s', value: 30, limit: 30 });
  });
});
