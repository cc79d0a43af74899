import type { Clock } from '../util/clock';

export interface ThrottleVerdict {
  allowed: boolean;
  status?: 423 | 429;
  retryAfterS?: number;
  reason?: string;
}

/** The login throttle as the login route uses it: in process (one node) or shared through Redis (several). */
export interface LoginLimiter {
  check(username: string, ip: string): ThrottleVerdict | Promise<ThrottleVerdict>;
  /** Resolves true when this failure locked the account. */
  fail(username: string): boolean | Promise<boolean>;
  succeed(username: string): void | Promise<void>;
}

/**
 * Brute-force defence, checked before any password is: an account is locked (423) after
 * `maxFailures` failures within `windowMs`, and a client address that tries too often is slowed (429).
 * In memory: a restart forgets it, which an attacker gains nothing from that a wait would not give.
 */
export class LoginThrottle implements LoginLimiter {
  private failures = new Map<string, number[]>();
  private lockedUntil = new Map<string, number>();
  private attempts = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    readonly maxFailures = 5,
    readonly windowMs = 15 * 60_000,
    readonly lockMs = 15 * 60_000,
    readonly maxAttemptsPerIpPerMin = 30,
  ) {}

  check(username: string, ip: string): ThrottleVerdict {
    const now = this.clock.now();
    const u = username.toLowerCase();
    const until = this.lockedUntil.get(u);
    if (until && until > now) return { allowed: false, status: 423, retryAfterS: Math.ceil((until - now) / 1000), reason: 'account temporarily locked after repeated failed logins' };
    const recent = (this.attempts.get(ip) ?? []).filter((t) => t > now - 60_000);
    recent.push(now);
    this.attempts.set(ip, recent);
    if (recent.length > this.maxAttemptsPerIpPerMin) return { allowed: false, status: 429, retryAfterS: 60, reason: 'too many login attempts; wait a minute' };
    return { allowed: true };
  }

  /** Returns true when this failure locked the account. */
  fail(username: string): boolean {
    const now = this.clock.now();
    const u = username.toLowerCase();
    const f = (this.failures.get(u) ?? []).filter((t) => t > now - this.windowMs);
    f.push(now);
    this.failures.set(u, f);
    if (f.length >= this.maxFailures) {
      this.lockedUntil.set(u, now + this.lockMs);
      this.failures.delete(u);
      return true;
    }
    return false;
  }

  succeed(username: string): void {
    this.failures.delete(username.toLowerCase());
  }
}
