import type { PhysicianResponse } from '@infusion/shared';
import { insertAudit, type AuditEntry } from './auditRepo';
import type { Store } from './store';

/** Physician responses (advice documented for the bedside), oldest first within a session. */
export interface ResponseRepo {
  /** Stores the response and its audit entry together; resolves with the stored response. */
  insert(r: Omit<PhysicianResponse, 'id'>, simulated: boolean, audit: (r: PhysicianResponse) => AuditEntry): Promise<PhysicianResponse>;
  list(sessionId: string): Promise<PhysicianResponse[]>;
  latest(sessionId: string): Promise<PhysicianResponse | null>;
  /** The latest response of each of these sessions (those that have one), in one query. */
  latestOf(sessionIds: string[]): Promise<PhysicianResponse[]>;
}

const columns = ['id', 'session_id', 'escalation_id', 'text', 'at', 'by', 'by_name'] as const;
const fromRow = (r: { id: number; session_id: string; escalation_id: number | null; text: string; at: number; by: string; by_name: string }): PhysicianResponse => ({
  id: r.id,
  sessionId: r.session_id,
  escalationId: r.escalation_id,
  text: r.text,
  at: r.at,
  by: r.by,
  byName: r.by_name,
});

export function responseRepo(store: Store): ResponseRepo {
  const { db } = store;
  return {
    insert(r, simulated, audit) {
      return store.transaction(async (trx) => {
        const { id } = await trx
          .insertInto('physician_responses')
          .values({ session_id: r.sessionId, escalation_id: r.escalationId, text: r.text, at: r.at, by: r.by, by_name: r.byName, simulated: simulated ? 1 : 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        const stored = { id, ...r };
        await insertAudit(trx, audit(stored));
        return stored;
      });
    },
    async list(sessionId) {
      return (await db.selectFrom('physician_responses').select(columns).where('session_id', '=', sessionId).orderBy('at').orderBy('id').execute()).map(fromRow);
    },
    async latest(sessionId) {
      const r = await db.selectFrom('physician_responses').select(columns).where('session_id', '=', sessionId).orderBy('at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      return r ? fromRow(r) : null;
    },
    async latestOf(sessionIds) {
      if (sessionIds.length === 0) return [];
      // One statement for a whole snapshot: per-session queries would queue up behind each other (and
      // behind the write queue) on SQLite's single connection.
      const rows = await db
        .selectFrom('physician_responses as p')
        .select(columns.map((c) => `p.${c}` as const))
        .where('p.session_id', 'in', sessionIds)
        .where('p.id', '=', (eb) =>
          eb.selectFrom('physician_responses as q').select('q.id').whereRef('q.session_id', '=', 'p.session_id').orderBy('q.at', 'desc').orderBy('q.id', 'desc').limit(1),
        )
        .execute();
      return rows.map(fromRow);
    },
  };
}
