import { z } from 'zod';
import { ALARM_PRIORITIES } from '../alarms';
import { dosingWeightRuleSchema } from '../dosingWeight';
import { RESCUE_CLASSES, SEDATIVE_CLASSES } from '../formulary';
import { OBSERVATION_SCALES, type ObservationScale } from '../observations';
import { CARE_SETTINGS, type RuleProfile } from '../sessions';
import { VITAL_FIELDS, type VitalField } from '../vitals';

/**
 * Rule-set document (version 2). Rules are data: each rule is one of the kinds below, validated
 * here, and cites its source so a clinician can check it.
 */

/** Every rule names where it comes from, so a clinician can check it. */
export const ruleSourceSchema = z.strictObject({
  document: z.string().min(1),
  section: z.string().min(1),
  /** True when the value is not in the guideline: shown as an editable institutional default. */
  institutionalDefault: z.boolean(),
});

/** clinical: the patient's condition; technical: the equipment or data link; advisory: dosing, schedule, course. */
export const RULE_CATEGORIES = ['clinical', 'technical', 'advisory'] as const;
export type RuleCategory = (typeof RULE_CATEGORIES)[number];

/** The validated sedation scales (scores and ranges: observations.ts, clinical-reference.md section 3). */
export const SEDATION_SCALES = ['RASS', 'MOAAS', 'RAMSAY'] as const satisfies readonly ObservationScale[];
export type SedationScale = (typeof SEDATION_SCALES)[number];

export const INFUSION_STATUSES = ['not_started', 'running', 'paused', 'stopped'] as const;

const DAY_MS = 86_400_000;

/** Soft: confirm with a reason; hard: refused at the bedside (only an admin changes it, in the rule set). */
export const LIMIT_LEVELS = ['soft', 'hard'] as const;
export type LimitLevel = (typeof LIMIT_LEVELS)[number];
/** An event-time duration in ms (bounded so a typo cannot disable a rule for years). */
const duration = z.number().int().nonnegative().max(DAY_MS);
const positiveDuration = z.number().int().min(1000).max(DAY_MS);
const finite = z.number().finite();
const positive = z.number().finite().positive();
const field = z.enum(VITAL_FIELDS);
const id = z.string().regex(/^[a-z0-9_.-]+$/, { error: 'lower-case letters, digits, dot, dash and underscore only' });

/**
 * For rules on one continuously reported field: frames that keep coming without the field for this
 * long (ms after its last reading) mean the signal is absent, and absent data is not a clinical
 * alarm: a pending delay does not complete on the last reading; it goes on with the next reading.
 * Left out for intermittent fields (NIBP), whose last reading stands until the next.
 */
const absentAfterMs = positiveDuration.optional();

/** Fields every rule has, whatever its kind. */
const common = {
  id,
  title: z.string().min(1),
  priority: z.enum(ALARM_PRIORITIES),
  category: z.enum(RULE_CATEGORIES),
  /** Absent means enabled; a per-session override may switch a rule off (and the UI says so). */
  enabled: z.boolean().optional(),
  /** The condition must hold this long (event time) before the rule fires. */
  forMs: duration,
  /** A latched alarm stays shown until acknowledged (the server's job; carried here as data). */
  latching: z.boolean(),
  /** Message template; placeholders depend on the kind, e.g. {label} {value} {op} {limit}. */
  message: z.string().min(1),
  /** First actions, shown with the alarm. */
  actions: z.array(z.string().min(1)),
  /** Rescue drug classes relevant to this alarm (ASRA/AAPM/ASA 2018 Q6/Q7): formulary class ids, no doses. */
  rescue: z.array(z.enum(RESCUE_CLASSES)),
  source: ruleSourceSchema,
};

const RULE_KINDS_LIST = [
  'threshold',
  'baseline_change',
  'rate_of_change',
  'combination',
  'no_breath',
  'technical',
  'no_data',
  'observation_due',
  'dose_guardrail',
  'sedation',
  'treatment_count',
] as const;

// 1. threshold: field op limit, with delay and hysteresis.
export const thresholdRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('threshold'),
  field,
  op: z.enum(['<', '>']),
  limit: finite,
  absentAfterMs,
  /** The alarm clears only once the value is this far back on the safe side of the limit. */
  hysteresis: z.number().finite().nonnegative(),
});

