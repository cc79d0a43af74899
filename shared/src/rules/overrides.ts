import { z } from 'zod';
import type { Formulary, RescueDose } from '../formulary';
import type { RuleProfile } from '../sessions';
import { fmtDuration } from './format';
import {
  OVERRIDE_KEYS,
  mergeOverride,
  overrideIssues,
  ruleOverrideSchema,
  ruleSchema,
  ruleSetSchema,
  tighterLimit,
  type Rule,
  type RuleModifier,
  type RuleOverride,
  type RuleSet,
} from './schema';

/**
 * Profiles and per-session overrides. Both return a new, validated rule set and the list of what
 * changed, so a screen can always show that a session runs on changed limits.
 */

export interface RuleChange {
  ruleId: string;
  title: string;
  param: keyof RuleOverride;
  from: number | string | boolean | null;
  to: number | string | boolean | null;
  origin: 'profile' | 'override' | 'modifier';
  /** e.g. "SpO2 low: limit 88 → 90". */
  text: string;
}

export interface ConfiguredRuleSet {
  ruleSet: RuleSet;
  changes: RuleChange[];
}

/** An override that cannot be applied: unknown rule, a parameter the rule does not have, an invalid value. */
export class RuleSetConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`rule overrides refused: ${issues.join('; ')}`);
    this.name = 'RuleSetConfigError';
  }
}

export const overridesSchema = z.record(z.string(), ruleOverrideSchema);
export type RuleOverrides = z.infer<typeof overridesSchema>;

const PARAM_TEXT: Record<keyof RuleOverride, string> = {
  enabled: 'enabled',
  priority: 'priority',
  latching: 'latching',
  forMs: 'delay',
  clearForMs: 'clear delay',
  limit: 'limit',
  hysteresis: 'hysteresis',
  percent: 'change',
  absolute: 'change',
  delta: 'change',
  windowMs: 'window',
  durationMs: 'duration',
  timeoutMs: 'timeout',
  presentWithinMs: 'data-back window',
  intervalMs: 'interval',
  maxDelta: 'maximum jump',
  withinMs: 'jump window',
  holdMs: 'hold',
  minEtco2: 'minimum EtCO2',
  maxFrameGapMs: 'respiratory reading gap',
  confirmMs: 'confirmation time',
  absentMs: 'absent time',
  absentAfterMs: 'signal-absent time',
};

type Scalar = number | string | boolean | null;

function show(param: keyof RuleOverride, v: Scalar): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number' && param.endsWith('Ms')) return fmtDuration(v);
  if (param === 'percent') return `${v}%`;
  return String(v);
}

function changeText(title: string, param: keyof RuleOverride, from: Scalar, to: Scalar): string {
  if (param === 'enabled') return `${title}: ${to === false ? 'switched off' : 'switched on'}`;
  return `${title}: ${PARAM_TEXT[param]} ${show(param, from)} → ${show(param, to)}`;
}

const scalar = (v: unknown): Scalar => (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : null);

function diff(before: Rule, after: Rule, origin: RuleChange['origin']): RuleChange[] {
  const out: RuleChange[] = [];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  for (const param of OVERRIDE_KEYS) {
    // An absent `enabled` means enabled.
    const from = param === 'enabled' ? (b.enabled ?? true) : scalar(b[param]);
    const to = param === 'enabled' ? (a.enabled ?? true) : scalar(a[param]);
    if (from !== to) out.push({ ruleId: after.id, title: after.title, param, from: scalar(from), to: scalar(to), origin, text: changeText(after.title, param, scalar(from), scalar(to)) });
  }
  return out;
}

