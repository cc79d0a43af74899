import type { VitalField, VitalsSample } from '../vitals';
import type { EngineContext, EngineEvent } from './context';

/**
 * Engine state: small, bounded, JSON-serialisable. Rebuilt from nothing on replay; the server keeps
 * one per session in memory.
 */

/** How a condition stands at one event. */
export const CLEAR = 0; // back on the safe side (past any hysteresis band)
export const BAND = 1; // not breached, but not yet past the hysteresis band
export const BREACH = 2; // the condition holds
export const INVALID = 3; // the data says nothing valid (sensor reports no value, no baseline): hold as is
export type Level = typeof CLEAR | typeof BAND | typeof BREACH | typeof INVALID;

/** The outcome of one rule at one event, with what its message needs (numbers only, so it can be stored). */
export interface Assessment {
  lvl: Level;
  /** The value a transition reports (the reading, the change, the seconds elapsed...). */
  v: number | null;
  /** The limit in force, in the same unit as v. */
  lim: number | null;
  /** Kind-specific details for the message (e.g. baseline, the reading a fall started from). */
  x: (number | null)[] | null;
}

export interface RuleState {
  /** Event time the condition started to hold (pending or firing), or null. */
  since: number | null;
  firing: boolean;
  /** While firing: event time the condition was first seen cleared (clear delay), or null. */
  clearSince: number | null;
  /** Last assessment from data, for kinds judged on samples: a tick re-uses it to run delays. */
  a: Assessment | null;
  /** Kind-specific bounded data (trend buckets, breath clock, sensor-off set, last bolus). */
  d: unknown;
}

export type Reading = [t: number, value: number];

export interface EngineState {
  v: 2;
  /**
   * No-data reference before any frame: the first event at which the infusion had started (no data
   * while a drug runs is an alarm from the start), or the restart time of a restored state.
   */
  dataDueFrom: number | null;
  /** Latest event time seen: time never runs backwards for the rules. */
  lastT: number | null;
  /** Event time of the latest vitals frame. */
  lastVitalsAt: number | null;
  /** Latest numeric reading per field as the device sent it (artifact checks, NIBP schedule). */
  raw: Partial<Record<VitalField, Reading>>;
  /** Latest reading the clinical rules accepted per field; null after an invalid or artifact reading. */
  vals: Partial<Record<VitalField, Reading | null>>;
  /** Rule ids, in rule-set order; rules[i] is the state of ids[i]. A rule no longer in the set is dropped. */
  ids: string[];
  rules: RuleState[];
}

export const IDLE: RuleState = Object.freeze({ since: null, firing: false, clearSince: null, a: null, d: null }) as RuleState;

export const initialEngineState = (): EngineState => ({
  v: 2,
  dataDueFrom: null,
  lastT: null,
  lastVitalsAt: null,
  raw: {},
  vals: {},
  ids: [],
  rules: [],
});

export function isEngineState(s: unknown): s is EngineState {
  if (typeof s !== 'object' || s === null) return false;
  const e = s as Partial<EngineState>;
  return (
    e.v === 2 &&
    Array.isArray(e.rules) &&
    Array.isArray(e.ids) &&
    e.ids.length === e.rules.length &&
    typeof e.raw === 'object' &&
    e.raw !== null &&
    typeof e.vals === 'object' &&
    e.vals !== null
  );
}

/** The state of one rule, by id (undefined: the rule has not been evaluated yet). */
export function ruleStateOf(state: EngineState, id: string): RuleState | undefined {
  const i = state.ids.indexOf(id);
  return i < 0 ? undefined : state.rules[i];
}

/** What a rule kind sees at one event. */
export interface EvalInput {
  ctx: EngineContext;
  ev: EngineEvent;
  /** Event time for the rules (never before the previous event's). */
  now: number;
  /** The vitals sample as sent, or null for other events. */
  raw: VitalsSample | null;
  /** The sample the clinical rules judge: artifact readings replaced by null. */
  sample: VitalsSample | null;
  /** State before this event (for comparisons with the previous reading). */
  before: EngineState;
  /** State after this event's readings were recorded. */
  after: EngineState;
}

/** A kind's verdict: an assessment (null: nothing new to say) and its updated kind data. */
export interface KindResult {
  a: Assessment | null;
  d: unknown;
}
