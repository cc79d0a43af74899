import { fieldErrors, responseInputSchema, type ResponseRecord, type Session } from '@infusion/shared';
import { insertAudit } from '../persistence/auditRepo';
import type { Store } from '../persistence/store';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';

/**
 * The session's response besides its pain scores (those are observations): satisfaction, opioid use
 * before and after, a function score's improvement (Q8). One record per session; a new one replaces it, audited.
 */
export class SessionResponses {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async set(s: Session, input: unknown, actor: Actor): Promise<ResponseRecord> {
    const p = responseInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid response', fieldErrors(p.error));
    const now = this.clock.now();
    const record: ResponseRecord = { ...p.data, sessionId: s.id, at: now, by: actor.id };
    const before = await this.get(s.id);
    await this.store.transaction(async (trx) => {
      await trx
        .insertInto('session_responses')
        .values({ session_id: s.id, body: JSON.stringify(record), at: now, by: actor.id })
        .onConflict((oc) => oc.column('session_id').doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), at: eb.ref('excluded.at'), by: eb.ref('excluded.by') })))
        .execute();
      await insertAudit(trx, { at: now, actor: actor.id, action: 'response.document', entity: 'session', entityId: s.id, before, after: record, requestId: actor.requestId ?? null });
    });
    return record;
  }

  async get(sessionId: string): Promise<ResponseRecord | null> {
    const r = await this.store.db.selectFrom('session_responses').select('body').where('session_id', '=', sessionId).executeTakeFirst();
    return r ? (JSON.parse(r.body) as ResponseRecord) : null;
  }
}
