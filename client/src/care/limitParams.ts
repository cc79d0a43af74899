import { ALARM_PRIORITIES, OVERRIDE_KEYS, VITAL_META, ruleField, type AlarmPriority, type LimitOverrides, type Rule, type RuleOverride } from '@infusion/shared';
import { parseDecimal } from '../forms';

/**
 * The patient-specific limits editor: which parameters a rule has (only those can be changed), how
 * each is typed, and the overrides document sent to PUT /api/sessions/:id/limits.
 */

export type ParamKey = keyof RuleOverride;
export type ParamKind = 'boolean' | 'priority' | 'number' | 'duration';
export type ParamValue = number | boolean | AlarmPriority;

export interface LimitParamOption {
  key: ParamKey;
  label: string;
  kind: ParamKind;
  /** The value in force for this session (the rule set with its profile and overrides applied). */
  current: ParamValue;
  /** Unit shown next to the input (durations are typed in seconds). */
  unit: string;
}

/** Labels of the known parameters; a parameter added to the schema later shows under its own name. */
const LABEL: Partial<Record<ParamKey, string>> = {
  enabled: 'Enabled',
  priority: 'Priority',
  latching: 'Latching',
  forMs: 'Delay before the alarm',
  clearForMs: 'Clear delay',
  limit: 'Limit',
  hysteresis: 'Hysteresis',
  percent: 'Change (percent)',
  absolute: 'Change (absolute)',
  delta: 'Change',
  windowMs: 'Window',
  durationMs: 'Duration',
  timeoutMs: 'Timeout',
  presentWithinMs: 'Data-back window',
  intervalMs: 'Interval',
  maxDelta: 'Maximum jump',
  withinMs: 'Jump window',
  holdMs: 'Hold',
  minEtco2: 'Minimum EtCO2',
  maxFrameGapMs: 'Respiratory reading gap',
  confirmMs: 'Confirmation time (the change must persist)',
  absentMs: 'Signal absent for',
  absentAfterMs: 'Signal counts as absent after',
};

const kindOf = (key: ParamKey): ParamKind =>
  key === 'enabled' || key === 'latching' ? 'boolean' : key === 'priority' ? 'priority' : key.endsWith('Ms') ? 'duration' : 'number';

function unitOf(rule: Rule, key: ParamKey): string {
  if (kindOf(key) === 'duration') return 's';
  if (key === 'percent') return '%';
  if (key === 'minEtco2') return VITAL_META.etco2.displayUnit;
  if (key === 'limit' && rule.kind === 'dose_guardrail') return rule.check === 'rate' ? 'mg/kg/h' : 'mg/kg';
  if (key === 'limit' && rule.kind === 'treatment_count') return 'treatments';
  const field = ruleField(rule);
  if (field && ['limit', 'hysteresis', 'absolute', 'delta', 'maxDelta'].includes(key)) return VITAL_META[field].displayUnit;
  return '';
}

/**
 * The parameters this rule has, in the order of the override schema. `enabled` is offered for every
 * rule (absent means enabled); anything else only when the rule carries it.
 */
export function limitParamOptions(rule: Rule): LimitParamOption[] {
  const r = rule as unknown as Record<string, unknown>;
  const out: LimitParamOption[] = [];
  for (const key of OVERRIDE_KEYS) {
    const kind = kindOf(key);
    const v = key === 'enabled' ? (rule.enabled ?? true) : r[key];
    if (kind === 'boolean' ? typeof v !== 'boolean' : kind === 'priority' ? typeof v !== 'string' : typeof v !== 'number') continue;
    out.push({ key, label: LABEL[key] ?? key, kind, current: v as ParamValue, unit: unitOf(rule, key) });
  }
  return out;
}

/** The value as the input shows it (durations in seconds). */
export function paramInputText(o: Pick<LimitParamOption, 'kind'>, v: ParamValue): string {
  if (o.kind === 'duration' && typeof v === 'number') return String(v / 1000);
  return String(v);
}

/** "30 s", "88 %", "yes", "high". */
export function paramValueText(o: Pick<LimitParamOption, 'kind' | 'unit'>, v: ParamValue): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  const text = paramInputText(o, v);
  return o.unit ? `${text} ${o.unit}` : text;
}

/** What was typed or chosen, as the value the server takes (durations to ms), or why not. */
export function parseParamValue(o: Pick<LimitParamOption, 'kind' | 'key'>, text: string): { ok: true; value: ParamValue } | { ok: false; reason: string } {
  switch (o.kind) {
    case 'boolean':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, reason: 'choose yes or no' };
    case 'priority':
      if ((ALARM_PRIORITIES as readonly string[]).includes(text)) return { ok: true, value: text as AlarmPriority };
      return { ok: false, reason: 'choose a priority' };
    case 'duration': {
      const s = parseDecimal(text);
      if (s === null) return { ok: false, reason: 'enter a duration in seconds' };
      return { ok: true, value: Math.round(s * 1000) };
    }
    case 'number': {
      const n = parseDecimal(text, o.key === 'limit');
      if (n === null) return { ok: false, reason: 'enter a number' };
      return { ok: true, value: n };
    }
  }
}

/**
 * The session's overrides with one parameter set. PUT replaces the whole set, so what a physician
 * changed before is kept.
 */
export function withLimitOverride(existing: LimitOverrides['overrides'] | undefined, ruleId: string, key: ParamKey, value: ParamValue): Record<string, RuleOverride> {
  const out: Record<string, RuleOverride> = {};
  for (const [id, o] of Object.entries(existing ?? {})) out[id] = { ...(o as RuleOverride) };
  out[ruleId] = { ...out[ruleId], [key]: value } as RuleOverride;
  return out;
}
