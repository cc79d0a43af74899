import { VITAL_FIELDS, VITAL_META, type VitalField, type VitalsSample } from '../vitals';
import type { EngineContext, EngineEvent } from './context';
import { fmt, render } from './format';
import * as care from './kinds/care';
import * as tech from './kinds/technical';
import * as vit from './kinds/vitals';
import { ruleField, type ImplausibleJumpRule, type Rule, type RuleSet } from './schema';
import {
  BREACH,
  CLEAR,
  IDLE,
  INVALID,
  initialEngineState,
  isEngineState,
  type Assessment,
  type EngineState,
  type EvalInput,
  type KindResult,
  type RuleState,
} from './state';

export { initialEngineState, type EngineState, type RuleState } from './state';

/**
 * The rules engine: a pure function of (rule set, state, context, event). No clock, no I/O, no
 * randomness: event time comes from the event, so replaying a logged session gives the same
 * transitions. It reports transitions only (into firing, out of firing); latching and
 * acknowledgement are the alarm manager's job.
 *
 * Per rule, a small state machine (Grafana-style): idle → pending (condition holds, waiting forMs)
 * → firing → (condition past its hysteresis band for clearForMs) → idle. Rules judged on samples
 * keep their last assessment, so a tick can complete a delay that started on data; an invalid
 * reading (null, artifact, no baseline) holds the state as it is: no data is not normal data.
 */

export interface RuleTransition {
  type: 'fire' | 'clear';
  rule: Rule;
  /** Event time of the transition. */
  t: number;
  /** The value against the limit (reading, change, seconds elapsed, mg/kg...), null when the kind has none. */
  value: number | null;
  limit: number | null;
  /** Value against limit, e.g. "SpO2 86 < 88"; for a clear, what cleared. */
  message: string;
}

export interface EvaluateResult {
  state: EngineState;
  transitions: RuleTransition[];
}

/** Kinds judged on samples: with nothing new, the last assessment stands (and drives delays on ticks). */
const CARRIED = new Set<Rule['kind']>(['threshold', 'baseline_change', 'rate_of_change', 'combination']);
const carries = (rule: Rule) => CARRIED.has(rule.kind) || (rule.kind === 'technical' && rule.check === 'implausible_jump');

function assess(rule: Rule, prev: RuleState, inp: EvalInput, jump: Map<string, Assessment | null>): KindResult {
  switch (rule.kind) {
    case 'threshold':
      return { a: vit.assessThreshold(rule, inp), d: null };
    case 'baseline_change':
      return { a: vit.assessBaselineChange(rule, inp), d: null };
    case 'rate_of_change':
      return vit.assessRateOfChange(rule, prev.d, inp);
    case 'combination':
      return vit.assessCombination(rule, prev.d, inp);
    case 'no_breath':
      return vit.assessNoBreath(rule, prev.d, inp);
    case 'technical':
      if (rule.check === 'sensor_off') return tech.assessSensorOff(rule, prev.d, inp);
      return { a: jump.get(rule.id) ?? null, d: null };
    case 'no_data':
      return { a: tech.assessNoData(rule, inp), d: null };
    case 'observation_due':
      return { a: care.assessObservationDue(rule, inp), d: null };
    case 'dose_guardrail':
      return care.assessDoseGuardrail(rule, prev.d, inp);
    case 'sedation':
      return { a: care.assessSedation(rule, inp), d: null };
    case 'treatment_count':
      return { a: care.assessTreatmentCount(rule, inp), d: null };
  }
}

function vars(rule: Rule, a: Assessment, inp: EvalInput): Record<string, string> {
  const base = { title: rule.title, value: a.v === null ? '' : fmt(a.v), limit: a.lim === null ? '' : fmt(a.lim) };
  switch (rule.kind) {
    case 'threshold':
      return { ...base, ...vit.describeThreshold(rule, a) };
    case 'baseline_change':
      return { ...base, ...vit.describeBaselineChange(rule, a) };
    case 'rate_of_change':
      return { ...base, ...vit.describeRateOfChange(rule, a) };
    case 'combination':
      return { ...base, ...vit.describeCombination(rule, a) };
    case 'no_breath':
      return { ...base, ...vit.describeNoBreath(rule, a) };
    case 'technical':
      return { ...base, ...(rule.check === 'sensor_off' ? tech.describeSensorOff(rule, a) : tech.describeImplausibleJump(rule, a)) };
    case 'no_data':
      return { ...base, ...tech.describeNoData(rule, a) };
    case 'observation_due':
      return { ...base, ...care.describeObservationDue(rule, a) };
    case 'dose_guardrail':
      return { ...base, ...care.describeDoseGuardrail(rule, a, inp) };
    case 'sedation':
      return { ...base, ...care.describeSedation(rule, a) };
    case 'treatment_count':
      return { ...base, ...care.describeTreatmentCount(rule, a) };
  }
}

/** The fire message: the rule's template with value against limit. */
export function renderMessage(rule: Rule, a: Assessment, inp: EvalInput): string {
  return render(rule.message, vars(rule, a, inp));
}

function clearMessage(rule: Rule, a: Assessment | null): string {
  const f = ruleField(rule);
  const reading = f && a && a.v !== null && (rule.kind === 'threshold' || rule.kind === 'baseline_change') ? ` (${VITAL_META[f].label} ${fmt(a.v)})` : '';
  return `${rule.title}: condition cleared${reading}`;
}

const sameAssessment = (p: Assessment, a: Assessment) => {
  if (p.lvl !== a.lvl || p.v !== a.v || p.lim !== a.lim) return false;
  if (p.x === a.x) return true;
  if (!p.x || !a.x || p.x.length !== a.x.length) return false;
  for (let i = 0; i < p.x.length; i++) if (p.x[i] !== a.x[i]) return false;
  return true;
};

