import type { LoginLimiter, LoginThrottle, ThrottleVerdict } from '../auth/loginThrottle';
import type { Logger } from '../util/logger';
import type { RedisClient } from './redisHub';

const PREFIX = 'ikm:login:';

/**
 * The login throttle shared by every node through Redis, with the same limits as the in-process one
 * (`LoginThrottle`): a lock after `maxFailures` failures within the window, and a per-address limit
 * per minute (here a fixed one-minute window). Keys expire by themselves.
 *
 * While Redis cannot answer, logins are throttled by this node's own counters: a clinician can still
 * log in, and an attacker still meets a limit per node.
 */
export class RedisLoginThrottle implements LoginLimiter {
  constructor(
    private readonly redis: RedisClient,
    /** The in-process throttle: its limits, and the fallback while Redis is away. */
    private readonly local: LoginThrottle,
    private readonly log: Logger,
  ) {}

  private async shared<T>(op: () => Promise<T>, fallback: () => T): Promise<T> {
    if (!this.redis.isReady) return fallback();
    try {
      return await op();
    } catch (err) {
      this.log.warn({ err }, 'login throttle: redis did not answer; this node counts alone');
      return fallback();
    }
  }

  check(username: string, ip: string): Promise<ThrottleVerdict> {
    const u = username.toLowerCase();
    return this.shared(
      async () => {
        const [lockMs, attempts] = (await this.redis
          .multi()
          .pTTL(`${PREFIX}lock:${u}`)
          .incr(`${PREFIX}ip:${ip}`)
          .pExpire(`${PREFIX}ip:${ip}`, 60_000, 'NX')
          .exec()) as unknown as [number, number, number];
        if (lockMs > 0) return { allowed: false, status: 423, retryAfterS: Math.ceil(lockMs / 1000), reason: 'account temporarily locked after repeated failed logins' };
        if (attempts > this.local.maxAttemptsPerIpPerMin) return { allowed: false, status: 429, retryAfterS: 60, reason: 'too many login attempts; wait a minute' };
        return { allowed: true };
      },
      () => this.local.check(username, ip),
    );
  }

  fail(username: string): Promise<boolean> {
    const u = username.toLowerCase();
    return this.shared(
      async () => {
        const [failures] = (await this.redis.multi().incr(`${PREFIX}fail:${u}`).pExpire(`${PREFIX}fail:${u}`, this.local.windowMs, 'NX').exec()) as unknown as [number, number];
        if (failures < this.local.maxFailures) return false;
        await this.redis.multi().set(`${PREFIX}lock:${u}`, '1', { expiration: { type: 'PX', value: this.local.lockMs } }).del(`${PREFIX}fail:${u}`).exec();
        return true;
      },
      () => this.local.fail(username),
    );
  }

  succeed(username: string): Promise<void> {
    const u = username.toLowerCase();
    return this.shared(
      async () => {
        await this.redis.del(`${PREFIX}fail:${u}`);
      },
      () => this.local.succeed(username),
    );
  }
}
