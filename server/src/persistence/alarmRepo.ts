import type { Alarm, AlarmTransition, AlarmUpdate } from '@infusion/shared';
import type { Db } from './db';
import type { Tx } from './store';

/** Alarms are stored as their full JSON body plus the columns that queries filter on. */
export class AlarmRepo {
  private readonly sUnresolved;
  private readonly sSession;
  private readonly sSince;
  private readonly sMaxIds;

  constructor(db: Db) {
    this.sUnresolved = db.prepare("SELECT body FROM alarms WHERE state <> 'resolved' ORDER BY id");
    this.sSession = db.prepare('SELECT body FROM alarms WHERE session_id = ? ORDER BY id DESC LIMIT ?');
    this.sSince = db.prepare('SELECT id, transition, at, alarm FROM alarm_events WHERE id > ? ORDER BY id LIMIT ?');
    this.sMaxIds = db.prepare('SELECT (SELECT MAX(id) FROM alarms) a, (SELECT MAX(id) FROM alarm_events) e');
  }

  /** Runs inside the write-queue transaction: the alarm row and its event commit together. */
  async write(trx: Tx, u: AlarmUpdate, actor: string | null): Promise<void> {
    const a = u.alarm;
    const simulated = a.simulated ? 1 : 0;
    const body = JSON.stringify(a);
    const state = { state: a.state, condition_active: a.conditionActive ? 1 : 0, resolved_at: a.resolvedAt, body };
    await trx
      .insertInto('alarms')
      .values({ id: a.id, session_id: a.sessionId, rule_id: a.ruleId, rule_set_version: a.ruleSetVersion, priority: a.priority, kind: a.kind, started_at: a.startedAt, simulated, ...state })
      .onConflict((oc) => oc.column('id').doUpdateSet(state))
      .execute();
    await trx
      .insertInto('alarm_events')
      .values({ id: u.eventId, alarm_id: a.id, session_id: a.sessionId, transition: u.transition, at: u.at, actor, simulated, alarm: body })
      .execute();
  }

  unresolved(): Alarm[] {
    return (this.sUnresolved.all() as { body: string }[]).map((r) => JSON.parse(r.body) as Alarm);
  }
  forSession(sessionId: string, limit = 500): Alarm[] {
    return (this.sSession.all(sessionId, limit) as { body: string }[]).map((r) => JSON.parse(r.body) as Alarm);
  }
  updatesSince(eventId: number, limit: number): AlarmUpdate[] {
    return (this.sSince.all(eventId, limit) as { id: number; transition: AlarmTransition; at: number; alarm: string }[]).map((r) => ({
      eventId: r.id,
      transition: r.transition,
      at: r.at,
      alarm: JSON.parse(r.alarm) as Alarm,
    }));
  }
  maxIds(): { alarmId: number; eventId: number } {
    const r = this.sMaxIds.get() as { a: number | null; e: number | null };
    return { alarmId: r.a ?? 0, eventId: r.e ?? 0 };
  }
}