// 2. baseline_change: rise or fall against the pre-infusion baseline, in percent or in units.
export const baselineChangeRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('baseline_change'),
    field,
    absentAfterMs,
    direction: z.enum(['rise', 'fall']),
    percent: positive.max(1000).optional(),
    absolute: positive.optional(),
    /** In the same unit as the change (percent points or field units). */
    hysteresis: z.number().finite().nonnegative(),
  })
  .superRefine((r, ctx) => {
    if ((r.percent === undefined) === (r.absolute === undefined))
      ctx.addIssue({ code: 'custom', path: ['percent'], message: 'give exactly one of percent or absolute' });
    const amount = r.percent ?? r.absolute ?? 0;
    if (r.hysteresis >= amount && amount > 0)
      ctx.addIssue({ code: 'custom', path: ['hysteresis'], message: 'hysteresis must be smaller than the change' });
  });

/**
 * How long a trend must persist before it counts, when a rule set does not say (rule sets stored
 * before the parameter existed): the longest SpO2-low delay of the shipped set, so a dip the
 * threshold rules ignore is not raised by a trend either. Institutional default.
 */
export const DEFAULT_TREND_CONFIRM_MS = 15_000;

/** A trend: the field fell (or rose) by at least delta within the window. */
const trendShape = {
  field,
  direction: z.enum(['fall', 'rise']),
  delta: positive,
  windowMs: z.number().int().min(1000).max(3_600_000),
  hysteresis: z.number().finite().nonnegative(),
  /**
   * The change must persist this long before it counts (event time): a short dip that a threshold
   * rule's delay ignores must not raise an alarm through a trend. Must be at least the delay of the
   * threshold and baseline rules on the same field in the same direction (checked per rule set).
   */
  confirmMs: duration.default(DEFAULT_TREND_CONFIRM_MS),
};
const trendChecks = (r: { delta: number; hysteresis: number; confirmMs: number; windowMs: number }, ctx: z.RefinementCtx) => {
  if (r.hysteresis >= r.delta) ctx.addIssue({ code: 'custom', path: ['hysteresis'], message: 'hysteresis must be smaller than delta' });
  // A step change stays in view for one window: a longer confirmation could never complete.
  if (r.confirmMs >= r.windowMs) ctx.addIssue({ code: 'custom', path: ['confirmMs'], message: 'confirmMs must be shorter than windowMs' });
};

// 3. rate_of_change
export const rateOfChangeRuleSchema = z
  .strictObject({ ...common, kind: z.literal('rate_of_change'), ...trendShape, absentAfterMs })
  .superRefine(trendChecks);

// 4. combination: every `all` condition and at least one `any` condition at once.
export const thresholdConditionSchema = z.strictObject({
  type: z.literal('threshold'),
  field,
  op: z.enum(['<', '>']),
  limit: finite,
  hysteresis: z.number().finite().nonnegative().default(0),
});
export const trendConditionSchema = z
  .strictObject({ type: z.literal('trend'), ...trendShape, hysteresis: z.number().finite().nonnegative().default(0) })
  .superRefine(trendChecks);
export const conditionSchema = z.discriminatedUnion('type', [thresholdConditionSchema, trendConditionSchema]);

export const combinationRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('combination'),
    all: z.array(conditionSchema).max(8).optional(),
    any: z.array(conditionSchema).max(8).optional(),
    /** A field's latest reading counts only if it is no older than this (fields come in different frames). */
    maxAgeMs: positiveDuration,
  })
  .superRefine((r, ctx) => {
    if ((r.all?.length ?? 0) + (r.any?.length ?? 0) === 0)
      ctx.addIssue({ code: 'custom', path: ['all'], message: 'give at least one condition in all or any' });
  });

// 5. no_breath (apnea)
export const noBreathRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('no_breath'),
  /** No breath seen for this long fires (after the session has had respiratory data). */
  durationMs: positiveDuration,
  /** Without an RR value, an EtCO2 at or above this counts as a breath (mmHg). */
  minEtco2: z.number().finite().nonnegative().max(150),
  /**
   * Judged only on respiratory readings: with no valid RR or EtCO2 reading for this long (monitor
   * silent, line off, no capnography) there is nothing to judge, a technical alarm speaks, and
   * apnea holds its state (a raised apnea alarm stays raised). Absent data is never apnea.
   * Defaults to 10 s so rule sets stored before this parameter existed still load.
   */
  maxFrameGapMs: positiveDuration.default(10_000),
});

