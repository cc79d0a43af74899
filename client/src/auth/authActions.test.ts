import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PublicUser } from '@infusion/shared';
import { api, checkLogin, handleRefusal, logIn, logOut } from './authActions';
import { SESSION_EXPIRED_NOTICE, initialAuthState } from './authState';
import { CSRF_HEADER } from './http';
import { dispatchAuth, useAuth } from './useAuth';

const nurse: PublicUser = { id: 2, username: 'nurse', displayName: 'RN Kim', role: 'nurse', units: ['infusion-suite'], disabled: false, mustChangePassword: false, createdAt: 0 };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The browser's fetch, answered by `answer` in call order; records every call. */
function stubFetch(...answers: Response[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new TypeError('Failed to fetch');
    return next;
  });
  return calls;
}
const headerOf = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

beforeEach(() => useAuth.setState(initialAuthState, true));
afterEach(() => vi.unstubAllGlobals());

describe('auth actions', () => {
  it('page load with a valid cookie restores the login; without one shows the form', async () => {
    stubFetch(json(200, { ok: true, data: { user: nurse, csrfToken: 'c1' } }));
    await checkLogin();
    expect(useAuth.getState()).toMatchObject({ status: 'loggedIn', csrfToken: 'c1', user: { username: 'nurse' } });

    useAuth.setState(initialAuthState, true);
    stubFetch(json(401, { ok: false, error: 'not logged in' }));
    await checkLogin();
    expect(useAuth.getState()).toMatchObject({ status: 'loggedOut', notice: null });
  });

  it('login keeps the CSRF token in the store, and later unsafe requests send it', async () => {
    const calls = stubFetch(json(200, { ok: true, data: { user: nurse, csrfToken: 'c1', expiresAt: 99 } }), json(200, { ok: true, data: {} }), json(200, { ok: true, data: [] }));
    const res = await logIn('nurse', 'correct-horse-battery');
    expect(res.ok).toBe(true);
    expect(useAuth.getState()).toMatchObject({ status: 'loggedIn', csrfToken: 'c1', expiresAt: 99 });
    await api('POST', '/api/devices', { name: 'x' });
    await api('GET', '/api/devices');
    expect(headerOf(calls[1]!.init, CSRF_HEADER)).toBe('c1');
    expect(headerOf(calls[2]!.init, CSRF_HEADER)).toBeUndefined();
  });

  it('a refused login leaves the page logged out with the error to show', async () => {
    dispatchAuth({ type: 'notLoggedIn' });
    stubFetch(json(423, { ok: false, error: 'account temporarily locked after repeated failed logins' }, { 'retry-after': '840' }));
    const res = await logIn('nurse', 'wrong');
    expect(res).toMatchObject({ ok: false, status: 423, retryAfterS: 840 });
    expect(useAuth.getState()).toMatchObject({ status: 'loggedOut', user: null, csrfToken: null });
  });

  it("a login refused for a missing CSRF token (another tab's login cookie) is retried with that login's token", async () => {
    const calls = stubFetch(
      json(403, { ok: false, error: 'missing or invalid CSRF token' }),
      json(200, { ok: true, data: { user: nurse, csrfToken: 'other-tab' } }),
      json(200, { ok: true, data: { user: nurse, csrfToken: 'fresh', expiresAt: 5 } }),
    );
    const res = await logIn('nurse', 'correct-horse-battery');
    expect(res.ok).toBe(true);
    expect(calls.map((c) => c.url)).toEqual(['/api/auth/login', '/api/auth/me', '/api/auth/login']);
    expect(headerOf(calls[2]!.init, CSRF_HEADER)).toBe('other-tab');
    expect(useAuth.getState().csrfToken).toBe('fresh');
  });

  it("'not logged in' from any request ends the login with the expired notice", async () => {
    dispatchAuth({ type: 'loggedIn', user: nurse, csrfToken: 'c1', expiresAt: 99 });
    stubFetch(json(401, { ok: false, error: 'not logged in' }));
    await api('GET', '/api/sessions');
    expect(useAuth.getState()).toMatchObject({ status: 'loggedOut', notice: SESSION_EXPIRED_NOTICE, csrfToken: null });
  });

  it("the socket's 'not logged in' does the same; other socket errors do not touch the login", () => {
    dispatchAuth({ type: 'loggedIn', user: nurse, csrfToken: 'c1', expiresAt: 99 });
    expect(handleRefusal('xhr poll error')).toBe(false);
    expect(useAuth.getState().status).toBe('loggedIn');
    expect(handleRefusal('not logged in')).toBe(true);
    expect(useAuth.getState()).toMatchObject({ status: 'loggedOut', notice: SESSION_EXPIRED_NOTICE });
  });

  it('logout ends the login without the expired notice, and fails visibly when the server is away', async () => {
    dispatchAuth({ type: 'loggedIn', user: nurse, csrfToken: 'c1', expiresAt: 99 });
    stubFetch();
    const failed = await logOut();
    expect(failed.ok).toBe(false);
    expect(useAuth.getState().status).toBe('loggedIn');

    const calls = stubFetch(json(200, { ok: true, data: { loggedOut: true } }));
    expect((await logOut()).ok).toBe(true);
    expect(headerOf(calls[0]!.init, CSRF_HEADER)).toBe('c1');
    expect(useAuth.getState()).toMatchObject({ status: 'loggedOut', notice: null, csrfToken: null });
  });

  it('a check answered after a login began is not applied', async () => {
    let answer!: (r: Response) => void;
    vi.stubGlobal('fetch', () => new Promise<Response>((r) => (answer = r)));
    const pending = checkLogin();
    const loginCalls = stubFetch(json(200, { ok: true, data: { user: nurse, csrfToken: 'new', expiresAt: 1 } }));
    await logIn('nurse', 'correct-horse-battery');
    expect(loginCalls).toHaveLength(1);
    answer(json(401, { ok: false, error: 'not logged in' }));
    await pending;
    expect(useAuth.getState()).toMatchObject({ status: 'loggedIn', csrfToken: 'new' });
  });
});
