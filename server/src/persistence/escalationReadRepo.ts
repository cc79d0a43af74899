import type { Escalation } from '@infusion/shared';
import type { Store } from './store';

/** A session's escalations, open and closed, oldest first (for its record). */
export interface EscalationReadRepo {
  forSession(sessionId: string): Promise<Escalation[]>;
}

export function escalationReadRepo(store: Store): EscalationReadRepo {
  return {
    async forSession(sessionId) {
      const rows = await store.db.selectFrom('escalations').select('body').where('session_id', '=', sessionId).orderBy('id').execute();
      return rows.map((r) => JSON.parse(r.body) as Escalation);
    },
  };
}
