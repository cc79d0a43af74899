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
   * `take` for many sessions in one statement (one round trip and one commit per round, not one per
   * session); returns those held. A renewal stores the session's engine state as given (null: keeps
   * the stored one); taking a lease over keeps the state the previous holder stored, and returns it.
   */
  takeAll(sessions: { sessionId: string; engineState: string | null }[], nodeId: string, now: number, expiresAt: number): Promise<HeldLease[]>;
  /** Takes or renews the lease until `expiresAt`; false when another node holds an unexpired one. */
  take(sessionId: string, nodeId: string, now: number, expiresAt: number): Promise<boolean>;
  release(sessionId: string, nodeId: string): Promise<void>;
  holder(sessionId: string): Promise<{ nodeId: string; expiresAt: number } | null>;
}

/** Rows per statement: 4 parameters a row, well inside SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 1_000;

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
    takeAll: (sessions, nodeId, now, expiresAt) => {
      const sorted = [...sessions].sort((x, y) => (x.sessionId < y.sessionId ? -1 : x.sessionId > y.sessionId ? 1 : 0));
      if (sorted.length <= ROWS_PER_STATEMENT) return take(store.db, sorted, nodeId, now, expiresAt);
      return store.transaction(async (trx) => {
        const held: HeldLease[] = [];
        for (let i = 0; i < sorted.length; i += ROWS_PER_STATEMENT) held.push(...(await take(trx, sorted.slice(i, i + ROWS_PER_STATEMENT), nodeId, now, expiresAt)));
        return held;
      });
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
