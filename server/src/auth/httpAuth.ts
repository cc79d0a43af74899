import { can, canSeeSession, type Permission, type PublicUser, type SessionScope } from '@infusion/shared';
import { parse } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { Actor } from '../sessions/sessionService';
import { DomainError } from '../util/errors';
import type { Device, DeviceKeys } from './deviceKeys';
import type { LoginSessions } from './loginSessions';

export const SESSION_COOKIE = 'ikm_sid';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: { user: PublicUser; csrfToken: string; token: string; expiresAt: number } | null;
    device?: Device;
  }
}

export const unauthorized = () => new DomainError(401, 'not logged in');
export const forbidden = (why: string) => new DomainError(403, why);

export function cookieToken(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  return parse(cookieHeader)[SESSION_COOKIE];
}

/** Resolves the cookie session (if any) and enforces CSRF on every state change it authorises. */
export function authenticate(sessions: LoginSessions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const token = cookieToken(req.headers.cookie);
    sessions.resolve(token).then((s) => {
      req.auth = s && token ? { user: s.user, csrfToken: s.csrfToken, token, expiresAt: s.expiresAt } : null;
      // Login itself is exempt: it issues a new session, and SameSite=Strict plus a JSON body already stop cross-site posts.
      if (req.auth && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.path !== '/api/auth/login') {
        // Synchronizer token: a cross-site page can make the browser send the cookie, never this header.
        if (req.get(CSRF_HEADER) !== req.auth.csrfToken) return next(forbidden('missing or invalid CSRF token'));
      }
      next();
    }, next);
  };
}

/** The logged-in user, who must hold the permission (and not be waiting to change a first password). */
export function userOf(req: Request, p?: Permission): PublicUser {
  const u = req.auth?.user;
  if (!u) throw unauthorized();
  if (u.mustChangePassword) throw forbidden('password change required: POST /api/auth/password');
  if (p && !can(u.role, p)) throw forbidden(`role ${u.role} may not ${p}`);
  return u;
}

export function requirePermission(p?: Permission) {
  return (req: Request, _res: Response, next: NextFunction) => {
    userOf(req, p);
    next();
  };
}

/** Out-of-scope sessions answer as if they did not exist, so ids of other units are not confirmed. */
export function assertCanSee(u: PublicUser, s: SessionScope & { id: string }): void {
  if (!canSeeSession(u, s)) throw new DomainError(404, `session ${s.id} not found`);
}

export function actorOf(req: Request): Actor {
  const who = req.auth?.user ? `user:${req.auth.user.username}` : req.device ? `device:${req.device.id}` : 'anonymous';
  return { id: who, requestId: req.id, ...(req.auth?.user ? { role: req.auth.user.role } : {}) };
}

/** Devices authenticate with `Authorization: Bearer dk_…`. */
export function requireDevice(keys: DeviceKeys) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const h = req.get('authorization');
    const key = h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
    // A storage failure reading the key rejects, and the router answers it 503 through the error handler.
    const d = await keys.authenticate(key);
    if (!d) return next(new DomainError(401, key ? 'invalid or revoked device key' : 'device key required (Authorization: Bearer dk_…)'));
    req.device = d;
    next();
  };
}