// 6. technical: sensor off / implausible jump, and no_data.
const technicalCommon = { ...common, kind: z.literal('technical'), clearForMs: duration };
export const sensorOffRuleSchema = z.strictObject({
  ...technicalCommon,
  check: z.literal('sensor_off'),
  /** Fires while any of these fields' latest report is null (device says: no valid value). */
  fields: z.array(field).min(1).max(VITAL_FIELDS.length),
  /** A field also counts as off when frames keep coming without it this long after its last reading (omitted, not null). */
  absentMs: positiveDuration.optional(),
});
export const implausibleJumpRuleSchema = z.strictObject({
  ...technicalCommon,
  check: z.literal('implausible_jump'),
  field,
  /** A change larger than this between consecutive readings is an artifact... */
  maxDelta: positive,
  /** ...when the readings are at most this far apart. */
  withinMs: z.number().int().min(1).max(60_000),
});
export const signalAbsentRuleSchema = z.strictObject({
  ...technicalCommon,
  check: z.literal('signal_absent'),
  /** A valid reading of any of these fields is the signal (e.g. RR or EtCO2 for breathing)... */
  fields: z.array(field).min(1).max(VITAL_FIELDS.length),
  /** ...and frames without one (field absent or null) for this long fire. Judged on frames: a silent monitor is the no-data alarm's. */
  absentMs: positiveDuration,
});
export const technicalRuleSchema = z.discriminatedUnion('check', [sensorOffRuleSchema, implausibleJumpRuleSchema, signalAbsentRuleSchema]);

export const noDataRuleSchema = z
  .strictObject({
    ...common,
    kind: z.literal('no_data'),
    /** No vitals frame for this long fires. */
    timeoutMs: positiveDuration,
    /** Data counts as back while the latest frame is no older than this... */
    presentWithinMs: positiveDuration,
    /** ...and the alarm clears only once data has been back this long. */
    clearForMs: duration,
  })
  .superRefine((r, ctx) => {
    if (r.presentWithinMs >= r.timeoutMs)
      ctx.addIssue({ code: 'custom', path: ['presentWithinMs'], message: 'presentWithinMs must be shorter than timeoutMs' });
  });

// 7. observation_due
export const observationDueRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('observation_due'),
  observation: z.enum(['sedation', 'nibp']),
  intervalMs: positiveDuration,
  /** Infusion states in which the schedule applies. */
  activeWhen: z.array(z.enum(INFUSION_STATUSES)).min(1),
});

// 8. dose_guardrail
const doseCommon = {
  ...common,
  kind: z.literal('dose_guardrail'),
  op: z.enum(['>', '>=']),
  limit: positive,
  /** Care settings where the rule applies; absent = everywhere. */
  settings: z.array(z.enum(CARE_SETTINGS)).min(1).optional(),
  /**
   * Checked before the dose (smart-pump drug library): soft = the action needs a confirmation with a
   * reason; hard = refused for every role. Absent: hard when the limit comes from the guideline,
   * soft when it is an institutional default (see limitLevel).
   */
  enforce: z.enum(LIMIT_LEVELS).optional(),
  /** A soft limit whose confirmation only a physician (or a trainer on a simulated session) may give. */
  confirmRole: z.literal('physician').optional(),
};
export const bolusGuardrailSchema = z.strictObject({
  ...doseCommon,
  check: z.literal('bolus'),
  /** The condition holds this long after the bolus (0: only at the bolus itself; latching keeps it shown). */
  holdMs: duration,
});
export const rateGuardrailSchema = z.strictObject({ ...doseCommon, check: z.literal('rate') });
export const cumulativeGuardrailSchema = z.strictObject({ ...doseCommon, check: z.literal('cumulative') });
export const doseGuardrailRuleSchema = z.discriminatedUnion('check', [bolusGuardrailSchema, rateGuardrailSchema, cumulativeGuardrailSchema]);

