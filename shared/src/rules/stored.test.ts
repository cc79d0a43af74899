import { describe, expect, it } from 'vitest';
import { engineEvents } from './context';
import { evaluate, ruleStateOf, type EngineState } from './engine';
import { defaultRuleSet } from './index';
import { restoreEngineState, serializeEngineState } from './stored';
import { at, brief, ctxAt, only, ruleSet, run } from './testkit';

const SPO2 = only(defaultRuleSet, ['spo2.low.high']);
const spo2 = (s: number, v: number | null) => engineEvents.vitals(at(s), { spo2: v });
const phase = (state: EngineState, id = 'spo2.low.high') => ruleStateOf(state, id)?.phase;

const handOver = (state: EngineState): EngineState => {
  const r = restoreEngineState(serializeEngineState(state));
  if (!r.ok) throw new Error(JSON.stringify(r.fields));
  return r.state;
};

describe('rule phases by name', () => {
  it('a threshold goes normal → pending → firing → normal; no data (null) holds the phase it is in', () => {
    const seen: (string | undefined)[] = [];
    let state: EngineState | undefined;
    for (const [s, v] of [[0, 95], [1, 85], [5, null], [11, 85], [12, null], [13, 95]] as const) {
      state = run(SPO2, [spo2(s, v)], ctxAt(), state).state;
      seen.push(phase(state));
    }
    expect(seen).toEqual(['normal', 'pending', 'pending', 'firing', 'firing', 'normal']);
  });

  it('a rule with a clear delay is clearing while it waits, and back to firing if the condition returns', () => {
    const off = ruleSet({ kind: 'technical', check: 'sensor_off', fields: ['spo2'], clearForMs: 5_000 });
    const seen: (string | undefined)[] = [];
    let state: EngineState | undefined;
    for (const [s, v] of [[0, 95], [1, null], [2, 95], [4, null], [5, 95], [10, 95]] as const) {
      state = run(off, [spo2(s, v)], ctxAt(), state).state;
      seen.push(phase(state, 'r0'));
    }
    expect(seen).toEqual(['normal', 'firing', 'clearing', 'firing', 'clearing', 'normal']);
  });
});

describe('stored engine state', () => {
  it('a firing rule handed over to another node is not raised again, and clears when the condition does', () => {
    const first = run(SPO2, [spo2(0, 85), spo2(10, 85)]);
    expect(brief(first.transitions)).toEqual(['fire:spo2.low.high@10']);
    const after = run(SPO2, [spo2(11, 85), spo2(20, 85), spo2(21, 95)], ctxAt(), handOver(first.state));
    expect(brief(after.transitions)).toEqual(['clear:spo2.low.high@21']);
  });

  it('a pending delay keeps its start across the hand-over (fires at 10 s, not 10 s after it)', () => {
    const first = run(SPO2, [spo2(0, 85), spo2(6, 85)]);
    expect(phase(first.state)).toBe('pending');
    const after = run(SPO2, [spo2(8, 85), spo2(10, 85)], ctxAt(), handOver(first.state));
    expect(brief(after.transitions)).toEqual(['fire:spo2.low.high@10']);
  });

  it.each([
    ['not JSON', '{', '(root)', /not JSON/],
    ['an unknown phase', (s: Record<string, unknown>) => ((s.rules as Record<string, unknown>[])[0]!.phase = 'alarming'), 'rules.0.phase', /.+/],
    ['firing without its start time', (s: Record<string, unknown>) => ((s.rules as Record<string, unknown>[])[0]!.since = null), 'rules.0.since', /required in phase firing/],
    ['more states than rule ids', (s: Record<string, unknown>) => (s.ids = []), 'rules', /1 rule states for 0 rule ids/],
    ['a reading that is not a number', (s: Record<string, unknown>) => ((s.raw as Record<string, unknown>).spo2 = [1, 'x']), 'raw.spo2.1', /.+/],
    ['another version', (s: Record<string, unknown>) => (s.v = 2), 'v', /.+/],
  ])('refuses a stored state with %s, naming the field', (_name, damage, field, reason) => {
    const firing = run(SPO2, [spo2(0, 85), spo2(10, 85)]).state;
    let stored: string;
    if (typeof damage === 'string') stored = damage;
    else {
      const s = JSON.parse(serializeEngineState(firing)) as Record<string, unknown>;
      damage(s);
      stored = JSON.stringify(s);
    }
    const r = restoreEngineState(stored);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field, reason: expect.stringMatching(reason) as unknown })]));
  });

  it('a restored state evaluates exactly like the original', () => {
    const a = run(defaultRuleSet, [engineEvents.vitals(at(0), { spo2: 85, hr: 160, rr: 0 }), engineEvents.vitals(at(30), { spo2: 85, hr: 40, rr: 0 })]);
    const next = engineEvents.vitals(at(40), { spo2: 96, hr: 70, rr: 12 });
    expect(evaluate(defaultRuleSet, handOver(a.state), ctxAt(), next)).toEqual(evaluate(defaultRuleSet, a.state, ctxAt(), next));
  });
});
