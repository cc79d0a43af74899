import type { PublicUser, Session } from '@infusion/shared';
import type { NextFunction, Request, Response } from 'express';
import { assertCanSee } from '../auth/httpAuth';
import type { SessionService } from '../sessions/sessionService';
import { DomainError, notFound } from '../util/errors';

declare module 'express-serve-static-core' {
  interface Request {
    /** The session named by `:id` of /api/sessions/:id…, read before the route runs (see `loadSession`). */
    namedSession?: Session | null;
  }
}

/**
 * Reads the session named by `:id` (from memory when live, else from storage) before the session
 * routes run, so their checks stay synchronous. Only for logged-in callers: an anonymous request
 * costs no read (the route refuses it). A storage failure answers 503 through the error handler.
 */
export function loadSession(sessions: Pick<SessionService, 'get'>) {
  return (req: Request<{ id: string }>, _res: Response, next: NextFunction) => {
    if (!req.auth) return next();
    sessions.get(String(req.params.id)).then(
      (s) => {
        req.namedSession = s;
        next();
      },
      (err: unknown) => {
        if (err instanceof DomainError && err.status === 404) {
          req.namedSession = null;
          return next();
        }
        next(err);
      },
    );
  };
}

/** The session named by `:id`, provided the user may see it (else 404, as if it did not exist). */
export function visibleSession(sessions: Pick<SessionService, 'getLive' | 'view'>, req: Request, u: PublicUser): Session {
  const id = String(req.params.id);
  const live = sessions.getLive(id);
  // Live here: its current state; otherwise what `loadSession` read for this request.
  const s = live ? sessions.view(live) : req.namedSession?.id === id ? req.namedSession : null;
  if (!s) throw notFound(`session ${id}`);
  assertCanSee(u, s);
  return s;
}
