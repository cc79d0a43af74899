import type { AlarmPriority } from '@infusion/shared';
import type { Store } from './store';

export interface ReportPeriod {
  unit: string;
  from: number;
  to: number;
  includeSimulated: boolean;
}

export interface ReportAlarmRow {
  id: number;
  ruleId: string;
  priority: AlarmPriority;
  startedAt: number;
  title: string;
  /** When a user first acknowledged (or resolved) it; null if nobody did. */
  ackedAt: number | null;
}

export interface GuardrailRow {
  at: number;
  by: string;
  action: string;
  outcome: 'alerted' | 'overridden' | 'refused';
  limitId: string;
  label: string;
  level: 'soft' | 'hard';
  value: number;
  lim: number;
  unitOfMeasure: string;
  reason: string | null;
}

/** The rows the alarm and guardrail reports aggregate: one unit, one period. */
export interface ReportRepo {
  /** Sessions of the unit open at some time in [from, to) (`now` stands in for an end not yet reached). */
  sessionsOverlapping(p: ReportPeriod, now: number): Promise<{ createdAt: number; endedAt: number | null }[]>;
  alarmsStarted(p: ReportPeriod): Promise<ReportAlarmRow[]>;
  escalationCounts(p: ReportPeriod): Promise<{ level1: number; level2: number; acknowledged: number }>;
  /** Newest first. */
  guardrailEvents(p: ReportPeriod): Promise<GuardrailRow[]>;
}

export function reportRepo(store: Store): ReportRepo {
  const { db } = store;
  return {
    async sessionsOverlapping({ unit, from, to, includeSimulated }, now) {
      let q = db
        .selectFrom('sessions')
        .select(['created_at', 'ended_at'])
        .where('unit', '=', unit)
        .where('created_at', '<', to)
        .where((eb) => eb(eb.fn.coalesce('ended_at', eb.val(now)), '>', from));
      if (!includeSimulated) q = q.where('simulated', '=', 0);
      return (await q.execute()).map((r) => ({ createdAt: r.created_at, endedAt: r.ended_at }));
    },
    async alarmsStarted({ unit, from, to, includeSimulated }) {
      let q = db
        .selectFrom('alarms as a')
        .innerJoin('sessions as s', 's.id', 'a.session_id')
        .select((eb) => [
          'a.id',
          'a.rule_id',
          'a.priority',
          'a.started_at',
          'a.body',
          eb
            .selectFrom('alarm_events as e')
            .select((e) => e.fn.min('e.at').as('at'))
            .whereRef('e.alarm_id', '=', 'a.id')
            .where('e.transition', 'in', ['acknowledged', 'resolved'])
            .where('e.actor', 'like', 'user:%')
            .as('acked_at'),
        ])
        .where('s.unit', '=', unit)
        .where('a.started_at', '>=', from)
        .where('a.started_at', '<', to);
      if (!includeSimulated) q = q.where('s.simulated', '=', 0);
      // The title is read from the stored alarm in code: JSON functions differ between databases.
      return (await q.execute()).map((r) => ({
        id: r.id,
        ruleId: r.rule_id,
        priority: r.priority as AlarmPriority,
        startedAt: r.started_at,
        title: (JSON.parse(r.body) as { title: string }).title,
        ackedAt: r.acked_at === null ? null : Number(r.acked_at),
      }));
    },
    async escalationCounts({ unit, from, to, includeSimulated }) {
      let q = db
        .selectFrom('escalations')
        .select(['level', 'state'])
        .where('unit', '=', unit)
        .where('opened_at', '>=', from)
        .where('opened_at', '<', to);
      if (!includeSimulated) q = q.where('simulated', '=', 0);
      const rows = await q.execute();
      return {
        level1: rows.filter((r) => r.level >= 1).length,
        level2: rows.filter((r) => r.level >= 2).length,
        acknowledged: rows.filter((r) => r.state === 'acknowledged').length,
      };
    },
    async guardrailEvents({ unit, from, to, includeSimulated }) {
      let q = db
        .selectFrom('guardrail_events')
        .select(['at', 'by', 'action', 'outcome', 'limit_id', 'label', 'level', 'value', 'lim', 'unit_of_measure', 'reason'])
        .where('unit', '=', unit)
        .where('at', '>=', from)
        .where('at', '<', to);
      if (!includeSimulated) q = q.where('simulated', '=', 0);
      const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').execute();
      return rows.map((r) => ({
        at: r.at,
        by: r.by,
        action: r.action,
        outcome: r.outcome as GuardrailRow['outcome'],
        limitId: r.limit_id,
        label: r.label,
        level: r.level as GuardrailRow['level'],
        value: r.value,
        lim: r.lim,
        unitOfMeasure: r.unit_of_measure,
        reason: r.reason,
      }));
    },
  };
}
