import type { Observation } from '@infusion/shared';
import type { Store } from './store';

/**
 * Sedation and pain scores of a session, in event-time order (the care service and replay read them).
 * Async; the rules keep each live session's last scores in memory, so no evaluation waits on a read.
 */
export class ObservationRepo {
  constructor(private readonly store: Store) {}

  async insert(o: Omit<Observation, 'id'>, simulated: boolean): Promise<Observation> {
    const { id } = await this.store.db
      .insertInto('observations')
      .values({ session_id: o.sessionId, scale: o.scale, score: o.score, t: o.t, note: o.note, by: o.by, simulated: simulated ? 1 : 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...o, id };
  }

  async list(sessionId: string): Promise<Observation[]> {
    const rows = await this.store.db.selectFrom('observations').select(['id', 'session_id', 'scale', 'score', 't', 'note', 'by']).where('session_id', '=', sessionId).orderBy('t').orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, sessionId: r.session_id, scale: r.scale as Observation['scale'], score: r.score, t: r.t, note: r.note, by: r.by }));
  }
}
