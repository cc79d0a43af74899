import type { GuardrailLimitStats, GuardrailOverride, GuardrailReport } from '@infusion/shared';
import type { ReportRepo } from '../persistence/reportRepo';
import { reportPeriod } from './alarmReport';

/** Soft-limit alerts, overrides with their reasons and hard-limit refusals per limit, for one unit and period. */
export async function guardrailReport(repo: ReportRepo, query: unknown): Promise<GuardrailReport> {
  const period = reportPeriod(query);
  const { unit, from, to, includeSimulated } = period;
  const rows = await repo.guardrailEvents(period);
  const byLimit = new Map<string, GuardrailLimitStats>();
  for (const r of rows) {
    const k = `${r.limitId}\u0000${r.level}`;
    const st = byLimit.get(k) ?? { limitId: r.limitId, label: r.label, level: r.level, alerts: 0, overrides: 0, refusals: 0 };
    if (r.outcome === 'alerted') st.alerts++;
    else if (r.outcome === 'overridden') st.overrides++;
    else st.refusals++;
    byLimit.set(k, st);
  }
  const overrideReasons: GuardrailOverride[] = rows
    .filter((r) => r.outcome === 'overridden')
    .map((r) => ({ at: r.at, by: r.by, action: r.action, limitId: r.limitId, value: r.value, limit: r.lim, unit: r.unitOfMeasure, reason: r.reason ?? '' }));
  const stats = [...byLimit.values()].sort((a, b) => b.alerts + b.overrides + b.refusals - (a.alerts + a.overrides + a.refusals) || a.limitId.localeCompare(b.limitId));
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
