import { Router, type CookieOptions, type Response } from 'express';
import { z } from 'zod';
import { fieldErrors } from '@infusion/shared';
import { actorOf, cookieToken, SESSION_COOKIE, unauthorized } from '../auth/httpAuth';
import type { LoginSessions } from '../auth/loginSessions';
import type { LoginLimiter } from '../auth/loginThrottle';
import type { UserService } from '../auth/userService';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Clock } from '../util/clock';
import { badRequest, DomainError } from '../util/errors';
import { ok } from './http';

const loginSchema = z.strictObject({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });
const passwordSchema = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: z.string().min(1).max(200) });

export function authRoutes(d: { users: UserService; sessions: LoginSessions; throttle: LoginLimiter; audit: AuditRepo; clock: Clock; cookieSecure: boolean; ttlMs: number }): Router {
  const r = Router();
  const cookie: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: d.cookieSecure, path: '/', maxAge: d.ttlMs };
  const startSession = async (res: Response, user: Parameters<LoginSessions['create']>[0]) => {
    const s = await d.sessions.create(user);
    res.cookie(SESSION_COOKIE, s.token, cookie);
    return { user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
  };

  r.post('/login', async (req, res) => {
    const p = loginSchema.safeParse(req.body);
    if (!p.success) throw badRequest('invalid login', fieldErrors(p.error));
    const { username, password } = p.data;
    const ip = req.ip ?? 'unknown';
    const verdict = await d.throttle.check(username, ip);
    const at = d.clock.now();
    if (!verdict.allowed) {
      d.audit.record({ at, actor: 'anonymous', action: 'auth.login_refused', entity: 'user', entityId: username, after: { status: verdict.status }, requestId: req.id });
      res.set('retry-after', String(verdict.retryAfterS));
      throw new DomainError(verdict.status!, verdict.reason!);
    }
    const user = await d.users.verify(username, password);
    if (!user) {
      const locked = await d.throttle.fail(username);
      d.audit.record({ at, actor: 'anonymous', action: locked ? 'auth.lockout' : 'auth.login_failed', entity: 'user', entityId: username, requestId: req.id });
      throw new DomainError(401, 'invalid username or password');
    }
    await d.throttle.succeed(username);
    // Never promote a token presented before login (session fixation): drop it and issue a new one.
    await d.sessions.destroy(cookieToken(req.headers.cookie));
    d.audit.record({ at, actor: `user:${user.username}`, action: 'auth.login', entity: 'user', entityId: String(user.id), requestId: req.id });
    ok(res, await startSession(res, user));
  });

  r.post('/logout', async (req, res) => {
    if (!req.auth) throw unauthorized();
    await d.sessions.destroy(req.auth.token);
    d.audit.record({ at: d.clock.now(), actor: actorOf(req).id, action: 'auth.logout', entity: 'user', entityId: String(req.auth.user.id), requestId: req.id });
    res.clearCookie(SESSION_COOKIE, { ...cookie, maxAge: undefined });
    ok(res, { loggedOut: true });
  });

  r.get('/me', (req, res) => {
    if (!req.auth) throw unauthorized();
    ok(res, { user: req.auth.user, csrfToken: req.auth.csrfToken, expiresAt: req.auth.expiresAt });
  });

  r.post('/password', async (req, res) => {
    if (!req.auth) throw unauthorized();
    const p = passwordSchema.safeParse(req.body);
    if (!p.success) throw badRequest('invalid password change', fieldErrors(p.error));
    await d.users.changeOwnPassword(req.auth.user.id, p.data.currentPassword, p.data.newPassword, actorOf(req));
    // New credentials, new session: every other session of this user ends.
    await d.sessions.destroyAllFor(req.auth.user.id);
    ok(res, await startSession(res, d.users.get(req.auth.user.id)));
  });
  return r;
}
