import type { Store } from './store';

export interface OutboxRow {
  id: number;
  target: string;
  payload: string;
  attempts: number;
}

/** The webhook outbox as senders see it: due rows are claimed before they are sent. */
export interface OutboxRepo {
  /**
   * Claims up to `limit` due webhook rows for `node` until `until` and returns them. A row is
   * claimed by one node only: another node's claim is skipped until it lapses (its node died).
   */
  claimDue(node: string, now: number, until: number, limit: number): Promise<OutboxRow[]>;
  /** Due rows without claiming them: the fallback while the store refuses writes (a page beats none). */
  due(now: number, limit: number): Promise<OutboxRow[]>;
  markSent(id: number, at: number): Promise<void>;
  /** Another attempt later (`pending`), given up (`failed`) or never to be sent (`withdrawn`). */
  markRetry(id: number, status: 'pending' | 'failed' | 'withdrawn', nextAttemptAt: number, error: string): Promise<void>;
}

export function outboxRepo(store: Store): OutboxRepo {
  const { db } = store;
  const dueRows = (now: number) =>
    db
      .selectFrom('notifications')
      .select('id')
      .where('status', '=', 'pending')
      .where('channel', '=', 'webhook')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .orderBy('id');
  return {
    async claimDue(node, now, until, limit) {
      let picked = dueRows(now).limit(limit);
      // dialect: PostgreSQL runs concurrent claims side by side; SKIP LOCKED keeps two nodes off the
      // same rows. SQLite has one writer, so the single UPDATE is already exclusive.
      if (store.kind === 'postgres') picked = picked.forUpdate().skipLocked();
      const rows = await db
        .updateTable('notifications')
        .set({ claimed_by: node, claimed_until: until })
        .where('id', 'in', picked)
        // Checked again on the row itself: a claim another node made meanwhile wins.
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
        .returning(['id', 'target', 'payload', 'attempts'])
        .execute();
      return rows.sort((a, b) => a.id - b.id);
    },
    async due(now, limit) {
      return db
        .selectFrom('notifications')
        .select(['id', 'target', 'payload', 'attempts'])
        .where('status', '=', 'pending')
        .where('channel', '=', 'webhook')
        .where('next_attempt_at', '<=', now)
        .orderBy('id')
        .limit(limit)
        .execute();
    },
    async markSent(id, at) {
      await db
        .updateTable('notifications')
        .set((eb) => ({ status: 'sent', attempts: eb('attempts', '+', 1), sent_at: at, last_error: null, claimed_by: null, claimed_until: null }))
        .where('id', '=', id)
        .execute();
    },
    async markRetry(id, status, nextAttemptAt, error) {
      await db
        .updateTable('notifications')
        .set((eb) => ({ status, attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt, last_error: error, claimed_by: null, claimed_until: null }))
        .where('id', '=', id)
        .execute();
    },
  };
}
