import type { Observation } from '@infusion/shared';
import { bySession, readInChunks } from './idChunks';
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
    return (await this.listOf([sessionId])).get(sessionId)!;
  }

  /** `list` for many sessions (a takeover), a statement per 500; every asked session has an entry. */
  async listOf(sessionIds: readonly string[]): Promise<Map<string, Observation[]>> {
    const rows = await readInChunks(sessionIds, (chunk) =>
      this.store.db.selectFrom('observations').select(['id', 'session_id', 'scale', 'score', 't', 'note', 'by']).where('session_id', 'in', chunk).orderBy('session_id').orderBy('t').orderBy('id').execute(),
    );
    const obs = rows.map((r): Observation => ({ id: r.id, sessionId: r.session_id, scale: r.scale as Observation['scale'], score: r.score, t: r.t, note: r.note, by: r.by }));
    return bySession(sessionIds, obs, (o) => o.sessionId);
  }
}
