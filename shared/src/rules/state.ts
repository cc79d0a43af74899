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

/**
 * Where one rule stands, by name:
 * - normal: the condition does not hold (or has never been judged);
 * - pending: the condition holds, waiting out the rule's delay (forMs) before it fires;
 * - firing: the condition held past its delay; the alarm is raised;
 * - clearing: firing, and the condition has been past its hysteresis band since clearSince, waiting
 *   out clearForMs before it clears.
 * No data (a null or artifact reading, no baseline, a signal known to be absent) is not a phase: it
 * holds whichever phase the rule is in, so missing data neither raises nor clears an alarm. The
 * no-data and signal-absent conditions are rules of their own (kinds no_data and technical).
 */
export const RULE_PHASES = ['normal', 'pending', 'firing', 'clearing'] as const;
export type RulePhase = (typeof RULE_PHASES)[number];

/** The alarm condition is raised in this phase (a clearing rule is still firing until its clear delay ends). */
export const isFiringPhase = (p: RulePhase): boolean => p === 'firing' || p === 'clearing';

export interface RuleState {
  phase: RulePhase;
  /** Event time the condition started to hold: set in pending, firing and clearing; null in normal. */
  since: number | null;
  /** In clearing: event time the condition was first seen cleared; null in every other phase. */
  clearSince: number | null;
  /** Last assessment from data, for kinds judged on samples: a tick re-uses it to run delays. */
  a: Assessment | null;
  /** Kind-specific bounded data (trend buckets, breath clock, sensor-off set, last bolus). */
  d: unknown;
}

export type Reading = [t: number, value: number];

export const ENGINE_STATE_VERSION = 3;

export interface EngineState {
  v: typeof ENGINE_STATE_VERSION;
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

export const IDLE: RuleState = Object.freeze({ phase: 'normal', since: null, clearSince: null, a: null, d: null }) as RuleState;

export const initialEngineState = (): EngineState => ({
  v: ENGINE_STATE_VERSION,
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
    e.v === ENGINE_STATE_VERSION &&
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
