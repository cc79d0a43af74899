import { fieldErrors, physicianResponseInputSchema, type PhysicianResponse, type PublicUser, type Session } from '@infusion/shared';
import type { EscalationService } from '../alarms/escalationService';
import type { ResponseRepo } from '../persistence/responseRepo';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';
import type { Hub } from '../util/hub';

/**
 * Physician responses: advice documented for the bedside. Stored and audited, then pushed to every
 * screen showing the session. A response never touches the infusion; answering an open escalation
 * acknowledges it (the physician has seen it).
 */
export interface PhysicianResponsesDeps {
  repo: ResponseRepo;
  escalations: EscalationService;
  clock: Clock;
  hub: Hub;
}

export class PhysicianResponses {
  private readonly repo: ResponseRepo;
  private readonly escalations: EscalationService;
  private readonly clock: Clock;
  private readonly hub: Hub;

  constructor(deps: PhysicianResponsesDeps) {
    this.repo = deps.repo;
    this.escalations = deps.escalations;
    this.clock = deps.clock;
    this.hub = deps.hub;
  }

  /** The caller has already been checked: the permission, and that it may see the session. */
  async record(session: Session, input: unknown, user: PublicUser, requestId?: string): Promise<PhysicianResponse> {
    const p = physicianResponseInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid response', fieldErrors(p.error));
    if (session.endedAt !== null) throw badRequest('invalid response', [{ field: 'sessionId', reason: 'the session has ended' }]);
    const escalationId = p.data.escalationId ?? null;
    const esc = escalationId === null ? null : await this.escalations.get(escalationId);
    if (escalationId !== null && (!esc || esc.sessionId !== session.id)) {
      throw badRequest('invalid response', [{ field: 'escalationId', reason: `escalation ${escalationId} is not one of this session's` }]);
    }
    const actor = `user:${user.username}`;
    const now = this.clock.now();
    const r = await this.repo.insert({ sessionId: session.id, escalationId, text: p.data.text, at: now, by: user.username, byName: user.displayName }, session.simulated, (stored) => ({
      at: now,
      actor,
      action: 'response.record',
      entity: 'session',
      entityId: session.id,
      after: stored,
      requestId: requestId ?? null,
    }));
    this.hub.emit('response', r);
    if (esc?.state === 'open') await this.escalations.acknowledge(esc.id, actor);
    return r;
  }

  list(sessionId: string): Promise<PhysicianResponse[]> {
    return this.repo.list(sessionId);
  }

  latest(sessionId: string): Promise<PhysicianResponse | null> {
    return this.repo.latest(sessionId);
  }

  /** The latest response of each session that has one. */
  latestOf(sessionIds: string[]): Promise<PhysicianResponse[]> {
    return this.repo.latestOf(sessionIds);
  }
}