// 9. sedation (last score on a validated scale)
export const sedationCriterionSchema = z
  .strictObject({ scale: z.enum(SEDATION_SCALES), op: z.enum(['<=', '>=']), limit: z.number().int() })
  .superRefine((c, ctx) => {
    const r = OBSERVATION_SCALES[c.scale];
    if (c.limit < r.min || c.limit > r.max)
      ctx.addIssue({ code: 'custom', path: ['limit'], message: `${r.label} is scored ${r.min} to ${r.max}` });
  });
export const sedationRuleSchema = z
  .strictObject({ ...common, kind: z.literal('sedation'), criteria: z.array(sedationCriterionSchema).min(1).max(SEDATION_SCALES.length) })
  .superRefine((r, ctx) => {
    if (new Set(r.criteria.map((c) => c.scale)).size !== r.criteria.length)
      ctx.addIssue({ code: 'custom', path: ['criteria'], message: 'one criterion per scale' });
  });

// 10. treatment_count
export const treatmentCountRuleSchema = z.strictObject({
  ...common,
  kind: z.literal('treatment_count'),
  op: z.enum(['>', '>=']),
  limit: z.number().int().nonnegative(),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  thresholdRuleSchema,
  baselineChangeRuleSchema,
  rateOfChangeRuleSchema,
  combinationRuleSchema,
  noBreathRuleSchema,
  technicalRuleSchema,
  noDataRuleSchema,
  observationDueRuleSchema,
  doseGuardrailRuleSchema,
  sedationRuleSchema,
  treatmentCountRuleSchema,
]);

export const RULE_KINDS = RULE_KINDS_LIST satisfies readonly Rule['kind'][];

/**
 * The tunable parameters of a rule: what a profile or a per-session override may change.
 * A key that the rule's kind does not have is refused when the result is validated.
 */
export const ruleOverrideSchema = z.strictObject({
  enabled: z.boolean().optional(),
  priority: z.enum(ALARM_PRIORITIES).optional(),
  latching: z.boolean().optional(),
  forMs: duration.optional(),
  clearForMs: duration.optional(),
  limit: finite.optional(),
  hysteresis: z.number().finite().nonnegative().optional(),
  percent: positive.optional(),
  absolute: positive.optional(),
  delta: positive.optional(),
  windowMs: z.number().int().positive().optional(),
  durationMs: z.number().int().positive().optional(),
  timeoutMs: z.number().int().positive().optional(),
  presentWithinMs: z.number().int().positive().optional(),
  intervalMs: z.number().int().positive().optional(),
  maxDelta: positive.optional(),
  withinMs: z.number().int().positive().optional(),
  holdMs: duration.optional(),
  minEtco2: z.number().finite().nonnegative().optional(),
  maxFrameGapMs: z.number().int().positive().optional(),
  confirmMs: duration.optional(),
  absentMs: z.number().int().positive().optional(),
  absentAfterMs: z.number().int().positive().optional(),
});
export type RuleOverride = z.infer<typeof ruleOverrideSchema>;
export const OVERRIDE_KEYS = Object.keys(ruleOverrideSchema.shape) as (keyof RuleOverride)[];

export const RULE_PROFILES = ['standard', 'elderly_comorbid'] as const satisfies readonly RuleProfile[];

export const profileSchema = z.strictObject({
  description: z.string().optional(),
  /** Where the profile's values come from (they are institutional defaults unless the guideline gives them). */
  source: ruleSourceSchema.optional(),
  overrides: z.record(z.string(), ruleOverrideSchema),
});

/**
 * A modifier: limits that tighten while something has happened in the session. `sedative_given`:
 * a benzodiazepine or opioid was documented (Q6: midazolam may enhance ketamine's effects). A
 * modifier only tightens: a value looser than the one in force (the site's, the profile's or a
 * physician's) is not applied.
 */
export const RULE_MODIFIERS = ['sedative_given'] as const;
export type RuleModifier = (typeof RULE_MODIFIERS)[number];
/** The parameters a modifier may tighten. */
export const modifierOverrideSchema = z.strictObject({ limit: finite.optional(), forMs: duration.optional(), durationMs: positiveDuration.optional() });
export type ModifierOverride = z.infer<typeof modifierOverrideSchema>;
export const modifierSchema = z.strictObject({
  /** Shown after each change it makes, e.g. "benzodiazepine or opioid given". */
  label: z.string().min(1).max(80),
  description: z.string().optional(),
  source: ruleSourceSchema,
  /** Rescue classes whose documented dose switches the modifier on. */
  whenRescueClasses: z.array(z.enum(RESCUE_CLASSES)).min(1).default([...SEDATIVE_CLASSES]),
  overrides: z.record(z.string(), modifierOverrideSchema),
});

