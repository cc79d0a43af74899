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
   * `take` for many sessions, a statement per 500 (not a round trip per session, and no transaction
   * held across them); returns those held. A renewal stores the session's engine state as given (null:
   * keeps the stored one); taking a lease over keeps the state the previous holder stored, and returns it.
   */
  takeAll(sessions: { sessionId: string; engineState: string | null }[], nodeId: string, now: number, expiresAt: number): Promise<HeldLease[]>;
  /** Takes or renews the lease until `expiresAt`; false when another node holds an unexpired one. */
  take(sessionId: string, nodeId: string, now: number, expiresAt: number): Promise<boolean>;
  release(sessionId: string, nodeId: string): Promise<void>;
  holder(sessionId: string): Promise<{ nodeId: string; expiresAt: number } | null>;
}

/** Leases per statement in a round: 4 bind parameters each, far below either store's limit. */
const LEASE_CHUNK = 500;

export function leaseRepo(store: Store): LeaseRepo {
  // One atomic upsert for many sessions: insert, or take over an expired lease, or renew our own;
  // RETURNING says which we hold. Both stores run it as one statement (PostgreSQL locks each row for
  // the update's WHERE, SQLite has one writer), so two nodes can never both win a row. Rows go in
  // session id order, so two nodes' statements lock shared rows in one order and never deadlock.
  const take = async (q: Tx, sessions: { sessionId: string; engineState: string | null }[], nodeId: string, now: number, expiresAt: number): Promise<HeldLease[]> => {
    if (!sessions.length) return [];
    const rows = await q
      .insertInto('session_leases')
      .values(sessions.map((s) => ({ session_id: s.sessionId, node_id: nodeId, expires_at: expiresAt, engine_state: s.engineState })))
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet((eb) => ({
            node_id: nodeId,
            expires_at: expiresAt,
            // Our renewal writes our state (none given: the stored one stays); a takeover keeps the
            // previous holder's, to resume from.
            engine_state: eb
              .case()
              .when('session_leases.node_id', '=', nodeId)
              .then(eb.fn.coalesce('excluded.engine_state', 'session_leases.engine_state'))
              .else(eb.ref('session_leases.engine_state'))
              .end(),
          }))
          .where((eb) => eb.or([eb('session_leases.node_id', '=', nodeId), eb('session_leases.expires_at', '<=', now)])),
      )
      .returning(['session_id', 'engine_state'])
      .execute();
    return rows.map((r) => ({ sessionId: r.session_id, engineState: r.engine_state }));
  };
  return {
    async takeAll(sessions, nodeId, now, expiresAt) {
      // Sorted, so two nodes taking the same free leases lock their rows in the same order (no deadlock).
      const sorted = [...new Map(sessions.map((x) => [x.sessionId, x])).values()].sort((x, y) => (x.sessionId < y.sessionId ? -1 : x.sessionId > y.sessionId ? 1 : 0));
      const held: HeldLease[] = [];
      for (let i = 0; i < sorted.length; i += LEASE_CHUNK) {
        const chunk = sorted.slice(i, i + LEASE_CHUNK);
        // Leases another node holds unexpired are left alone: an upsert on them would lock their rows
        // (PostgreSQL locks a conflicting row even when the update's WHERE refuses it) and make both
        // nodes' rounds wait on each other every second. The upsert re-checks under its row lock, so a
        // lease taken between this read and the write is still not taken twice.
        const elsewhere = new Set(
          (
            await store.db
              .selectFrom('session_leases')
              .select('session_id')
              .where(
                'session_id',
                'in',
                chunk.map((x) => x.sessionId),
              )
              .where('node_id', '<>', nodeId)
              .where('expires_at', '>', now)
              .execute()
          ).map((r) => r.session_id),
        );
        held.push(...(await take(store.db, chunk.filter((x) => !elsewhere.has(x.sessionId)), nodeId, now, expiresAt)));
      }
      return held;
    },
    take: async (sessionId, nodeId, now, expiresAt) => (await take(store.db, [{ sessionId, engineState: null }], nodeId, now, expiresAt)).length > 0,
    async release(sessionId, nodeId) {
      await store.db.deleteFrom('session_leases').where('session_id', '=', sessionId).where('node_id', '=', nodeId).execute();
    },
    async holder(sessionId) {
      const row = await store.db.selectFrom('session_leases').select(['node_id as nodeId', 'expires_at as expiresAt']).where('session_id', '=', sessionId).executeTakeFirst();
      return row ?? null;
    },
  };
}