function apply(
  ruleSet: RuleSet,
  overrides: unknown,
  origin: RuleChange['origin'],
  mark?: (rule: Rule) => Rule,
): ConfiguredRuleSet {
  const parsed = overridesSchema.safeParse(overrides);
  if (!parsed.success) throw new RuleSetConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(overrides)'}: ${i.message}`));
  const issues = overrideIssues(ruleSet.rules, parsed.data);
  if (issues.length) throw new RuleSetConfigError(issues);
  const changes: RuleChange[] = [];
  const rules = ruleSet.rules.map((rule) => {
    const o = parsed.data[rule.id];
    if (!o) return rule;
    const next = ruleSchema.parse(mergeOverride(rule, o));
    const d = diff(rule, next, origin);
    changes.push(...d);
    return d.length && mark ? mark(next) : next;
  });
  const result = ruleSetSchema.safeParse({ ...ruleSet, rules });
  if (!result.success) throw new RuleSetConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  return { ruleSet: result.data, changes };
}

/**
 * Per-session (or per-site) overrides: { [ruleId]: { enabled?, limit?, forMs?, ... } }.
 * Throws RuleSetConfigError naming every override that cannot be applied; applies none then.
 */
export function applyOverrides(ruleSet: RuleSet, overrides: RuleOverrides): ConfiguredRuleSet {
  return apply(ruleSet, overrides, 'override');
}

const PROFILE_TEXT: Record<RuleProfile, string> = { standard: 'standard profile', elderly_comorbid: 'elderly/comorbid profile' };

/**
 * The rule set for a patient profile. 'standard' (or a profile the set does not define) leaves the
 * set as it is. Changed rules say so in their source, as institutional defaults.
 */
export function applyProfile(ruleSet: RuleSet, profile: RuleProfile): ConfiguredRuleSet {
  if (profile === 'standard') return { ruleSet, changes: [] };
  const def = ruleSet.profiles?.[profile];
  if (!def) return { ruleSet, changes: [] };
  const why = def.source ? def.source.section : 'profile value';
  return apply(ruleSet, def.overrides, 'profile', (rule) => ({
    ...rule,
    source: {
      ...rule.source,
      section: `${rule.source.section}; ${PROFILE_TEXT[profile]}: ${why}`,
      institutionalDefault: rule.source.institutionalDefault || (def.source?.institutionalDefault ?? true),
    },
  }));
}

/**
 * Modifiers in force (e.g. a sedative given): each tightens the limits it names, never loosens
 * them: a value looser than the one in force (the site's, the profile's or a physician's) is left
 * out. Changed rules and change texts say why ("SpO2 low: limit 88 → 90 (benzodiazepine or opioid given)").
 */
export function applyModifiers(ruleSet: RuleSet, modifiers: readonly RuleModifier[]): ConfiguredRuleSet {
  let configured: ConfiguredRuleSet = { ruleSet, changes: [] };
  for (const name of new Set(modifiers)) {
    const m = ruleSet.modifiers?.[name];
    if (!m) continue;
    const tightening: RuleOverrides = {};
    for (const [ruleId, o] of Object.entries(m.overrides)) {
      const rule = configured.ruleSet.rules.find((r) => r.id === ruleId);
      if (!rule) continue;
      const t: RuleOverride = {};
      if (o.limit !== undefined && 'limit' in rule) {
        const limit = tighterLimit(rule, rule.limit, o.limit);
        if (limit !== null && limit !== rule.limit) t.limit = limit;
      }
      if (o.forMs !== undefined && o.forMs < rule.forMs) t.forMs = o.forMs;
      if (o.durationMs !== undefined && rule.kind === 'no_breath' && o.durationMs < rule.durationMs) t.durationMs = o.durationMs;
      if (Object.keys(t).length) tightening[ruleId] = t;
    }
    const next = apply(configured.ruleSet, tightening, 'modifier', (rule) => ({
      ...rule,
      source: { ...rule.source, section: `${rule.source.section}; ${m.label}: ${m.source.section}`, institutionalDefault: rule.source.institutionalDefault || m.source.institutionalDefault },
    }));
    configured = { ruleSet: next.ruleSet, changes: [...configured.changes, ...next.changes.map((c) => ({ ...c, text: `${c.text} (${m.label})` }))] };
  }
  return configured;
}

/**
 * When each modifier of the rule set came into force: the event time of the first documented dose
 * of one of its classes (the drug's class from the formulary). Modifiers not in force are absent.
 */
