import { describe, expect, it } from 'vitest';
import type { PublicUser } from '@infusion/shared';
import { SESSION_EXPIRED_NOTICE, authReducer, classifyRefusal, initialAuthState, screenFor, type AuthEvent, type AuthState } from './authState';

const user = (over: Partial<PublicUser> = {}): PublicUser => ({
  id: 1,
  username: 'nurse',
  displayName: 'RN Kim',
  role: 'nurse',
  units: ['infusion-suite'],
  disabled: false,
  mustChangePassword: false,
  createdAt: 0,
  ...over,
});
const run = (s: AuthState, ...events: AuthEvent[]) => events.reduce(authReducer, s);
const loggedOut = () => run(initialAuthState, { type: 'notLoggedIn' });

describe('auth state', () => {
  it('page load: a cookie without a login shows the login form with no notice', () => {
    const s = loggedOut();
    expect(s.status).toBe('loggedOut');
    expect(s.notice).toBeNull();
    expect(screenFor(s)).toBe('login');
  });

  it('page load: a cookie that is still a login restores it (no expiry known from /me)', () => {
    const s = run(initialAuthState, { type: 'restored', user: user(), csrfToken: 'c1', now: 10 });
    expect(s).toMatchObject({ status: 'loggedIn', csrfToken: 'c1', expiresAt: null });
    expect(screenFor(s)).toBe('monitor');
  });

  it('while checking, an unreachable server is shown and checking goes on', () => {
    const s = run(initialAuthState, { type: 'unreachable', error: 'cannot reach the server' });
    expect(s.status).toBe('checking');
    expect(s.checkError).toBe('cannot reach the server');
    expect(screenFor(s)).toBe('checking');
    // Once logged in, a failed re-check changes nothing (the connection banner tells about the server).
    const inState = run(s, { type: 'loggedIn', user: user(), csrfToken: 'c', expiresAt: 5 });
    expect(inState.checkError).toBeNull();
    expect(authReducer(inState, { type: 'unreachable', error: 'x' })).toBe(inState);
  });

  it('logged out -> logged in -> must change password -> logged in with a rotated token', () => {
    let s = run(loggedOut(), { type: 'loggedIn', user: user({ role: 'admin', mustChangePassword: true }), csrfToken: 'c1', expiresAt: 1000 });
    expect(s.status).toBe('loggedIn');
    expect(screenFor(s)).toBe('password');
    s = run(s, { type: 'passwordChanged', user: user({ role: 'admin', mustChangePassword: false }), csrfToken: 'c2', expiresAt: 2000 });
    expect(screenFor(s)).toBe('admin');
    expect(s.csrfToken).toBe('c2');
    expect(s.expiresAt).toBe(2000);
  });

  it("a login ending by itself ('not logged in' from the socket or HTTP) shows the expired notice and forgets the token", () => {
    const s = run(loggedOut(), { type: 'loggedIn', user: user(), csrfToken: 'c1', expiresAt: 1000 }, { type: 'notLoggedIn' });
    expect(s.status).toBe('loggedOut');
    expect(s.notice).toBe(SESSION_EXPIRED_NOTICE);
    expect(s.user).toBeNull();
    expect(s.csrfToken).toBeNull();
    expect(screenFor(s)).toBe('login');
    // Later refusals (other requests answered after the first) keep the notice.
    expect(authReducer(s, { type: 'notLoggedIn' })).toBe(s);
  });

  it('an own logout shows no expiry notice, and a late refusal after it adds none', () => {
    const s = run(loggedOut(), { type: 'loggedIn', user: user(), csrfToken: 'c1', expiresAt: 1000 }, { type: 'loggedOut' }, { type: 'notLoggedIn' });
    expect(s.status).toBe('loggedOut');
    expect(s.notice).toBeNull();
  });

  it('a new login clears the expired notice', () => {
    const s = run(loggedOut(), { type: 'loggedIn', user: user(), csrfToken: 'c1', expiresAt: 1 }, { type: 'notLoggedIn' }, { type: 'loggedIn', user: user(), csrfToken: 'c2', expiresAt: 2 });
    expect(s.notice).toBeNull();
    expect(s.csrfToken).toBe('c2');
  });

  it("'password change required' from the server sends a logged-in user to the password form", () => {
    const s = run(loggedOut(), { type: 'loggedIn', user: user(), csrfToken: 'c1', expiresAt: 1 }, { type: 'passwordRequired' });
    expect(s.user?.mustChangePassword).toBe(true);
    expect(screenFor(s)).toBe('password');
    // Nobody logged in: nothing to change.
    expect(authReducer(loggedOut(), { type: 'passwordRequired' })).toEqual(loggedOut());
  });

  it('a re-check of the same login keeps its known end while it is ahead, a new login does not', () => {
    const s = run(loggedOut(), { type: 'loggedIn', user: user(), csrfToken: 'c1', expiresAt: 1000 });
    expect(authReducer(s, { type: 'restored', user: user({ role: 'physician' }), csrfToken: 'c1', now: 500 }).expiresAt).toBe(1000);
    expect(authReducer(s, { type: 'restored', user: user(), csrfToken: 'c1', now: 1500 }).expiresAt).toBeNull();
    expect(authReducer(s, { type: 'restored', user: user(), csrfToken: 'other', now: 500 }).expiresAt).toBeNull();
  });

  it('screens follow the role: clinicians and trainers the monitor, admins the admin page', () => {
    const logged = (role: PublicUser['role']) => run(loggedOut(), { type: 'loggedIn', user: user({ role }), csrfToken: 'c', expiresAt: 1 });
    expect(screenFor(logged('nurse'))).toBe('monitor');
    expect(screenFor(logged('physician'))).toBe('monitor');
    expect(screenFor(logged('trainer'))).toBe('monitor');
    expect(screenFor(logged('admin'))).toBe('admin');
  });
});

describe('server refusals', () => {
  it('reads the exact refusal texts of the socket and the HTTP API', () => {
    expect(classifyRefusal('not logged in')).toBe('notLoggedIn');
    expect(classifyRefusal('password change required')).toBe('passwordRequired');
    expect(classifyRefusal('password change required: POST /api/auth/password')).toBe('passwordRequired');
    expect(classifyRefusal('role admin has no dashboard')).toBe('noDashboard');
  });

  it('leaves every other refusal alone', () => {
    for (const m of ['invalid username or password', 'forbidden origin', 'xhr poll error', 'role nurse may not users.manage', 'missing or invalid CSRF token', 'no answer from the server', 'not logged in yet?']) {
      expect(classifyRefusal(m)).toBeNull();
    }
  });
});
