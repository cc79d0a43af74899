import { VITAL_FIELDS, VITAL_META, type VitalField, type VitalsSample } from '../vitals';
import type { EngineContext, EngineEvent } from './context';
import { fmt, render } from './format';
import * as care from './kinds/care';
import * as tech from './kinds/technical';
import * as vit from './kinds/vitals';
import { ruleField, trendDelayMs, type ImplausibleJumpRule, type Rule, type RuleSet } from './schema';
import {
  BREACH,
  CLEAR,
  IDLE,
  INVALID,
  initialEngineState,
  isEngineState,
  isFiringPhase,
  type Assessment,
  type EngineState,
  type EvalInput,
  type KindResult,
  type RuleState,
} from './state';

export { ENGINE_STATE_VERSION, RULE_PHASES, initialEngineState, isFiringPhase, ruleStateOf, type EngineState, type RulePhase, type RuleState } from './state';

/**
 * The rules engine: a pure function of (rule set, state, context, event). No clock, no I/O, no
 * randomness: event time comes from the event, so replaying a logged session gives the same
 * transitions. It reports transitions only (into firing, out of firing); latching and
 * acknowledgement are the alarm manager's job.
 *
 * Per rule, a small state machine (Grafana-style, phases named in state.ts): normal → pending (condition
 * holds, waiting forMs) → firing → clearing (condition past its hysteresis band, waiting clearForMs) →
 * normal. Rules judged on samples
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

type Assess = (prev: RuleState, inp: EvalInput, jump: (Assessment | null)[] | null) => KindResult;

/** One rule, prepared for the loop: plain fields and a judge bound to the rule (keeps the hot loop monomorphic). */
interface Step {
  rule: Rule;
  enabled: boolean;
  forMs: number;
  /** Judged on samples: with nothing new, the last assessment stands (and drives delays on ticks). */
  carry: boolean;
  /** The field and time after which frames without it mean the signal is absent (a carried assessment then holds). */
  absent: { field: VitalField; ms: number } | null;
  clearForMs: number;
  assess: Assess;
}

/** Per rule-set facts the loop needs, computed once per rule set (a memo: results do not depend on it). */
interface Plan {
  ids: string[];
  steps: Step[];
  /** Indexes of enabled implausible-jump rules (judged first: they mask artifacts for the clinical rules). */
  jumps: number[];
}
const PLANS = new WeakMap<RuleSet, Plan>();

const only = (a: Assessment | null): KindResult => ({ a, d: null });

function judge(rule: Rule, i: number): Assess {
  switch (rule.kind) {
    case 'threshold':
      return (_p, inp) => only(vit.assessThreshold(rule, inp));
    case 'baseline_change':
      return (_p, inp) => only(vit.assessBaselineChange(rule, inp));
    case 'rate_of_change':
      return (p, inp) => vit.assessRateOfChange(rule, p.d, inp);
    case 'combination':
      return (p, inp) => vit.assessCombination(rule, p.d, inp);
    case 'no_breath':
      return (p, inp) => vit.assessNoBreath(rule, p.d, inp);
    case 'technical':
      if (rule.check === 'sensor_off') return (p, inp) => tech.assessSensorOff(rule, p.d, inp);
      if (rule.check === 'signal_absent') return (p, inp) => tech.assessSignalAbsent(rule, p.d, inp);
      return (_p, _inp, jump) => only(jump?.[i] ?? null);
    case 'no_data':
      return (_p, inp) => only(tech.assessNoData(rule, inp));
    case 'observation_due':
      return (_p, inp) => only(care.assessObservationDue(rule, inp));
    case 'dose_guardrail':
      return (p, inp) => care.assessDoseGuardrail(rule, p.d, inp);
    case 'sedation':
      return (_p, inp) => only(care.assessSedation(rule, inp));
    case 'treatment_count':
      return (_p, inp) => only(care.assessTreatmentCount(rule, inp));
  }
}

