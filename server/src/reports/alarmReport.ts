import { z } from 'zod';
import { fieldErrors, type AlarmPriority, type AlarmReport, type RuleStats } from '@infusion/shared';
import type { Db } from '../persistence/db';
import { badRequest } from '../util/errors';
import { ackTimeBins, alarmTimeline } from './reportCharts';
import { isTimeZone } from './timeBuckets';

export const alarmReportQuerySchema = z.strictObject({
  unit: z.string().min(1).max(40),
  from: z.coerce.number().int().nonnegative(),
  to: z.coerce.number().int().positive(),
  includeSimulated: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** The reader's time zone: the charts' hours, midnights and months are local to it. */
  tz: z.string().max(64).refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
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
export function alarmReport(db: Db, query: unknown, now: number): AlarmReport {
  const p = alarmReportQuerySchema.safeParse(query);
  if (!p.success) throw badRequest('invalid report query', fieldErrors(p.error));
  const { unit, from, to, includeSimulated, tz } = p.data;
  if (to <= from) throw badRequest('invalid report query', [{ field: 'to', reason: 'must be after from' }]);
  const sim = includeSimulated ? '' : 'AND s.simulated = 0';

  const sessions = db
    .prepare(`SELECT id, created_at, ended_at FROM sessions s WHERE unit = ? AND created_at < ? AND COALESCE(ended_at, ?) > ? ${sim}`)
    .all(unit, to, now, from) as { id: string; created_at: number; ended_at: number | null }[];
  const sessionMs = sessions.reduce((acc, s) => acc + Math.max(0, Math.min(s.ended_at ?? now, to, now) - Math.max(s.created_at, from)), 0);
  const sessionHours = sessionMs / 3_600_000;
  const rate = (n: number) => (sessionHours > 0 ? round2(n / sessionHours) : 0);

  const alarmsStarted = (withSimulated: boolean) =>
    db
      .prepare(
        `SELECT a.id, a.rule_id, a.priority, a.started_at, json_extract(a.body, '$.title') AS title,
        (SELECT MIN(e.at) FROM alarm_events e WHERE e.alarm_id = a.id AND e.transition IN ('acknowledged', 'resolved') AND e.actor LIKE 'user:%') AS acked_at
       FROM alarms a JOIN sessions s ON s.id = a.session_id
       WHERE s.unit = ? AND a.started_at >= ? AND a.started_at < ? ${withSimulated ? '' : 'AND s.simulated = 0'}`,
      )
      .all(unit, from, to) as { id: number; rule_id: string; priority: AlarmPriority; started_at: number; title: string; acked_at: number | null }[];
  const alarms = alarmsStarted(includeSimulated);
  // The charts draw simulated alarms apart: the real sessions' alarms are the report's alarms without them.
  const chartAlarms = (xs: typeof alarms) => xs.map((a) => ({ priority: a.priority, startedAt: a.started_at, ackedAt: a.acked_at }));
  const all = chartAlarms(alarms);
  const real = includeSimulated ? chartAlarms(alarmsStarted(false)) : all;
  const firstSessionAt = sessions.reduce<number | null>((m, s) => (m === null || s.created_at < m ? s.created_at : m), null);

  const groups = new Map<string, typeof alarms>();
  for (const a of alarms) {
    const k = `${a.rule_id}\u0000${a.priority}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(a);
  }
  const ackSeconds = (xs: typeof alarms) => xs.filter((a) => a.acked_at !== null).map((a) => (a.acked_at! - a.started_at) / 1000);
  const byRule: RuleStats[] = [...groups.values()].map((xs) => {
    const acks = ackSeconds(xs);
    return {
      ruleId: xs[0]!.rule_id,
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

  const esc = db
    .prepare(
      `SELECT SUM(CASE WHEN level >= 1 THEN 1 ELSE 0 END) l1, SUM(CASE WHEN level >= 2 THEN 1 ELSE 0 END) l2, SUM(CASE WHEN state = 'acknowledged' THEN 1 ELSE 0 END) acked
       FROM escalations e WHERE e.unit = ? AND e.opened_at >= ? AND e.opened_at < ? ${includeSimulated ? '' : 'AND e.simulated = 0'}`,
    )
    .get(unit, from, to) as { l1: number | null; l2: number | null; acked: number | null };

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
    escalations: { level1: esc.l1 ?? 0, level2: esc.l2 ?? 0, acknowledged: esc.acked ?? 0 },
    timeline: alarmTimeline(all, real, { from, to, now, tz, firstSessionAt }),
    ackTimes: ackTimeBins(all, real),
  };
}
