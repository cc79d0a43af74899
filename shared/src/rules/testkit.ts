import type { Alarm } from '../alarms';
import { buildContext, type ContextPatch, type EngineContext, type EngineEvent } from './context';
import { evaluate, initialEngineState, type EngineState, type RuleTransition } from './engine';
import { ruleSetSchema, type Rule, type RuleSet } from './schema';

/** Helpers for the rule tests (not part of the product API). */

export const T0 = 1_700_000_000_000;
export const S = 1000;
export const MIN = 60_000;

/** Event time T0 + seconds. */
export const at = (s: number) => T0 + s * S;

export interface RunResult {
  transitions: RuleTransition[];
  state: EngineState;
}

/** Evaluate events in order; ctx may depend on the event (e.g. the infusion as the server would hold it). */
export function run(
  rs: RuleSet,
  evs: readonly EngineEvent[],
  ctx: EngineContext | ((ev: EngineEvent, i: number) => EngineContext) = buildContext({ session: { startedAt: T0 } }),
  state: EngineState = initialEngineState(),
): RunResult {
  const transitions: RuleTransition[] = [];
  evs.forEach((ev, i) => {
    const r = evaluate(rs, state, typeof ctx === 'function' ? ctx(ev, i) : ctx, ev);
    state = r.state;
    transitions.push(...r.transitions);
  });
  return { transitions, state };
}

/** "fire:rule@seconds" lines, seconds from T0. */
export const brief = (ts: readonly RuleTransition[]) => ts.map((t) => `${t.type}:${t.rule.id}@${(t.t - T0) / 1000}`);

/** A context with the session started at T0. */
export const ctxAt = (patch: ContextPatch = {}) => buildContext({ ...patch, session: { startedAt: T0, ...patch.session } });

const COMMON = {
  title: 'Test rule',
  priority: 'medium',
  category: 'clinical',
  forMs: 0,
  latching: false,
  message: '{value} / {limit}',
  actions: [],
  rescue: [],
  source: { document: 'test', section: 'test', institutionalDefault: true },
};

/** A one-rule (or few-rule) validated set; each rule gets test defaults for the fields it does not give. */
export function ruleSet(...rules: Record<string, unknown>[]): RuleSet {
  return ruleSetSchema.parse({
    id: 'test',
    version: 1,
    name: 'test',
    description: '',
    rules: rules.map((r, i) => ({ ...COMMON, id: `r${i}`, ...r })),
  });
}

/** A subset of a rule set, by id, in the given order (without its profiles and modifiers, which name other rules). */
export function only(rs: RuleSet, ids: readonly string[]): RuleSet {
  const rules = ids.map((id) => {
    const r = rs.rules.find((x) => x.id === id);
    if (!r) throw new Error(`no rule ${id}`);
    return r;
  });
  const { profiles: _profiles, modifiers: _modifiers, ...rest } = rs;
  return { ...rest, rules };
}

export const ids = (rules: readonly Rule[]) => rules.map((r) => r.id);

/** A complete high-priority alarm (an active SpO2 desaturation) for tests that need one; `over` sets what a test looks at. */
export const highAlarm = (over: Partial<Alarm> = {}): Alarm => ({
  id: 7,
  sessionId: 's1',
  unit: 'infusion-suite',
  ruleId: 'spo2.low.high',
  ruleSetVersion: 1,
  priority: 'high',
  kind: 'clinical',
  title: 'Desaturation',
  message: 'SpO2 85 < 88',
  field: 'spo2',
  value: 85,
  limit: 88,
  state: 'active',
  latching: false,
  conditionActive: true,
  startedAt: T0,
  conditionClearedAt: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  simulated: false,
  actions: [],
  rescue: [],
  source: 'test',
  ...over,
});
