import { z } from 'zod';
import { fieldErrors, type AlarmReport, type RuleStats } from '@infusion/shared';
import type { ReportRepo } from '../persistence/reportRepo';
import { badRequest } from '../util/errors';

export const alarmReportQuerySchema = z.strictObject({
  unit: z.string().min(1).max(40),
  from: z.coerce.number().int().nonnegative(),
  to: z.coerce.number().int().positive(),
  includeSimulated: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
});

const quantile = (xs: number[], q: number): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return Math.round((s[lo]! + (s[hi]! - s[lo]!) * (pos - lo)) * 10) / 10;
};
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Alarm statistics for one unit and period: counts per session-hour, time to acknowledge, escalations. */
export async function alarmReport(repo: ReportRepo, query: unknown, now: number): Promise<AlarmReport> {
  const period = reportPeriod(query);
  const { unit, from, to, includeSimulated } = period;

  const sessions = await repo.sessionsOverlapping(period, now);
  const sessionMs = sessions.reduce((acc, s) => acc + Math.max(0, Math.min(s.endedAt ?? now, to, now) - Math.max(s.createdAt, from)), 0);
  const sessionHours = sessionMs / 3_600_000;
  const rate = (n: number) => (sessionHours > 0 ? round2(n / sessionHours) : 0);

  const alarms = await repo.alarmsStarted(period);

  const groups = new Map<string, typeof alarms>();
  for (const a of alarms) {
    const k = `${a.ruleId}\u0000${a.priority}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(a);
  }
  const ackSeconds = (xs: typeof alarms) => xs.filter((a) => a.ackedAt !== null).map((a) => (a.ackedAt! - a.startedAt) / 1000);
  const byRule: RuleStats[] = [...groups.values()].map((xs) => {
    const acks = ackSeconds(xs);
    return {
      ruleId: xs[0]!.ruleId,
      priority: xs[0]!.priority,
      title: xs[0]!.title,
      count: xs.length,
      perSessionHour: rate(xs.length),
      acknowledged: acks.length,
      medianAckS: quantile(acks, 0.5),
      p90AckS: quantile(acks, 0.9),
    };
  });
  byRule.sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId));
  const byPriority = Object.fromEntries(
    (['high', 'medium', 'low'] as const).map((pr) => {
      const xs = alarms.filter((a) => a.priority === pr);
      const acks = ackSeconds(xs);
      return [pr, { count: xs.length, perSessionHour: rate(xs.length), medianAckS: quantile(acks, 0.5), p90AckS: quantile(acks, 0.9) }];
    }),
  ) as AlarmReport['byPriority'];

  const escalations = await repo.escalationCounts(period);

  return {
    unit,
    from,
    to,
    includeSimulated,
    sessions: sessions.length,
    sessionHours: round2(sessionHours),
    alarms: alarms.length,
    alarmsPerSessionHour: rate(alarms.length),
    byPriority,
    byRule,
    noisiestRules: byRule.slice(0, 5),
    escalations,
  };
}

/** The validated unit and period of a report query (400 naming the field otherwise). */
export function reportPeriod(query: unknown): { unit: string; from: number; to: number; includeSimulated: boolean } {
  const p = alarmReportQuerySchema.safeParse(query);
  if (!p.success) throw badRequest('invalid report query', fieldErrors(p.error));
  if (p.data.to <= p.data.from) throw badRequest('invalid report query', [{ field: 'to', reason: 'must be after from' }]);
  return p.data;
}
