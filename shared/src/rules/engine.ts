import { VITAL_META, type VitalsSample } from '../vitals';
import type { Rule, RuleSet, ThresholdRule } from './schema';

/**
 * The rules engine is a pure function of (rule set, state, sample): no clock, no I/O.
 * Event time comes from the sample, so replaying a logged session gives the same transitions.
 */

export interface RuleState {
  /** Event time the condition first held (pending), or null. */
  since: number | null;
  firing: boolean;
}
export type EngineState = Record<string, RuleState>;

export interface RuleFired {
  type: 'fire';
  rule: Rule;
  t: number;
  value: number;
  limit: number;
  message: string;
}
export interface RuleCleared {
  type: 'clear';
  rule: Rule;
  t: number;
  value: number;
}
export type RuleTransition = RuleFired | RuleCleared;

export const initialEngineState = (): EngineState => ({});

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function renderMessage(rule: ThresholdRule, value: number): string {
  const meta = VITAL_META[rule.field];
  return rule.message
    .replaceAll('{label}', meta.label)
    .replaceAll('{value}', fmt(value))
    .replaceAll('{op}', rule.op)
    .replaceAll('{limit}', fmt(rule.limit))
    .replaceAll('{unit}', meta.unit);
}

function breached(rule: ThresholdRule, v: number): boolean {
  return rule.op === '<' ? v < rule.limit : v > rule.limit;
}
/** Back on the safe side by at least the hysteresis band. */
function recovered(rule: ThresholdRule, v: number): boolean {
  return rule.op === '<' ? v >= rule.limit + rule.hysteresis : v <= rule.limit - rule.hysteresis;
}

function evalThreshold(rule: ThresholdRule, prev: RuleState, s: VitalsSample, out: RuleTransition[]): RuleState {
  const v = s[rule.field];
  // A missing or invalid (null) reading says nothing about the condition: keep the state as it is.
  if (v === undefined || v === null) return prev;
  if (prev.firing) {
    if (recovered(rule, v)) {
      out.push({ type: 'clear', rule, t: s.t, value: v });
      return { since: null, firing: false };
    }
    return prev;
  }
  if (!breached(rule, v)) return prev.since === null ? prev : { since: null, firing: false };
  const since = prev.since ?? s.t;
  if (s.t - since >= rule.forMs) {
    out.push({ type: 'fire', rule, t: s.t, value: v, limit: rule.limit, message: renderMessage(rule, v) });
    return { since, firing: true };
  }
  return { since, firing: false };
}

const IDLE: RuleState = { since: null, firing: false };

export function evaluate(ruleSet: RuleSet, state: EngineState, sample: VitalsSample): { state: EngineState; transitions: RuleTransition[] } {
  const transitions: RuleTransition[] = [];
  const next: EngineState = { ...state };
  for (const rule of ruleSet.rules) {
    const prev = state[rule.id] ?? IDLE;
    const updated = evalThreshold(rule, prev, sample, transitions);
    if (updated !== prev) next[rule.id] = updated;
  }
  return { state: next, transitions };
}