/** Kinds whose `limit` a modifier can tighten, and which way is tighter. */
export function tighterLimit(rule: Rule, a: number, b: number): number | null {
  if (rule.kind === 'threshold') return rule.op === '<' ? Math.max(a, b) : Math.min(a, b);
  if (rule.kind === 'dose_guardrail' || rule.kind === 'treatment_count') return Math.min(a, b);
  return null;
}

/** Problems with a modifier: unknown rules, parameters a rule does not have, a limit with no tighter direction. */
export function modifierIssues(rules: readonly Rule[], overrides: Record<string, ModifierOverride>): string[] {
  const issues = overrideIssues(rules, overrides);
  for (const [ruleId, o] of Object.entries(overrides)) {
    const rule = rules.find((r) => r.id === ruleId);
    if (rule && o.limit !== undefined && tighterLimit(rule, 0, 0) === null) issues.push(`${ruleId}: limit cannot be tightened on a ${rule.kind} rule`);
  }
  return issues;
}

/** A rule with an override merged in (not yet validated). */
export function mergeOverride(rule: Rule, o: RuleOverride): unknown {
  const merged: Record<string, unknown> = { ...rule };
  for (const k of OVERRIDE_KEYS) if (o[k] !== undefined) merged[k] = o[k];
  // Switching between percent and absolute: the new one replaces the old one.
  if (o.percent !== undefined && o.absolute === undefined) delete merged.absolute;
  if (o.absolute !== undefined && o.percent === undefined) delete merged.percent;
  return merged;
}

/** Problems with applying overrides to rules, one line each ("spo2.low.high: limit: ..."). */
export function overrideIssues(rules: readonly Rule[], overrides: Record<string, RuleOverride>): string[] {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const issues: string[] = [];
  for (const [ruleId, o] of Object.entries(overrides)) {
    const rule = byId.get(ruleId);
    if (!rule) {
      issues.push(`${ruleId}: no such rule`);
      continue;
    }
    const parsed = ruleSchema.safeParse(mergeOverride(rule, o));
    if (!parsed.success)
      for (const i of parsed.error.issues)
        issues.push(`${ruleId}: ${i.code === 'unrecognized_keys' ? `${i.keys.join(', ')} cannot be set on a ${rule.kind} rule` : `${i.path.join('.') || '(rule)'}: ${i.message}`}`);
  }
  return issues;
}

/** How long a rule waits before a trend can raise it: its own delay, or the trends' confirmation if longer. */
export function trendDelayMs(rule: Rule): number {
  if (rule.kind === 'rate_of_change') return Math.max(rule.forMs, rule.confirmMs);
  if (rule.kind === 'combination') {
    let ms = rule.forMs;
    for (const c of [...(rule.all ?? []), ...(rule.any ?? [])]) if (c.type === 'trend') ms = Math.max(ms, c.confirmMs);
    return ms;
  }
  return rule.forMs;
}

/** Direction of a change that breaches a condition: a fall for `<`, a rise for `>`. */
const dirOf = (op: '<' | '>'): 'fall' | 'rise' => (op === '<' ? 'fall' : 'rise');

/**
 * What a rule raises on that a threshold or baseline rule may also judge, each with its direction:
 * a rate-of-change rule's trend; every condition of a combination that has a trend (its threshold
 * conditions are raised through the trend rule too). Empty for other rules.
 */
function watched(rule: Rule): { field: VitalField; direction: 'fall' | 'rise'; what: string }[] {
  if (rule.kind === 'rate_of_change') return [{ field: rule.field, direction: rule.direction, what: `a ${rule.field} ${rule.direction}` }];
  if (rule.kind !== 'combination') return [];
  const conds = [...(rule.all ?? []), ...(rule.any ?? [])];
  if (!conds.some((c) => c.type === 'trend')) return [];
  return conds.map((c) =>
    c.type === 'trend' ? { field: c.field, direction: c.direction, what: `a ${c.field} ${c.direction}` } : { field: c.field, direction: dirOf(c.op), what: `${c.field} ${c.op} ${c.limit}` },
  );
}