export function modifierStarts(ruleSet: RuleSet, formulary: Pick<Formulary, 'entries'>, doses: readonly Pick<RescueDose, 'drugId' | 't'>[]): Partial<Record<RuleModifier, number>> {
  const out: Partial<Record<RuleModifier, number>> = {};
  const classOf = new Map(formulary.entries.map((e) => [e.id, e.class]));
  for (const [name, m] of Object.entries(ruleSet.modifiers ?? {}) as [RuleModifier, NonNullable<NonNullable<RuleSet['modifiers']>[RuleModifier]>][]) {
    for (const d of doses) {
      const cls = classOf.get(d.drugId);
      if (cls && m.whenRescueClasses.includes(cls) && (out[name] === undefined || d.t < out[name])) out[name] = d.t;
    }
  }
  return out;
}

/** The modifiers in force after these documented doses. */
export function modifiersFromRescue(ruleSet: RuleSet, formulary: Pick<Formulary, 'entries'>, doses: readonly Pick<RescueDose, 'drugId' | 't'>[]): RuleModifier[] {
  return Object.keys(modifierStarts(ruleSet, formulary, doses)) as RuleModifier[];
}

/**
 * Profile first, then per-session overrides, then the modifiers in force (which only tighten); the
 * change list holds all three, in that order.
 */
export function configureRuleSet(ruleSet: RuleSet, opts: { profile?: RuleProfile; overrides?: RuleOverrides; modifiers?: readonly RuleModifier[] } = {}): ConfiguredRuleSet {
  const p = applyProfile(ruleSet, opts.profile ?? 'standard');
  const o = !opts.overrides || Object.keys(opts.overrides).length === 0 ? p : applyOverrides(p.ruleSet, opts.overrides);
  const oChanges = o === p ? [] : o.changes;
  if (!opts.modifiers?.length) return { ruleSet: o.ruleSet, changes: [...p.changes, ...oChanges] };
  const m = applyModifiers(o.ruleSet, opts.modifiers);
  return { ruleSet: m.ruleSet, changes: [...p.changes, ...oChanges, ...m.changes] };
}

/** Without a bedside section in the rule set, apnea and dose rules still cannot be switched off. */
const DEFAULT_LOCKED_KINDS: readonly Rule['kind'][] = ['no_breath', 'dose_guardrail'];

/**
 * Per-patient limits stay inside the site's floors and ceilings: locked rules (apnea, dose limits)
 * cannot be switched off, dose limits cannot be raised above the site's (profile's) value, and every
 * bounded parameter stays in its range. `ruleSet` is the set the overrides apply to (profile applied).
 * One line per problem, naming the rule, the parameter and the bound.
 */
export function bedsideIssues(ruleSet: RuleSet, overrides: RuleOverrides): string[] {
  const bedside = ruleSet.doseSafety?.bedside;
  const lockedKinds = bedside?.lockedKinds ?? DEFAULT_LOCKED_KINDS;
  const lockedRules = bedside?.lockedRules ?? [];
  const issues: string[] = [];
  for (const [ruleId, o] of Object.entries(overrides)) {
    const rule = ruleSet.rules.find((r) => r.id === ruleId);
    if (!rule) continue;
    if (o.enabled === false && (lockedKinds.includes(rule.kind) || lockedRules.includes(rule.id))) issues.push(`${ruleId}: ${rule.title} cannot be switched off at the bedside`);
    if (rule.kind === 'dose_guardrail' && o.limit !== undefined && o.limit > rule.limit)
      issues.push(`${ruleId}: limit ${o.limit} is above the site's ${rule.limit}: a dose limit can be lowered at the bedside, not raised`);
    const bounds = bedside?.bounds[ruleId] ?? {};
    for (const [param, b] of Object.entries(bounds)) {
      const v = (o as Record<string, unknown>)[param];
      if (typeof v !== 'number') continue;
      if (b.min !== undefined && v < b.min) issues.push(`${ruleId}: ${param} ${v} is below the site's floor of ${b.min}`);
      if (b.max !== undefined && v > b.max) issues.push(`${ruleId}: ${param} ${v} is above the site's ceiling of ${b.max}`);
    }
  }
  return issues;
}
