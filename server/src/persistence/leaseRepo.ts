import type { Store, Tx } from './store';

/**
 * Session leases: the node that holds a session's row evaluates its rules. A lease is taken when it is
 * free or expired and renewed by its holder, each in one statement, so two nodes can never both win it.
 */
/** A session this node holds after a round, with the rule engine state stored on its lease. */
export interface HeldLease {
  sessionId: string;
  /** This node's state it just wrote (a renewal), or the previous holder's last one (a lease just taken over); null if none. */
  engineState: string | null;
}

export interface LeaseRepo {
  /**
   * `take` for many sessions in one transaction (one commit per round, not one per session); returns
   * those held. A renewal stores the session's engine state as given; taking a lease over keeps the
   * state the previous holder stored, and returns it.
   */
  takeAll(sessions: { sessionId: string; engineState: string | null }[], nodeId: string, now: number, expiresAt: number): Promise<HeldLease[]>;
  /** Takes or renews the lease until `expiresAt`; false when another node holds an unexpired one. */
  take(sessionId: string, nodeId: string, now: number, expiresAt: number): Promise<boolean>;
  release(sessionId: string, nodeId: string): Promise<void>;
  holder(sessionId: string): Promise<{ nodeId: string; expiresAt: number } | null>;
}

export function leaseRepo(store: Store): LeaseRepo {
  // One atomic upsert: insert, or take over an expired lease, or renew our own; RETURNING says whether
  // we hold it. Both stores run it as one statement on the row (PostgreSQL locks the row for the
  // update's WHERE, SQLite has one writer), so two nodes can never both win.
  const take = async (q: Tx, sessionId: string, nodeId: string, now: number, expiresAt: number, engineState: string | null) => {
    const row = await q
      .insertInto('session_leases')
      .values({ session_id: sessionId, node_id: nodeId, expires_at: expiresAt, engine_state: engineState })
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet((eb) => ({
            node_id: nodeId,
            expires_at: expiresAt,
            // Our renewal writes our state; a takeover keeps the previous holder's, to resume from.
            engine_state: eb.case().when('session_leases.node_id', '=', nodeId).then(engineState).else(eb.ref('session_leases.engine_state')).end(),
          }))
          .where((eb) => eb.or([eb('session_leases.node_id', '=', nodeId), eb('session_leases.expires_at', '<=', now)])),
      )
      .returning('engine_state')
      .executeTakeFirst();
    return row === undefined ? null : { sessionId, engineState: row.engine_state };
  };
  return {
    takeAll: (sessions, nodeId, now, expiresAt) =>
      store.transaction(async (trx) => {
        const held: HeldLease[] = [];
        for (const s of sessions) {
          const h = await take(trx, s.sessionId, nodeId, now, expiresAt, s.engineState);
          if (h) held.push(h);
        }
        return held;
      }),
    take: async (sessionId, nodeId, now, expiresAt) => (await take(store.db, sessionId, nodeId, now, expiresAt, null)) !== null,
    async release(sessionId, nodeId) {
      await store.db.deleteFrom('session_leases').where('session_id', '=', sessionId).where('node_id', '=', nodeId).execute();
    },
    async holder(sessionId) {
      const row = await store.db.selectFrom('session_leases').select(['node_id as nodeId', 'expires_at as expiresAt']).where('session_id', '=', sessionId).executeTakeFirst();
      return row ?? null;
    },
  };
}
