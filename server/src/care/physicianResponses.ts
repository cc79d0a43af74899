import { fieldErrors, physicianResponseInputSchema, type PhysicianResponse, type PublicUser, type Session } from '@infusion/shared';
import type { EscalationService } from '../alarms/escalationService';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';
import type { Hub } from '../util/hub';

interface Row {
  id: number;
  session_id: string;
  escalation_id: number | null;
  text: string;
  at: number;
  by: string;
  by_name: string;
}
const fromRow = (r: Row): PhysicianResponse => ({ id: r.id, sessionId: r.session_id, escalationId: r.escalation_id, text: r.text, at: r.at, by: r.by, byName: r.by_name });

/**
 * Physician responses: advice documented for the bedside. Stored and audited, then pushed to every
 * screen showing the session. A response never touches the infusion; answering an open escalation
 * acknowledges it (the physician has seen it).
 */
export class PhysicianResponses {
  private readonly sInsert;
  private readonly sList;
  private readonly sLatest;

  constructor(
    private readonly db: Db,
    private readonly escalations: EscalationService,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
    private readonly hub: Hub,
  ) {
    this.sInsert = db.prepare('INSERT INTO physician_responses (session_id, escalation_id, text, at, by, by_name, simulated) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.sList = db.prepare('SELECT * FROM physician_responses WHERE session_id = ? ORDER BY at, id');
    this.sLatest = db.prepare('SELECT * FROM physician_responses WHERE session_id = ? ORDER BY at DESC, id DESC LIMIT 1');
  }

  /** The caller has already been checked: the permission, and that it may see the session. */
  record(session: Session, input: unknown, user: PublicUser, requestId?: string): PhysicianResponse {
    const p = physicianResponseInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid response', fieldErrors(p.error));
    if (session.endedAt !== null) throw badRequest('invalid response', [{ field: 'sessionId', reason: 'the session has ended' }]);
    const escalationId = p.data.escalationId ?? null;
    const esc = escalationId === null ? null : this.escalations.get(escalationId);
    if (escalationId !== null && (!esc || esc.sessionId !== session.id)) {
      throw badRequest('invalid response', [{ field: 'escalationId', reason: `escalation ${escalationId} is not one of this session's` }]);
    }
    const actor = `user:${user.username}`;
    const now = this.clock.now();
    let r!: PhysicianResponse;
    this.db.transaction(() => {
      const id = Number(this.sInsert.run(session.id, escalationId, p.data.text, now, user.username, user.displayName, session.simulated ? 1 : 0).lastInsertRowid);
      r = { id, sessionId: session.id, escalationId, text: p.data.text, at: now, by: user.username, byName: user.displayName };
      this.audit.record({ at: now, actor, action: 'response.record', entity: 'session', entityId: session.id, after: r, requestId: requestId ?? null });
    })();
    this.hub.emit('response', r);
    if (esc?.state === 'open') this.escalations.acknowledge(esc.id, actor);
    return r;
  }

  list(sessionId: string): PhysicianResponse[] {
    return (this.sList.all(sessionId) as Row[]).map(fromRow);
  }

  latest(sessionId: string): PhysicianResponse | null {
    const r = this.sLatest.get(sessionId) as Row | undefined;
    return r ? fromRow(r) : null;
  }
}
