import { describe, expect, it } from 'vitest';
import type { VitalsSample } from '../../vitals';
import { engineEvents as E, type EngineEvent } from '../context';
import { defaultRuleSet } from '../index';
import { at, brief, only, run, ruleSet } from '../testkit';

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

describe('no_data', () => {
  const noData = only(defaultRuleSet, ['tech.no_data']);
  const feed = (from: number, to: number) => frames(from, to, () => ({ hr: 70 }));

  it.each<[string, EngineEvent[], string[]]>([
    ['fires after 30 s without a frame (ticks)', [...feed(0, 10), ...ticks(11, 45)], ['fire:tech.no_data@40']],
    ['clears only after data has been back for 10 s', [...feed(0, 10), ...ticks(11, 49), ...feed(50, 65)], ['fire:tech.no_data@40', 'clear:tech.no_data@60']],
    ['a single frame does not clear it', [...feed(0, 10), ...ticks(11, 49), ...feed(50, 50), ...ticks(51, 80)], ['fire:tech.no_data@40']],
    ['data that comes and goes inside the debounce gives one fire', [...feed(0, 0), ...ticks(1, 35), ...feed(36, 40), ...ticks(41, 80), ...feed(81, 95)], ['fire:tech.no_data@30', 'clear:tech.no_data@91']],
    ['a session that never sends data fires 30 s after its first event', ticks(0, 31), ['fire:tech.no_data@30']],
    ['steady data never fires', feed(0, 120), []],
  ])('%s', (_n, evs, expected) => {
    expect(brief(run(noData, evs).transitions)).toEqual(expected);
  });

  it('says for how long', () => {
    const r = run(noData, [...feed(0, 0), ...ticks(1, 30)]);
    expect(r.transitions[0]).toMatchObject({ message: 'No data for 30 s', value: 30, limit: 30 });
  });
});
