import type { PublicUser } from '@infusion/shared';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../persistence/db';
import { unlessStorageFails } from '../persistence/storageErrors';
import type { Clock } from '../util/clock';
import type { UserService } from './userService';

export interface LoginSession {
  user: PublicUser;
  csrfToken: string;
  expiresAt: number;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Cookie sessions. A fresh random token is issued at every login (no fixation: a token presented
 * before login is never promoted), with an absolute lifetime and an idle timeout.
 */
export class LoginSessions {
  private readonly sInsert;
  private readonly sGet;
  private readonly sTouch;
  private readonly sDelete;
  private readonly sDeleteUser;
  private readonly sPurge;

  constructor(
    db: Db,
    private readonly users: UserService,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly idleMs: number,
  ) {
    this.sInsert = db.prepare('INSERT INTO auth_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.sGet = db.prepare('SELECT user_id, csrf_token, last_seen_at, expires_at FROM auth_sessions WHERE token_hash = ?');
    this.sTouch = db.prepare('UPDATE auth_sessions SET last_seen_at = ? WHERE token_hash = ?');
    this.sDelete = db.prepare('DELETE FROM auth_sessions WHERE token_hash = ?');
    this.sDeleteUser = db.prepare('DELETE FROM auth_sessions WHERE user_id = ?');
    this.sPurge = db.prepare('DELETE FROM auth_sessions WHERE expires_at < ? OR last_seen_at < ?');
  }

  create(user: PublicUser): { token: string; csrfToken: string; expiresAt: number } {
    const now = this.clock.now();
    this.sPurge.run(now, now - this.idleMs);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.sInsert.run(sha256(token), user.id, csrfToken, now, now, expiresAt);
    return { token, csrfToken, expiresAt };
  }

  /** The session behind a token, or null when unknown, expired, idle too long, or the user is disabled. */
  resolve(token: string | undefined): LoginSession | null {
    if (!token) return null;
    const h = sha256(token);
    const r = this.sGet.get(h) as { user_id: number; csrf_token: string; last_seen_at: number; expires_at: number } | undefined;
    if (!r) return null;
    const now = this.clock.now();
    if (now >= r.expires_at || now - r.last_seen_at >= this.idleMs) {
      unlessStorageFails(() => this.sDelete.run(h));
      return null;
    }
    const user = this.users.get(r.user_id);
    if (user.disabled) return null;
    // Touch at most once a minute: keeps the idle clock without a write per request. A full disk must
    // not log out the screens that watch patients (nor throw out of the 30 s re-check timer).
    if (now - r.last_seen_at > 60_000) unlessStorageFails(() => this.sTouch.run(now, h));
    return { user, csrfToken: r.csrf_token, expiresAt: r.expires_at };
  }

  destroy(token: string | undefined): void {
    if (token) this.sDelete.run(sha256(token));
  }

  /** Disabling a user or changing their role ends their sessions. */
  destroyAllFor(userId: number): void {
    this.sDeleteUser.run(userId);
  }
}
