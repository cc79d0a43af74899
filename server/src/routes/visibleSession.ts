import type { PublicUser, Session } from '@infusion/shared';
import type { Request } from 'express';
import { assertCanSee } from '../auth/httpAuth';
import type { SessionService } from '../sessions/sessionService';

/** The session named by `:id`, provided the user may see it (else 404, as if it did not exist). */
export function visibleSession(sessions: SessionService, req: Request, u: PublicUser): Session {
  const s = sessions.get(String(req.params.id));
  assertCanSee(u, s);
  return s;
}
