import { configureRuleSet, PRIORITY_SIGNAL, RuleSetConfigError, type RuleChange, type RuleSet, type Session, type VitalField } from '@infusion/shared';

/** A threshold in force for this session, drawn as a horizontal line on its vital's chart. */
export interface LimitLine {
  field: VitalField;
  value: number;
  op: '<' | '>';
  colour: string;
  /** Differs from the site's rule set (profile, physician's change or a rescue drug): drawn dashed and labelled. */
  changed: boolean;
  /** e.g. "SpO2 < 90 (changed)". */
  label: string;
}

const FIELD_LABEL: Record<VitalField, string> = { hr: 'HR', sbp: 'SBP', dbp: 'DBP', map: 'MAP', spo2: 'SpO2', etco2: 'EtCO2', rr: 'RR' };

/**
 * The enabled threshold rules of the session's effective rule set (GET /api/sessions/:id/rules, which
 * already carries the profile, the physician's overrides and active modifiers), one line per limit.
 */
export function limitLines(ruleSet: Pick<RuleSet, 'rules'> | null, changes: readonly Pick<RuleChange, 'ruleId' | 'param'>[]): LimitLine[] {
  if (!ruleSet) return [];
  const out: LimitLine[] = [];
  for (const r of ruleSet.rules) {
    if (r.kind !== 'threshold' || r.enabled === false) continue;
    const changed = changes.some((c) => c.ruleId === r.id && c.param === 'limit');
    const label = `${FIELD_LABEL[r.field]} ${r.op} ${r.limit}${changed ? ' (changed)' : ''}`;
    out.push({ field: r.field, value: r.limit, op: r.op, colour: PRIORITY_SIGNAL[r.priority].colour, changed, label });
  }
  // One line per field and value; where two rules share it, a changed one wins so the change is never hidden.
  const rank = (l: LimitLine) => (l.changed ? 1 : 0);
  const seen = new Map<string, LimitLine>();
  for (const l of out) {
    const key = `${l.field}:${l.value}`;
    const prev = seen.get(key);
    if (!prev || rank(l) > rank(prev)) seen.set(key, l);
  }
  return [...seen.values()];
}

/**
 * The limits an ended session ran on, from what its record keeps: its rule set version, its profile and
 * the physician's overrides, configured as the server configured them (overrides that no longer fit are
 * left out, as the server ran without them). A rescue drug's temporary tightening is not drawn: when it
 * applied is the session's history, not its final configuration.
 */
export function endedLimitLines(ruleSet: RuleSet | null, session: Pick<Session, 'profile' | 'limitOverrides'>): LimitLine[] {
  if (!ruleSet) return [];
  let configured;
  try {
    configured = configureRuleSet(ruleSet, { profile: session.profile, overrides: session.limitOverrides?.overrides ?? {} });
  } catch (err) {
    if (!(err instanceof RuleSetConfigError)) throw err;
    configured = configureRuleSet(ruleSet, { profile: session.profile });
  }
  return limitLines(configured.ruleSet, configured.changes);
}
