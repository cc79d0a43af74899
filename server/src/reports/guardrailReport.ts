import { fieldErrors, type GuardrailLimitStats, type GuardrailOverride, type GuardrailReport } from '@infusion/shared';
import type { Db } from '../persistence/db';
import { badRequest } from '../util/errors';
import { alarmReportQuerySchema } from './alarmReport';
import { withSimulatedPart } from './reportCharts';

interface Row {
  at: number;
  by: string;
  action: string;
  outcome: 'alerted' | 'overridden' | 'refused';
  limit_id: string;
  label: string;
  level: 'soft' | 'hard';
  value: number;
  lim: number;
  unit_of_measure: string;
  reason: string | null;
}

/** Soft-limit alerts, overrides with their reasons and hard-limit refusals per limit, for one unit and period. */
export function guardrailReport(db: Db, query: unknown): GuardrailReport {
  const p = alarmReportQuerySchema.safeParse(query);
  if (!p.success) throw badRequest('invalid report query', fieldErrors(p.error));
  const { unit, from, to, includeSimulated } = p.data;
  if (to <= from) throw badRequest('invalid report query', [{ field: 'to', reason: 'must be after from' }]);
  const events = (withSimulated: boolean) =>
    db
      .prepare(
        `SELECT at, by, action, outcome, limit_id, label, level, value, lim, unit_of_measure, reason FROM guardrail_events
       WHERE unit = ? AND at >= ? AND at < ? ${withSimulated ? '' : 'AND simulated = 0'} ORDER BY at DESC, id DESC`,
      )
      .all(unit, from, to) as Row[];
  const rows = events(includeSimulated);
  const byLimit = new Map<string, Omit<GuardrailLimitStats, 'simulated'>>();
  for (const r of rows) {
    const k = `${r.limit_id}\u0000${r.level}`;
    const st = byLimit.get(k) ?? { limitId: r.limit_id, label: r.label, level: r.level, alerts: 0, overrides: 0, refusals: 0 };
    if (r.outcome === 'alerted') st.alerts++;
    else if (r.outcome === 'overridden') st.overrides++;
    else st.refusals++;
    byLimit.set(k, st);
  }
  const overrideReasons: GuardrailOverride[] = rows
    .filter((r) => r.outcome === 'overridden')
    .map((r) => ({ at: r.at, by: r.by, action: r.action, limitId: r.limit_id, value: r.value, limit: r.lim, unit: r.unit_of_measure, reason: r.reason ?? '' }));
  // The chart draws the simulated sessions' part apart: the real sessions' events are the report's without them.
  const real = (includeSimulated ? events(false) : rows).map((r) => ({ limitId: r.limit_id, level: r.level, outcome: r.outcome }));
  const stats = withSimulatedPart([...byLimit.values()], real).sort((a, b) => b.alerts + b.overrides + b.refusals - (a.alerts + a.overrides + a.refusals) || a.limitId.localeCompare(b.limitId));
  return {
    unit,
    from,
    to,
    includeSimulated,
    softAlerts: rows.filter((r) => r.outcome === 'alerted').length,
    overrides: overrideReasons.length,
    hardRefusals: rows.filter((r) => r.outcome === 'refused').length,
    byLimit: stats,
    overrideReasons,
  };
}