function runRule(rule: Rule, prev: RuleState, inp: EvalInput, jump: Map<string, Assessment | null>, out: RuleTransition[]): RuleState {
  const { now } = inp;
  if (rule.enabled === false) {
    // Switched off (override): a firing rule clears, anything pending is forgotten.
    if (prev.firing) out.push({ type: 'clear', rule, t: now, value: null, limit: null, message: `${rule.title}: rule switched off` });
    return prev === IDLE ? prev : IDLE;
  }
  const r = assess(rule, prev, inp, jump);
  const carry = carries(rule);
  let a = r.a;
  if (carry) {
    if (a === null) a = prev.a;
    else if (prev.a && sameAssessment(prev.a, a)) a = prev.a;
  }
  const keptA = carry ? a : null;
  if (a === null) return r.d === prev.d ? prev : { ...prev, d: r.d };

  let { since, firing, clearSince } = prev;
  const clearForMs = 'clearForMs' in rule ? rule.clearForMs : 0;
  if (firing) {
    if (a.lvl === CLEAR) {
      clearSince ??= now;
      if (now - clearSince >= clearForMs) {
        out.push({ type: 'clear', rule, t: now, value: a.v, limit: a.lim, message: clearMessage(rule, a) });
        return { since: null, firing: false, clearSince: null, a: keptA, d: r.d };
      }
    } else if (a.lvl !== INVALID) clearSince = null;
  } else if (a.lvl === BREACH) {
    since ??= now;
    if (now - since >= rule.forMs) {
      firing = true;
      clearSince = null;
      out.push({ type: 'fire', rule, t: now, value: a.v, limit: a.lim, message: renderMessage(rule, a, inp) });
    }
  } else if (a.lvl !== INVALID) since = null;

  if (since === prev.since && firing === prev.firing && clearSince === prev.clearSince && keptA === prev.a && r.d === prev.d) return prev;
  return { since, firing, clearSince, a: keptA, d: r.d };
}

/** Record a frame's readings; returns the sample the clinical rules judge (artifacts masked as null). */
function recordVitals(
  ruleSet: RuleSet,
  before: EngineState,
  after: EngineState,
  inpBase: Omit<EvalInput, 'sample'>,
  raw: VitalsSample,
  jump: Map<string, Assessment | null>,
): VitalsSample {
  const now = inpBase.now;
  let masked: Set<VitalField> | null = null;
  for (const rule of ruleSet.rules) {
    if (rule.kind !== 'technical' || rule.check !== 'implausible_jump' || rule.enabled === false) continue;
    const a = tech.assessImplausibleJump(rule as ImplausibleJumpRule, { ...inpBase, sample: raw });
    jump.set(rule.id, a);
    if (a?.lvl === BREACH) (masked ??= new Set()).add(rule.field);
  }
  let sample = raw;
  if (masked) {
    sample = { ...raw };
    for (const f of masked) sample[f] = null;
  }
  const rawNext = { ...before.raw };
  const vals = { ...before.vals };
  for (const f of VITAL_FIELDS) {
    const v = raw[f];
    if (typeof v === 'number') rawNext[f] = [now, v];
    const m = sample[f];
    if (typeof m === 'number') vals[f] = [now, m];
    else if (m === null) vals[f] = null;
  }
  after.raw = rawNext;
  after.vals = vals;
  after.lastVitalsAt = now;
  return sample;
}

/**
 * Evaluate one event. Pure and deterministic; never throws on a rule set, context and event that
 * passed their schemas. Event time never runs backwards for the rules: an event older than the
 * previous one is judged at the previous one's time.
 */
export function evaluate(ruleSet: RuleSet, state: EngineState, ctx: EngineContext, ev: EngineEvent): EvaluateResult {
  const before = isEngineState(state) ? state : initialEngineState();
  const now = before.lastT !== null && ev.t < before.lastT ? before.lastT : ev.t;
  const after: EngineState = { ...before, firstT: before.firstT ?? now, lastT: now };
  const jump = new Map<string, Assessment | null>();
  const base = { ctx, ev, now, raw: ev.kind === 'vitals' ? ev.sample : null, before, after };
  const sample = ev.kind === 'vitals' ? recordVitals(ruleSet, before, after, base, ev.sample, jump) : null;
  const inp: EvalInput = { ...base, sample };

  const transitions: RuleTransition[] = [];
  let rules = before.rules;
  let copied = false;
  for (const rule of ruleSet.rules) {
    const prev = before.rules[rule.id] ?? IDLE;
    const next = runRule(rule, prev, inp, jump, transitions);
    if (next !== prev) {
      if (!copied) {
        rules = { ...rules };
        copied = true;
      }
      rules[rule.id] = next;
    }
  }
  after.rules = rules;
  return { state: after, transitions };
}

/**
 * State for a session whose alarms are already raised (server restart): those rules start firing,
 * so they are not raised again, and the no-data clock starts at t.
 */
export function engineStateFromActive(active: readonly { ruleId: string; since: number }[], t: number): EngineState {
  const s = initialEngineState();
  s.firstT = t;
  for (const { ruleId, since } of active) s.rules[ruleId] = { since, firing: true, clearSince: null, a: null, d: null };
  return s;
}

/** Rule ids firing in a state (for dashboards and tests). */
export function firingRules(state: EngineState): string[] {
  return Object.entries(state.rules)
    .filter(([, r]) => r.firing)
    .map(([id]) => id);
}
