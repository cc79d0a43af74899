import type { PublicUser } from '@infusion/shared';
import { classifyRefusal } from './authState';
import { request, type ApiResult, type FetchFn, type HttpMethod } from './http';
import { dispatchAuth, useAuth } from './useAuth';

/** The server's answer to a login or a password change. */
export interface LoginData {
  user: PublicUser;
  csrfToken: string;
  expiresAt: number;
}
interface MeData {
  user: PublicUser;
  csrfToken: string;
}

/** While the first check cannot reach the server, ask again this often. */
const CHECK_RETRY_MS = 3000;

const browserFetch: FetchFn = (input, init) => fetch(input, init);

/** Bumped by every login, logout and password change, so a check answered meanwhile is not applied. */
let generation = 0;
let checkTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Apply a server refusal that concerns the login itself (from HTTP or the socket): back to the
 * login form, to the password form, or re-read the user. Returns whether it was such a refusal.
 */
export function handleRefusal(message: string): boolean {
  const r = classifyRefusal(message);
  if (r === 'notLoggedIn') dispatchAuth({ type: 'notLoggedIn' });
  else if (r === 'passwordRequired') dispatchAuth({ type: 'passwordRequired' });
  // The server sees another role than this page does (changed meanwhile): read the user again.
  else if (r === 'noDashboard') void checkLogin();
  return r !== null;
}

/** A request of the logged-in page: sends the CSRF token on state changes and applies login refusals. */
export async function api<T>(method: HttpMethod, path: string, body?: unknown): Promise<ApiResult<T>> {
  const res = await request<T>(browserFetch, method, path, body, useAuth.getState().csrfToken);
  if (!res.ok) handleRefusal(res.error);
  return res;
}

/**
 * Ask the server who is logged in with this page's cookie (page load, a refused socket, the end
 * of the login's lifetime). While the page is still checking and the server cannot answer, retry.
 */
export async function checkLogin(): Promise<void> {
  clearTimeout(checkTimer);
  const asked = generation;
  const res = await request<MeData>(browserFetch, 'GET', '/api/auth/me', undefined, null);
  if (asked !== generation) return;
  if (res.ok) {
    dispatchAuth({ type: 'restored', user: res.data.user, csrfToken: res.data.csrfToken, now: Date.now() });
  } else if (res.status === 401) {
    dispatchAuth({ type: 'notLoggedIn' });
  } else if (useAuth.getState().status === 'checking') {
    dispatchAuth({ type: 'unreachable', error: res.error });
    checkTimer = setTimeout(() => void checkLogin(), CHECK_RETRY_MS);
  }
}

const isCsrfRefusal = (r: ApiResult<unknown>) => !r.ok && r.status === 403 && /csrf/i.test(r.error);

export async function logIn(username: string, password: string): Promise<ApiResult<LoginData>> {
  generation++;
  clearTimeout(checkTimer);
  const body = { username, password };
  let res = await request<LoginData>(browserFetch, 'POST', '/api/auth/login', body, null);
  if (isCsrfRefusal(res)) {
    // The browser still holds a valid login cookie (e.g. from another tab), and the server wants its
    // CSRF token for any POST made with it. Fetch that token and log in again: the old login is replaced.
    const me = await request<MeData>(browserFetch, 'GET', '/api/auth/me', undefined, null);
    if (me.ok) res = await request<LoginData>(browserFetch, 'POST', '/api/auth/login', body, me.data.csrfToken);
  }
  if (res.ok) {
    generation++;
    dispatchAuth({ type: 'loggedIn', user: res.data.user, csrfToken: res.data.csrfToken, expiresAt: res.data.expiresAt });
  }
  return res;
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<ApiResult<LoginData>> {
  const res = await api<LoginData>('POST', '/api/auth/password', { currentPassword, newPassword });
  if (res.ok) {
    generation++;
    dispatchAuth({ type: 'passwordChanged', user: res.data.user, csrfToken: res.data.csrfToken, expiresAt: res.data.expiresAt });
  }
  return res;
}

/** Ends the login on the server; the page follows only once the server agreed (or had no login). */
export async function logOut(): Promise<ApiResult<unknown>> {
  const res = await api<unknown>('POST', '/api/auth/logout');
  if (res.ok || res.status === 401) {
    generation++;
    dispatchAuth({ type: 'loggedOut' });
  }
  return res;
}
