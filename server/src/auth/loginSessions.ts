import type { PublicUser } from '@infusion/shared';
import { createHash, randomBytes } from 'node:crypto';
import type { LoginSessionRepo } from '../persistence/loginSessionRepo';
import { unlessStorageFailsAsync } from '../persistence/storageErrors';
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
export interface LoginSessionsDeps {
  repo: LoginSessionRepo;
  users: UserService;
  clock: Clock;
  ttlMs: number;
  idleMs: number;
}

export class LoginSessions {
  private readonly repo: LoginSessionRepo;
  private readonly users: UserService;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly idleMs: number;

  constructor(deps: LoginSessionsDeps) {
    this.repo = deps.repo;
    this.users = deps.users;
    this.clock = deps.clock;
    this.ttlMs = deps.ttlMs;
    this.idleMs = deps.idleMs;
  }

  async create(user: PublicUser): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
    const now = this.clock.now();
    await this.repo.purge(now, now - this.idleMs);
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    await this.repo.insert(sha256(token), user.id, csrfToken, now, expiresAt);
    return { token, csrfToken, expiresAt };
  }

  /** The session behind a token, or null when unknown, expired, idle too long, or the user is disabled. */
  async resolve(token: string | undefined): Promise<LoginSession | null> {
    if (!token) return null;
    const h = sha256(token);
    const r = await this.repo.get(h);
    if (!r) return null;
    const now = this.clock.now();
    if (now >= r.expiresAt || now - r.lastSeenAt >= this.idleMs) {
      await unlessStorageFailsAsync(() => this.repo.delete(h));
      return null;
    }
    const user = await this.users.get(r.userId);
    if (user.disabled) return null;
    // Touch at most once a minute: keeps the idle clock without a write per request. A full disk must
    // not log out the screens that watch patients (nor throw out of the 30 s re-check timer).
    if (now - r.lastSeenAt > 60_000) await unlessStorageFailsAsync(() => this.repo.touch(h, now));
    return { user, csrfToken: r.csrfToken, expiresAt: r.expiresAt };
  }

  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.repo.delete(sha256(token));
  }

  /** Disabling a user or changing their role ends their sessions. */
  async destroyAllFor(userId: number): Promise<void> {
    await this.repo.deleteForUser(userId);
  }
}
