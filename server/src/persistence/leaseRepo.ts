import type { Db } from './db';

/**
 * Session leases: the node that holds a session's row evaluates its rules. A lease is taken when it is
 * free or expired and renewed by its holder, each in one statement, so two nodes can never both win it.
 */
export class LeaseRepo {
  private readonly sTake;
  private readonly sRelease;
  private readonly sHolder;
  private readonly takeAllTx;

  constructor(db: Db) {
    // One atomic upsert: insert, or take over an expired lease, or renew our own; RETURNING says whether we hold it.
    this.sTake = db.prepare(`INSERT INTO session_leases (session_id, node_id, expires_at) VALUES (@sessionId, @nodeId, @expiresAt)
      ON CONFLICT(session_id) DO UPDATE SET node_id = excluded.node_id, expires_at = excluded.expires_at
      WHERE session_leases.node_id = excluded.node_id OR session_leases.expires_at <= @now
      RETURNING node_id`);
    this.sRelease = db.prepare('DELETE FROM session_leases WHERE session_id = ? AND node_id = ?');
    this.sHolder = db.prepare('SELECT node_id nodeId, expires_at expiresAt FROM session_leases WHERE session_id = ?');
    this.takeAllTx = db.transaction((ids: string[], nodeId: string, now: number, expiresAt: number) => ids.filter((id) => this.take(id, nodeId, now, expiresAt)));
  }

  /** `take` for many sessions in one transaction (one commit per round, not one per session); returns those held. */
  takeAll(sessionIds: string[], nodeId: string, now: number, expiresAt: number): string[] {
    return this.takeAllTx(sessionIds, nodeId, now, expiresAt);
  }

  /** Takes or renews the lease until `expiresAt`; false when another node holds an unexpired one. */
  take(sessionId: string, nodeId: string, now: number, expiresAt: number): boolean {
    return this.sTake.get({ sessionId, nodeId, now, expiresAt }) !== undefined;
  }

  release(sessionId: string, nodeId: string): void {
    this.sRelease.run(sessionId, nodeId);
  }

  holder(sessionId: string): { nodeId: string; expiresAt: number } | null {
    return (this.sHolder.get(sessionId) as { nodeId: string; expiresAt: number } | undefined) ?? null;
  }
}
