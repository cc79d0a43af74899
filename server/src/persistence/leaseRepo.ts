import type { Store, Tx } from './store';

/**
 * Session leases: the node that holds a session's row evaluates its rules. A lease is taken when it is
 * free or expired and renewed by its holder, each in one statement, so two nodes can never both win it.
 */
export interface LeaseRepo {
  /** `take` for many sessions in one transaction (one commit per round, not one per session); returns those held. */
  takeAll(sessionIds: string[], nodeId: string, now: number, expiresAt: number): Promise<string[]>;
  /** Takes or renews the lease until `expiresAt`; false when another node holds an unexpired one. */
  take(sessionId: string, nodeId: string, now: number, expiresAt: number): Promise<boolean>;
  release(sessionId: string, nodeId: string): Promise<void>;
  holder(sessionId: string): Promise<{ nodeId: string; expiresAt: number } | null>;
}

export function leaseRepo(store: Store): LeaseRepo {
  // One atomic upsert: insert, or take over an expired lease, or renew our own; RETURNING says whether
  // we hold it. Both stores run it as one statement on the row (PostgreSQL locks the row for the
  // update's WHERE, SQLite has one writer), so two nodes can never both win.
  const take = async (q: Tx, sessionId: string, nodeId: string, now: number, expiresAt: number) => {
    const row = await q
      .insertInto('session_leases')
      .values({ session_id: sessionId, node_id: nodeId, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('session_id')
          .doUpdateSet({ node_id: nodeId, expires_at: expiresAt })
          .where((eb) => eb.or([eb('session_leases.node_id', '=', nodeId), eb('session_leases.expires_at', '<=', now)])),
      )
      .returning('node_id')
      .executeTakeFirst();
    return row !== undefined;
  };
  return {
    takeAll: (sessionIds, nodeId, now, expiresAt) =>
      store.transaction(async (trx) => {
        const held: string[] = [];
        for (const id of sessionIds) if (await take(trx, id, nodeId, now, expiresAt)) held.push(id);
        return held;
      }),
    take: (sessionId, nodeId, now, expiresAt) => take(store.db, sessionId, nodeId, now, expiresAt),
    async release(sessionId, nodeId) {
      await store.db.deleteFrom('session_leases').where('session_id', '=', sessionId).where('node_id', '=', nodeId).execute();
    },
    async holder(sessionId) {
      const row = await store.db.selectFrom('session_leases').select(['node_id as nodeId', 'expires_at as expiresAt']).where('session_id', '=', sessionId).executeTakeFirst();
      return row ?? null;
    },
  };
}