/**
 * A trend must not raise what a threshold or baseline rule's delay is there to ignore: every enabled
 * rate-of-change rule, and every combination with a trend, waits at least as long as the longest delay
 * of the enabled threshold and baseline-change rules on the same fields in the same direction.
 */
export function trendDelayIssues(rules: readonly Rule[]): { index: number; message: string }[] {
  const issues: { index: number; message: string }[] = [];
  rules.forEach((r, index) => {
    if (r.enabled === false) return;
    const waits = trendDelayMs(r);
    for (const w of watched(r)) {
      for (const o of rules) {
        if (o.enabled === false || o.forMs <= waits) continue;
        const same = (o.kind === 'threshold' && o.field === w.field && dirOf(o.op) === w.direction) || (o.kind === 'baseline_change' && o.field === w.field && o.direction === w.direction);
        if (same)
          issues.push({
            index,
            message: `${r.id}: waits ${waits / 1000} s on ${w.what}, shorter than the ${o.forMs / 1000} s delay of ${o.id}; ${r.kind === 'rate_of_change' ? 'confirmMs' : "forMs or the trend condition's confirmMs"} must be at least ${o.forMs}`,
          });
      }
    }
  });
  return issues;
}

type Loose = Record<string, unknown>;
const isLoose = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Rule sets stored before confirmMs existed: a trend without one gets the longest delay of the
 * enabled threshold and baseline-change rules on what its rule watches (see watched; at least
 * DEFAULT_TREND_CONFIRM_MS, and shorter than its window), so a site's edited set still loads and
 * its trends still wait as long as those rules.
 */
function withTrendConfirmation(input: unknown): unknown {
  if (!isLoose(input) || !Array.isArray(input.rules)) return input;
  const rules = input.rules as unknown[];
  /** The longest delay of the threshold and baseline rules on these (field, direction) pairs. */
  const needs = (on: Loose[]) => {
    let ms = DEFAULT_TREND_CONFIRM_MS;
    for (const o of rules) {
      if (!isLoose(o) || o.enabled === false || typeof o.forMs !== 'number') continue;
      const dir = o.kind === 'threshold' ? (o.op === '<' ? 'fall' : 'rise') : o.kind === 'baseline_change' ? o.direction : null;
      if (on.some((w) => w.field === o.field && (w.direction ?? (w.op === '<' ? 'fall' : 'rise')) === dir)) ms = Math.max(ms, o.forMs);
    }
    return ms;
  };
  let changed = false;
  const fill = (t: unknown, ms: number): unknown => {
    if (!isLoose(t) || t.confirmMs !== undefined) return t;
    changed = true;
    return { ...t, confirmMs: typeof t.windowMs === 'number' && t.windowMs > 0 ? Math.min(ms, t.windowMs - 1) : ms };
  };
  const next = rules.map((r) => {
    if (!isLoose(r)) return r;
    if (r.kind === 'rate_of_change') return fill(r, needs([r]));
    if (r.kind !== 'combination') return r;
    const conds = [...(Array.isArray(r.all) ? r.all : []), ...(Array.isArray(r.any) ? r.any : [])].filter(isLoose);
    const ms = needs(conds);
    const out: Loose = { ...r };
    for (const k of ['all', 'any'] as const) {
      const list = r[k];
      if (Array.isArray(list)) out[k] = list.map((c: unknown) => (isLoose(c) && c.type === 'trend' ? fill(c, ms) : c));
    }
    return out;
  });
  return changed ? { ...input, rules: next } : input;
}

/** The lowest and highest value a bedside override may give one parameter of one rule. */
const boundSchema = z.strictObject({ min: finite.optional(), max: finite.optional() });

/**
 * Dose safety checked before the dose and the bounds of bedside (per-patient) limits. Optional so
 * rule sets stored before it existed still load; without it, no rolling bolus window and no rescue
 * hard limit are checked, and the built-in locks (apnea and dose rules cannot be switched off, dose
 * limits cannot be raised at the bedside) still hold.
 */
