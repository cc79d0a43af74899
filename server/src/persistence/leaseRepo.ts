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
   * held across them); returns those held. A renewal stores the session's engine state as given;
   * taking a lease over keeps the state the previous holder stored, and returns it.
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
    async takeAll(sessions, nodeId, now, expiresAt) {
      // Sorted, so two nodes taking the same free leases lock their rows in the same order (no deadlock).
      const ids = [...new Set(sessions.map((s) => s.sessionId))].sort();
      const stateOf = new Map(sessions.map((s) => [s.sessionId, s.engineState]));
      const held: HeldLease[] = [];
      for (let i = 0; i < ids.length; i += LEASE_CHUNK) {
        const chunk = ids.slice(i, i + LEASE_CHUNK);
        // Leases another node holds unexpired are left alone: an upsert on them would lock their rows
        // (PostgreSQL locks a conflicting row even when the update's WHERE refuses it) and make both
        // nodes' rounds wait on each other every second. The upsert re-checks under its row lock, so a
        // lease taken between this read and the write is still not taken twice.
        const elsewhere = new Set(
          (await store.db.selectFrom('session_leases').select('session_id').where('session_id', 'in', chunk).where('node_id', '<>', nodeId).where('expires_at', '>', now).execute()).map(
            (r) => r.session_id,
          ),
        );
        const rows = chunk.filter((id) => !elsewhere.has(id)).map((id) => ({ session_id: id, node_id: nodeId, expires_at: expiresAt, engine_state: stateOf.get(id) ?? null }));
        if (rows.length === 0) continue;
        // One statement for the chunk: insert, or take over an expired lease, or renew our own; RETURNING
        // names those we hold. Our renewal writes our state; a takeover keeps the previous holder's.
        const got = await store.db
          .insertInto('session_leases')
          .values(rows)
          .onConflict((oc) =>
            oc
              .column('session_id')
              .doUpdateSet((eb) => ({
                node_id: eb.ref('excluded.node_id'),
                expires_at: eb.ref('excluded.expires_at'),
                engine_state: eb.case().when('session_leases.node_id', '=', nodeId).then(eb.ref('excluded.engine_state')).else(eb.ref('session_leases.engine_state')).end(),
              }))
              .where((eb) => eb.or([eb('session_leases.node_id', '=', nodeId), eb('session_leases.expires_at', '<=', now)])),
          )
          .returning(['session_id', 'engine_state'])
          .execute();
        for (const r of got) held.push({ sessionId: r.session_id, engineState: r.engine_state });
      }
      return held;
    },
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