const isJump = (r: Rule): r is ImplausibleJumpRule => r.kind === 'technical' && r.check === 'implausible_jump';

function planOf(ruleSet: RuleSet): Plan {
  let p = PLANS.get(ruleSet);
  if (!p) {
    const rules = ruleSet.rules;
    p = {
      ids: rules.map((r) => r.id),
      steps: rules.map((rule, i) => ({
        rule,
        enabled: rule.enabled !== false,
        // A trend waits at least its confirmation time: a short dip does not raise it.
        forMs: trendDelayMs(rule),
        carry: rule.kind === 'threshold' || rule.kind === 'baseline_change' || rule.kind === 'rate_of_change' || rule.kind === 'combination' || isJump(rule),
        clearForMs: 'clearForMs' in rule ? rule.clearForMs : 0,
        absent:
          (rule.kind === 'threshold' || rule.kind === 'baseline_change' || rule.kind === 'rate_of_change') && rule.absentAfterMs !== undefined
            ? { field: rule.field, ms: rule.absentAfterMs }
            : null,
        assess: judge(rule, i),
      })),
      jumps: rules.flatMap((r, i) => (isJump(r) && r.enabled !== false ? [i] : [])),
    };
    PLANS.set(ruleSet, p);
  }
  return p;
}

/** The previous states in rule-set order (re-aligned by id when the rule set changed). */
function aligned(plan: Plan, s: EngineState): RuleState[] {
  const { ids } = plan;
  if (s.ids === ids) return s.rules;
  if (s.ids.length === ids.length && s.ids.every((id, i) => id === ids[i])) return s.rules;
  const byId = new Map<string, RuleState>();
  s.ids.forEach((id, i) => byId.set(id, s.rules[i] ?? IDLE));
  return ids.map((id) => byId.get(id) ?? IDLE);
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
      return {
        ...base,
        ...(rule.check === 'implausible_jump' ? tech.describeImplausibleJump(rule, a) : rule.check === 'sensor_off' ? tech.describeSensorOff(rule, a) : tech.describeSignalAbsent(rule, a)),
      };
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
function renderMessage(rule: Rule, a: Assessment, inp: EvalInput): string {
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

/** Frames have kept coming without the field for longer than `ms` after its last accepted reading. */
function signalAbsent(absent: { field: VitalField; ms: number }, inp: EvalInput): boolean {
  const reading = inp.after.vals[absent.field];
  const lastFrame = inp.after.lastVitalsAt;
  return !reading || (lastFrame !== null && lastFrame - reading[0] > absent.ms);
}

function runRule(step: Step, prev: RuleState, inp: EvalInput, jump: (Assessment | null)[] | null, out: RuleTransition[]): RuleState {
  const { now } = inp;
  const { rule, carry, clearForMs } = step;
  if (!step.enabled) {
    // Switched off (override): a firing rule clears, anything pending is forgotten.
    if (isFiringPhase(prev.phase)) out.push({ type: 'clear', rule, t: now, value: null, limit: null, message: `${rule.title}: rule switched off` });
    return IDLE;
  }
  const r = step.assess(prev, inp, jump);
  let a = r.a;
  let absent = false;
  if (carry) {
    if (a === null) {
      a = prev.a;
      absent = a !== null && step.absent !== null && signalAbsent(step.absent, inp);
    } else if (prev.a && sameAssessment(prev.a, a)) a = prev.a;
  }
  if (a === null) return r.d === prev.d ? prev : { ...prev, d: r.d };
  // The last reading stands for a delay only while the signal is not known to be absent.
  const lvl = absent ? INVALID : a.lvl;

  let { phase, since, clearSince } = prev;
  switch (phase) {
    case 'firing':
    case 'clearing':
      if (lvl === CLEAR) {
        clearSince ??= now;
        phase = 'clearing';
        if (now - clearSince >= clearForMs) {
          out.push({ type: 'clear', rule, t: now, value: a.v, limit: a.lim, message: clearMessage(rule, a) });
          phase = 'normal';
          since = null;
          clearSince = null;
        }
      } else if (lvl !== INVALID) {
        phase = 'firing';
        clearSince = null;
      }
      break;
    case 'normal':
    case 'pending':
      if (lvl === BREACH) {
        since ??= now;
        phase = 'pending';
        if (now - since >= step.forMs) {
          phase = 'firing';
          clearSince = null;
          out.push({ type: 'fire', rule, t: now, value: a.v, limit: a.lim, message: renderMessage(rule, a, inp) });
        }
      } else if (lvl !== INVALID) {
        phase = 'normal';
        since = null;
      }
  }

  // The assessment is kept only while it can still drive a delay (pending, firing or clearing).
  const keptA = carry && phase !== 'normal' ? a : null;
  if (phase === prev.phase && since === prev.since && clearSince === prev.clearSince && keptA === prev.a && r.d === prev.d) return prev;
  if (phase === 'normal' && keptA === null && r.d === null) return IDLE;
  return { phase, since, clearSince, a: keptA, d: r.d };
}

/** Record a frame's readings into `after`; returns the sample the clinical rules judge (artifacts masked as null). */
function recordVitals(plan: Plan, inp: EvalInput, raw: VitalsSample, jump: (Assessment | null)[]): VitalsSample {
  const { now, before, after } = inp;
  let sample = raw;
  for (const i of plan.jumps) {
    const rule = plan.steps[i]!.rule as ImplausibleJumpRule;
    const a = tech.assessImplausibleJump(rule, inp);
    jump[i] = a;
    if (a?.lvl === BREACH) {
      if (sample === raw) sample = { ...raw };
      sample[rule.field] = null;
    }
  }
  let rawNext: EngineState['raw'] | null = null;
  let vals: EngineState['vals'] | null = null;
  for (const f of VITAL_FIELDS) {
    const v = raw[f];
    if (v === undefined) continue;
    if (typeof v === 'number') (rawNext ??= { ...before.raw })[f] = [now, v];
    const m = sample[f];
    (vals ??= { ...before.vals })[f] = typeof m === 'number' ? [now, m] : null;
  }
  if (rawNext) after.raw = rawNext;
  if (vals) after.vals = vals;
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
  const plan = planOf(ruleSet);
  const prevRules = aligned(plan, before);
  const now = before.lastT !== null && ev.t < before.lastT ? before.lastT : ev.t;
  const dataDueFrom = before.dataDueFrom ?? (ctx.infusion.status === 'not_started' ? null : now);
  const after: EngineState = { ...before, dataDueFrom, lastT: now, ids: plan.ids, rules: prevRules };
  const isVitals = ev.kind === 'vitals';
  const inp: EvalInput = { ctx, ev, now, raw: isVitals ? ev.sample : null, sample: null, before, after };
  let jump: (Assessment | null)[] | null = null;
  if (isVitals) {
    jump = [];
    inp.sample = recordVitals(plan, inp, ev.sample, jump);
  }

  const transitions: RuleTransition[] = [];
  let rules = prevRules;
  const { steps } = plan;
  for (let i = 0; i < steps.length; i++) {
    const prev = prevRules[i] ?? IDLE;
    const next = runRule(steps[i]!, prev, inp, jump, transitions);
    if (next !== prev) {
      if (rules === prevRules) rules = prevRules.slice();
      rules[i] = next;
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
  s.dataDueFrom = t;
  for (const { ruleId, since } of active) {
    s.ids.push(ruleId);
    s.rules.push({ phase: 'firing', since, clearSince: null, a: null, d: null });
  }
  return s;
}

/** Rule ids firing in a state (for dashboards and tests). */
export function firingRules(state: EngineState): string[] {
  return state.ids.filter((_id, i) => {
    const r = state.rules[i];
    return r !== undefined && isFiringPhase(r.phase);
  });
}