export const doseSafetySchema = z.strictObject({
  /** Cumulative bolus dose over a rolling window (e.g. 0.35 mg/kg in 15 min). */
  bolusWindow: z
    .strictObject({
      limitMgKg: positive.max(10),
      windowMs: positiveDuration,
      enforce: z.enum(LIMIT_LEVELS),
      confirmRole: z.literal('physician').optional(),
      source: ruleSourceSchema,
    })
    .optional(),
  /** Rescue doses: soft above the site formulary's dose, hard at this multiple of it. */
  rescue: z.strictObject({ hardMultiple: z.number().finite().min(1).max(100), source: ruleSourceSchema }).optional(),
  /** Per-patient limits a physician sets stay inside these. */
  bedside: z
    .strictObject({
      /** Rules of these kinds cannot be switched off at the bedside. */
      lockedKinds: z.array(z.enum(RULE_KINDS_LIST)).default([]),
      /** Rules with these ids cannot be switched off at the bedside. */
      lockedRules: z.array(id).default([]),
      /** Per rule id, per parameter: the floor and ceiling of a bedside value. */
      bounds: z.record(z.string(), z.record(z.string(), boundSchema)).default({}),
      source: ruleSourceSchema,
    })
    .optional(),
});
export type DoseSafety = z.infer<typeof doseSafetySchema>;

/** The discharge scores a site can choose between: the modified Aldrete score or PADSS. */
export const DISCHARGE_SCALES = ['aldrete', 'padss'] as const;
export type DischargeScale = (typeof DISCHARGE_SCALES)[number];

/**
 * How the PADSS bleeding item is handled: an IV infusion leaves no surgical wound, so the site decides
 * (an institutional default, not from PADSS) whether the item is not applicable and scored 2, or scored by the nurse.
 */
export const PADSS_BLEEDING_HANDLING = ['not_applicable_scored_2', 'nurse_scores'] as const;
export type PadssBleedingHandling = (typeof PADSS_BLEEDING_HANDLING)[number];

/** A discharge criterion the site may require or not (escort home, no driving). */
const siteCriterionSchema = z.strictObject({ required: z.boolean(), source: ruleSourceSchema });

/**
 * The site's discharge criteria (recovery → discharged). Optional so rule sets stored before it still
 * load: without it the shipped defaults apply (`dischargeSettingsOf`); so do the parts added in rule
 * set version 6 (PADSS, escort and no-driving switches) when a set stored before it lacks them.
 */
export const dischargeSettingsSchema = z.strictObject({
  /** The score the site uses (modified Aldrete or PADSS) and the total a patient must reach on it (both scored 0-10). */
  score: z.strictObject({ scale: z.enum(DISCHARGE_SCALES), minScore: z.number().int().min(0).max(10), source: ruleSourceSchema }),
  /** PADSS (Chung 1995): its citation, and how the bleeding item is handled for an infusion. */
  padss: z
    .strictObject({
      source: ruleSourceSchema,
      bleeding: z.strictObject({ handling: z.enum(PADSS_BLEEDING_HANDLING), source: ruleSourceSchema }),
    })
    .optional(),
  /** A responsible adult escort home required (absent: required). */
  escort: siteCriterionSchema.optional(),
  /** Told not to drive, and agrees, required (absent: required). */
  noDriving: siteCriterionSchema.optional(),
  /** Least time between the stop of the infusion and discharge. */
  minObservation: z.strictObject({ ms: duration, source: ruleSourceSchema }),
  /** Latest vitals within ± percent of the measured pre-infusion baseline, for each field named. */
  vitalsRange: z.strictObject({ percent: z.number().finite().min(1).max(100), fields: z.array(field).min(1).max(VITAL_FIELDS.length), source: ruleSourceSchema }),
  /**
   * When post-infusion liver function tests are prompted (Q5: liver dysfunction, liver-toxicity risk,
   * frequent high doses): on the checklist's liver-risk answer, and/or from a cumulative dose (null: not used).
   */
  postInfusionLft: z.strictObject({ whenLiverRisk: z.boolean(), minCumulativeMgKg: positive.max(100).nullable(), source: ruleSourceSchema }),
});
export type DischargeSettings = z.infer<typeof dischargeSettingsSchema>;

