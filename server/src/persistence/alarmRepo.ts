import type { Alarm, AlarmTransition, AlarmUpdate } from '@infusion/shared';
import { sql } from 'kysely';
import { conflict } from '../util/errors';
import { readInChunks } from './idChunks';
import type { Store, Tx } from './store';
import type { RowSink } from './writeQueue';

/** One alarm change for the write queue's batch; `eventId` is set when it is written (the committed run's is the one kept). */
export interface AlarmWrite {
  update: Omit<AlarmUpdate, 'eventId'>;
  actor: string | null;
  eventId: number;
}

/** Rows per multi-row statement: at most 12 bind parameters a row, far below PostgreSQL's 65,535. */
const PG_CHUNK = 1000;

const parseAlarm = (body: string): Alarm => JSON.parse(body) as Alarm;

/** Alarms are stored as their full JSON body plus the columns that queries filter on. */
export class AlarmRepo {
  constructor(private readonly store: Store) {}

  /**
   * `n` new alarm ids from the database (an alarm is referenced before its raise commits), ascending,
   * all above `floor` (ids this node handed out while storage failed, not yet written). One statement
   * on the `id_counters` row, so atomic across every connection and node on either store: two nodes
   * never get the same id, and a block a node dies with is skipped, not reused. Starts past the alarms
   * already stored (a database written before the counter existed). Throws what the driver throws.
   */
  async reserveAlarmIds(n: number, floor = 0): Promise<number[]> {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`reserveAlarmIds: n must be a positive integer, got ${n}`);
    const stored = sql<number>`(SELECT COALESCE(MAX(id), 0) FROM alarms)`;
    // dialect: the greatest of several values is MAX(a, b, c) in SQLite and GREATEST(a, b, c) in PostgreSQL.
    const greatest = (...xs: ReturnType<typeof sql<number>>[]) => (this.store.kind === 'postgres' ? sql<number>`GREATEST(${sql.join(xs)})` : sql<number>`MAX(${sql.join(xs)})`);
    const row = await this.store.db
      .insertInto('id_counters')
      .values({ name: 'alarms', last_id: sql<number>`${greatest(stored, sql<number>`${floor}`)} + ${n}` })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_id: sql<number>`${greatest(sql<number>`id_counters.last_id`, stored, sql<number>`${floor}`)} + ${n}` }))
      .returning('last_id')
      .executeTakeFirstOrThrow();
    const last = Number(row.last_id);
    return Array.from({ length: n }, (_, i) => last - n + 1 + i);
  }

  async exists(alarmId: number): Promise<boolean> {
    return (await this.store.db.selectFrom('alarms').select('id').where('id', '=', alarmId).executeTakeFirst()) !== undefined;
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
    if (u.eventId !== undefined && this.store.kind === 'postgres') {
      await sql`SELECT setval(pg_get_serial_sequence('alarm_events', 'id'), GREATEST((SELECT MAX(id) FROM alarm_events), 1))`.execute(trx);
    }
    return row.id;
  }

  /**
   * The alarm changes of one write batch, in queue order (`WriteQueue.enqueueRow`): as `write` would
   * store them one by one, with each change's event id set on it.
   */
  readonly changes: RowSink<AlarmWrite> = { insertRows: (trx, rows) => this.writeAll(trx, rows) };

  private async writeAll(trx: Tx, rows: readonly AlarmWrite[]): Promise<void> {
    if (this.store.kind !== 'postgres' || rows.length === 1) {
      // dialect: SQLite runs in process (a statement costs no round trip), and its event ids come from the
      // insert in commit order on its one writer.
      for (const r of rows) r.eventId = await this.write(trx, r.update, r.actor);
      return;
    }
    if (rows.length === 0) return;
    // dialect: PostgreSQL, three statements per batch instead of two round trips per change (at 400 changes/s
    // those round trips held the single writer's transaction for seconds). Each alarm's row takes its last
    // state of the batch; sorted by id, so two nodes writing the same alarms lock them in the same order.
    const last = new Map<number, Alarm>();
    for (const r of rows) last.set(r.update.alarm.id, r.update.alarm);
    const alarmRows = [...last.values()]
      .sort((a, b) => a.id - b.id)
      .map((a) => ({
        id: a.id,
        session_id: a.sessionId,
        rule_id: a.ruleId,
        rule_set_version: a.ruleSetVersion,
        priority: a.priority,
        kind: a.kind,
        started_at: a.startedAt,
        simulated: a.simulated ? 1 : 0,
        state: a.state,
        condition_active: a.conditionActive ? 1 : 0,
        resolved_at: a.resolvedAt,
        body: JSON.stringify(a),
      }));
    for (let i = 0; i < alarmRows.length; i += PG_CHUNK) {
      const chunk = alarmRows.slice(i, i + PG_CHUNK);
      const written = await trx
        .insertInto('alarms')
        .values(chunk)
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet((eb) => ({ state: eb.ref('excluded.state'), condition_active: eb.ref('excluded.condition_active'), resolved_at: eb.ref('excluded.resolved_at'), body: eb.ref('excluded.body') }))
            // Resolved is final, as in `write`.
            .where('alarms.state', '<>', 'resolved'),
        )
        .returning('id')
        .execute();
      if (written.length !== chunk.length) {
        // The batch fails; the write queue then writes each change alone, and only this alarm's are refused.
        const ok = new Set(written.map((w) => w.id));
        throw conflict(`alarm ${chunk.find((c) => !ok.has(c.id))!.id} is already resolved`);
      }
    }
    // Event ids from the identity sequence, ascending in queue order (as one insert per change gave them).
    const ids = (await sql<{ id: number }>`SELECT nextval(pg_get_serial_sequence('alarm_events', 'id')) AS id FROM generate_series(1, ${rows.length}) ORDER BY 1`.execute(trx)).rows;
    rows.forEach((r, i) => (r.eventId = Number(ids[i]!.id)));
    for (let i = 0; i < rows.length; i += PG_CHUNK) {
      const chunk = rows.slice(i, i + PG_CHUNK);
      await trx
        .insertInto('alarm_events')
        .values(
          chunk.map((r) => {
            const a = r.update.alarm;
            return { id: r.eventId, alarm_id: a.id, session_id: a.sessionId, transition: r.update.transition, at: r.update.at, actor: r.actor, simulated: a.simulated ? 1 : 0, alarm: JSON.stringify(a) };
          }),
        )
        .execute();
    }
  }

  async unresolved(): Promise<Alarm[]> {
    const rows = await this.store.db.selectFrom('alarms').select('body').where('state', '<>', 'resolved').orderBy('id').execute();
    return rows.map((r) => parseAlarm(r.body));
  }

  /** The unresolved alarms of many sessions (a takeover), in id order, a statement per 500 sessions. */
  async unresolvedOf(sessionIds: readonly string[]): Promise<Alarm[]> {
    const rows = await readInChunks(sessionIds, (chunk) =>
      this.store.db.selectFrom('alarms').select(['id', 'body']).where('session_id', 'in', chunk).where('state', '<>', 'resolved').execute(),
    );
    return rows.sort((a, b) => a.id - b.id).map((r) => parseAlarm(r.body));
  }

  async forSession(sessionId: string, limit = 500): Promise<Alarm[]> {
    const rows = await this.store.db.selectFrom('alarms').select('body').where('session_id', '=', sessionId).orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => parseAlarm(r.body));
  }

  async updatesSince(eventId: number, limit: number): Promise<AlarmUpdate[]> {
    const rows = await this.store.db.selectFrom('alarm_events').select(['id', 'transition', 'at', 'alarm']).where('id', '>', eventId).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ eventId: r.id, transition: r.transition as AlarmTransition, at: r.at, alarm: parseAlarm(r.alarm) }));
  }

  async maxIds(): Promise<{ alarmId: number; eventId: number }> {
    const { db } = this.store;
    const r = await db
      .selectNoFrom((eb) => [
        eb.selectFrom('alarms').select((e) => e.fn.max('id').as('m')).as('a'),
        eb.selectFrom('alarm_events').select((e) => e.fn.max('id').as('m')).as('e'),
      ])
      .executeTakeFirstOrThrow();
    return { alarmId: Number(r.a ?? 0), eventId: Number(r.e ?? 0) };
  }
}
