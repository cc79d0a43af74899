import type { Alarm, AlarmTransition, AlarmUpdate } from '@infusion/shared';
import { sql } from 'kysely';
import { conflict } from '../util/errors';
import type { Db } from './db';
import type { Tx } from './store';

/** Alarms are stored as their full JSON body plus the columns that queries filter on. */
export class AlarmRepo {
  private readonly sUnresolved;
  private readonly sSession;
  private readonly sSince;
  private readonly sMaxIds;
  private readonly sReserveAlarmId;
  private readonly sExists;

  /** `kind`: the store the write transactions run on (PostgreSQL keeps its id sequence past explicit ids). */
  constructor(
    db: Db,
    private readonly kind: 'sqlite' | 'postgres' = 'sqlite',
  ) {
    this.sUnresolved = db.prepare("SELECT body FROM alarms WHERE state <> 'resolved' ORDER BY id");
    this.sSession = db.prepare('SELECT body FROM alarms WHERE session_id = ? ORDER BY id DESC LIMIT ?');
    this.sSince = db.prepare('SELECT id, transition, at, alarm FROM alarm_events WHERE id > ? ORDER BY id LIMIT ?');
    this.sMaxIds = db.prepare('SELECT (SELECT MAX(id) FROM alarms) a, (SELECT MAX(id) FROM alarm_events) e');
    // One statement, so atomic across every connection to the database: two nodes never get the same
    // id. Starts past the alarms already stored (a database written before the counter existed).
    this.sReserveAlarmId = db.prepare(`INSERT INTO id_counters (name, last_id) VALUES ('alarms', MAX((SELECT COALESCE(MAX(id), 0) FROM alarms), @floor) + 1)
      ON CONFLICT(name) DO UPDATE SET last_id = MAX(id_counters.last_id, (SELECT COALESCE(MAX(id), 0) FROM alarms), @floor) + 1
      RETURNING last_id id`);
    this.sExists = db.prepare('SELECT 1 FROM alarms WHERE id = ?');
  }

  /**
   * A new alarm's id, from the database (an alarm is referenced before its raise commits), above
   * `floor` (ids this node handed out while storage failed, not yet written). Throws what the driver throws.
   */
  reserveAlarmId(floor = 0): number {
    return (this.sReserveAlarmId.get({ floor }) as { id: number }).id;
  }

  exists(alarmId: number): boolean {
    return this.sExists.get(alarmId) !== undefined;
  }

  /**
   * Runs inside the write-queue transaction: the alarm row and its event commit together. The event's
   * id comes from the database at insert (commit order on SQLite's one writer; the sequence on
   * PostgreSQL), unless the transition already carries one (shown while storage failed). Returns it.
   */
  async write(trx: Tx, u: Omit<AlarmUpdate, 'eventId'> & { eventId?: number }, actor: string | null): Promise<number> {
    const a = u.alarm;
    const simulated = a.simulated ? 1 : 0;
    const body = JSON.stringify(a);
    const state = { state: a.state, condition_active: a.conditionActive ? 1 : 0, resolved_at: a.resolvedAt, body };
    const written = await trx
      .insertInto('alarms')
      .values({ id: a.id, session_id: a.sessionId, rule_id: a.ruleId, rule_set_version: a.ruleSetVersion, priority: a.priority, kind: a.kind, started_at: a.startedAt, simulated, ...state })
      // Resolved is final: a change committed by another node just after the holder resolved the
      // alarm (an acknowledgement there) must not bring it back.
      .onConflict((oc) => oc.column('id').doUpdateSet(state).where('alarms.state', '<>', 'resolved'))
      .returning('id')
      .executeTakeFirst();
    if (!written) throw conflict(`alarm ${a.id} is already resolved`);
    const event = { alarm_id: a.id, session_id: a.sessionId, transition: u.transition, at: u.at, actor, simulated, alarm: body };
    const row = await trx
      .insertInto('alarm_events')
      .values(u.eventId === undefined ? event : { id: u.eventId, ...event })
      .returning('id')
      .executeTakeFirstOrThrow();
    // dialect: an explicit id does not move PostgreSQL's identity sequence; keep it past the ids written.
    if (u.eventId !== undefined && this.kind === 'postgres') {
      await sql`SELECT setval(pg_get_serial_sequence('alarm_events', 'id'), GREATEST((SELECT MAX(id) FROM alarm_events), 1))`.execute(trx);
    }
    return row.id;
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
