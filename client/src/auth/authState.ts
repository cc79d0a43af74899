import type { PublicUser } from '@infusion/shared';
import { homeFor } from './permissions';

/**
 * Who is logged in on this screen, as a pure reducer so every transition can be tested without a server.
 *
 * checking  -> page just loaded, asking the server (GET /api/auth/me) whether the cookie is still a login
 * loggedOut -> login form (with a notice when the login ended by itself)
 * loggedIn  -> user known; a user who must change a one-time password sees only that form
 *
 * The CSRF token lives here, in memory only: never in localStorage.
 */
export type AuthStatus = 'checking' | 'loggedOut' | 'loggedIn';

export interface AuthState {
  status: AuthStatus;
  user: PublicUser | null;
  csrfToken: string | null;
  /** Absolute end of the login, when the server told us (at login or password change); null otherwise. */
  expiresAt: number | null;
  /** Shown above the login form, e.g. that the login expired and alarms are not shown any more. */
  notice: string | null;
  /** While checking: why the server could not be asked (it is retried). */
  checkError: string | null;
}

export type AuthEvent =
  /** GET /me answered with the user behind the cookie. */
  | { type: 'restored'; user: PublicUser; csrfToken: string; now: number }
  /** GET /me could not be answered (server down or failing); checking goes on. */
  | { type: 'unreachable'; error: string }
  | { type: 'loggedIn'; user: PublicUser; csrfToken: string; expiresAt: number }
  /** The server rotated the login: new cookie, new CSRF token. */
  | { type: 'passwordChanged'; user: PublicUser; csrfToken: string; expiresAt: number }
  /** The server says this login must change its password before anything else. */
  | { type: 'passwordRequired' }
  /** The server says there is no login (GET /me 401, a socket refusal or a 'not logged in' answer). */
  | { type: 'notLoggedIn' }
  /** The user logged out. */
  | { type: 'loggedOut' };

export const SESSION_EXPIRED_NOTICE = 'Your login has expired or was ended. Alarms are not shown on this screen until you log in again.';

export const initialAuthState: AuthState = {
  status: 'checking',
  user: null,
  csrfToken: null,
  expiresAt: null,
  notice: null,
  checkError: null,
};

const loggedOut = (notice: string | null): AuthState => ({ ...initialAuthState, status: 'loggedOut', notice });

export function authReducer(s: AuthState, e: AuthEvent): AuthState {
  switch (e.type) {
    case 'restored': {
      // Same login as before (a re-check): keep its known end while still in the future.
      const keep = s.csrfToken === e.csrfToken && s.expiresAt !== null && s.expiresAt > e.now;
      return { status: 'loggedIn', user: e.user, csrfToken: e.csrfToken, expiresAt: keep ? s.expiresAt : null, notice: null, checkError: null };
    }
    case 'unreachable':
      return s.status === 'checking' ? { ...s, checkError: e.error } : s;
    case 'loggedIn':
    case 'passwordChanged':
      return { status: 'loggedIn', user: e.user, csrfToken: e.csrfToken, expiresAt: e.expiresAt, notice: null, checkError: null };
    case 'passwordRequired':
      if (s.status !== 'loggedIn' || !s.user || s.user.mustChangePassword) return s;
      return { ...s, user: { ...s.user, mustChangePassword: true } };
    case 'notLoggedIn':
      // A login that ends by itself is said so; a page that never had one just shows the form.
      if (s.status === 'loggedIn') return loggedOut(SESSION_EXPIRED_NOTICE);
      if (s.status === 'checking') return loggedOut(null);
      return s;
    case 'loggedOut':
      return loggedOut(null);
  }
}

export type Screen = 'checking' | 'login' | 'password' | 'monitor' | 'admin' | 'noAccess';

/** What the page shows for an auth state. */
export function screenFor(s: AuthState): Screen {
  if (s.status === 'checking') return 'checking';
  if (s.status === 'loggedOut' || !s.user) return 'login';
  if (s.user.mustChangePassword) return 'password';
  return homeFor(s.user.role);
}

/** What a server refusal means for the login, or null when it is about something else. */
export type AuthRefusal = 'notLoggedIn' | 'passwordRequired' | 'noDashboard';

/**
 * Reads a refusal text from the socket (connect_error, an event's answer) or the HTTP API.
 * The server words these exactly: 'not logged in', 'password change required[: …]', 'role <r> has no dashboard'.
 */
export function classifyRefusal(message: string): AuthRefusal | null {
  if (message === 'not logged in') return 'notLoggedIn';
  if (message === 'password change required' || message.startsWith('password change required:')) return 'passwordRequired';
  if (/^role \S+ has no dashboard$/.test(message)) return 'noDashboard';
  return null;
}
