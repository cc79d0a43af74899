import type { Escalation } from '@infusion/shared';
import { readInChunks } from './idChunks';
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

/**
 * What a node taking sessions over needs of their escalations, two statements per 500 (not two per
 * session): the open escalations of the sessions, and which of the given alarms have any escalation on
 * record (open, or closed by an acknowledgement).
 */
export async function escalationsForTakeover(store: Store, sessionIds: readonly string[], alarmIds: readonly number[]): Promise<{ open: Escalation[]; escalated: Set<number> }> {
  const [open, escalated] = await Promise.all([
    // On the partial index of open escalations.
    readInChunks(sessionIds, (chunk) => store.db.selectFrom('escalations').select('body').where('state', '=', 'open').where('session_id', 'in', chunk).orderBy('id').execute()),
    readInChunks(alarmIds, (chunk) => store.db.selectFrom('escalations').select('alarm_id').where('alarm_id', 'in', chunk).execute()),
  ]);
  return { open: open.map((r) => JSON.parse(r.body) as Escalation), escalated: new Set(escalated.map((r) => Number(r.alarm_id))) };
}
