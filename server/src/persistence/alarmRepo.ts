import type { Alarm, AlarmTransition, AlarmUpdate } from '@infusion/shared';
import type { Db } from './db';

/** Alarms are stored as their full JSON body plus the columns that queries filter on. */
export class AlarmRepo {
  private readonly sUpsert;
  private readonly sEvent;
  private readonly sUnresolved;
  private readonly sSession;
  private readonly sSince;
  private readonly sMaxIds;

  constructor(db: Db) {
    this.sUpsert = db.prepare(`INSERT INTO alarms (id, session_id, rule_id, rule_set_version, priority, kind, state, condition_active,
      started_at, resolved_at, simulated, body) VALUES (@id, @sessionId, @ruleId, @ruleSetVersion, @priority, @kind, @state, @conditionActive,
      @startedAt, @resolvedAt, @simulated, @body)
      ON CONFLICT(id) DO UPDATE SET state = excluded.state, condition_active = excluded.condition_active,
      resolved_at = excluded.resolved_at, body = excluded.body`);
    this.sEvent = db.prepare(`INSERT INTO alarm_events (id, alarm_id, session_id, transition, at, actor, simulated, alarm)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sUnresolved = db.prepare("SELECT body FROM alarms WHERE state <> 'resolved' ORDER BY id");
    this.sSession = db.prepare('SELECT body FROM alarms WHERE session_id = ? ORDER BY id DESC LIMIT ?');
    this.sSince = db.prepare('SELECT id, transition, at, alarm FROM alarm_events WHERE id > ? ORDER BY id LIMIT ?');
    this.sMaxIds = db.prepare('SELECT (SELECT MAX(id) FROM alarms) a, (SELECT MAX(id) FROM alarm_events) e');
  }

  /** Runs inside the write-queue transaction: the alarm row and its event commit together. */
  write(u: AlarmUpdate, actor: string | null): void {
    const a = u.alarm;
    this.sUpsert.run({
      id: a.id,
      sessionId: a.sessionId,
      ruleId: a.ruleId,
      ruleSetVersion: a.ruleSetVersion,
      priority: a.priority,
      kind: a.kind,
      state: a.state,
      conditionActive: a.conditionActive ? 1 : 0,
      startedAt: a.startedAt,
      resolvedAt: a.resolvedAt,
      simulated: a.simulated ? 1 : 0,
      body: JSON.stringify(a),
    });
    this.sEvent.run(u.eventId, a.id, a.sessionId, u.transition, u.at, actor, a.simulated ? 1 : 0, JSON.stringify(a));
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