export const ruleSetSchema = z.preprocess(
  withTrendConfirmation,
  z
    .strictObject({
      id: z.string().min(1),
      version: z.number().int().positive(),
      name: z.string().min(1),
      description: z.string(),
      profiles: z.strictObject({ elderly_comorbid: profileSchema.optional() }).optional(),
      doseSafety: doseSafetySchema.optional(),
      /** The weight per-kg doses are figured on (absent in rule sets stored before version 4: actual body weight). */
      dosingWeight: dosingWeightRuleSchema.optional(),
      /** Limits that tighten while something has happened in the session (absent in rule sets stored before version 4). */
      modifiers: z.strictObject({ sedative_given: modifierSchema.optional() }).optional(),
      /** Discharge criteria (absent in rule sets stored before version 5: the shipped defaults; PADSS, escort and no-driving from version 6). */
      discharge: dischargeSettingsSchema.optional(),
      /** Adverse-effect documentation: whether the site scores dissociation on CADSS (absent: off, the institutional default). */
      adverseEffects: z.strictObject({ cadss: z.boolean() }).optional(),
      rules: z.array(ruleSchema).min(1).max(500),
    })
    .superRefine((rs, ctx) => {
      const seen = new Set<string>();
      rs.rules.forEach((r, i) => {
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` });
        seen.add(r.id);
      });
      for (const { index, message } of trendDelayIssues(rs.rules)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'confirmMs'], message });
      for (const [name, profile] of Object.entries(rs.profiles ?? {})) {
        if (!profile) continue;
        for (const message of overrideIssues(rs.rules, profile.overrides))
          ctx.addIssue({ code: 'custom', path: ['profiles', name, 'overrides'], message });
      }
      for (const [name, m] of Object.entries(rs.modifiers ?? {})) {
        if (!m) continue;
        for (const message of modifierIssues(rs.rules, m.overrides)) ctx.addIssue({ code: 'custom', path: ['modifiers', name, 'overrides'], message });
      }
    }),
);

export type RuleSource = z.infer<typeof ruleSourceSchema>;
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type BaselineChangeRule = z.infer<typeof baselineChangeRuleSchema>;
export type RateOfChangeRule = z.infer<typeof rateOfChangeRuleSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type CombinationRule = z.infer<typeof combinationRuleSchema>;
export type NoBreathRule = z.infer<typeof noBreathRuleSchema>;
export type SensorOffRule = z.infer<typeof sensorOffRuleSchema>;
export type ImplausibleJumpRule = z.infer<typeof implausibleJumpRuleSchema>;
export type SignalAbsentRule = z.infer<typeof signalAbsentRuleSchema>;
export type TechnicalRule = z.infer<typeof technicalRuleSchema>;
export type NoDataRule = z.infer<typeof noDataRuleSchema>;
export type ObservationDueRule = z.infer<typeof observationDueRuleSchema>;
export type DoseGuardrailRule = z.infer<typeof doseGuardrailRuleSchema>;
export type SedationRule = z.infer<typeof sedationRuleSchema>;
export type TreatmentCountRule = z.infer<typeof treatmentCountRuleSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleKind = Rule['kind'];
export type RuleSet = z.infer<typeof ruleSetSchema>;
export type RuleSetInput = z.input<typeof ruleSetSchema>;

/** How a dose rule is enforced before the dose: its own setting, else hard for guideline limits, soft for institutional ones. */
export const limitLevel = (rule: DoseGuardrailRule): LimitLevel => rule.enforce ?? (rule.source.institutionalDefault ? 'soft' : 'hard');

export const formatSource = (s: RuleSource) =>
  `${s.document}, ${s.section}${s.institutionalDefault ? ' (institutional default, editable)' : ''}`;

/** The vital sign a rule watches, if it watches exactly one (for charts and the alarm log). */
export function ruleField(rule: Rule): (typeof VITAL_FIELDS)[number] | null {
  switch (rule.kind) {
    case 'threshold':
    case 'baseline_change':
    case 'rate_of_change':
      return rule.field;
    case 'technical':
      return rule.check === 'implausible_jump' ? rule.field : rule.fields.length === 1 ? (rule.fields[0] ?? null) : null;
    case 'no_breath':
      return 'rr';
    default:
      return null;
  }
}
