import { performance } from 'node:perf_hooks';

/** A token bucket: `burst` calls at once, then one more every `everyMs`. */
export interface RateLimit {
  burst: number;
  everyMs: number;
}

/**
 * Per-connection limits on dashboard requests. A snapshot or a session trend costs the server real
 * work (SQLite reads, a large reply), so one screen calling them in a loop must not slow ingest or
 * the other screens. Limits are on the server's monotonic clock (load, not event time).
 */
export const DASHBOARD_LIMITS = {
  subscribe: { burst: 3, everyMs: 5_000 },
  'session:detail': { burst: 10, everyMs: 1_000 },
  'alarm:acknowledge': { burst: 30, everyMs: 200 },
  'alarm:audioPause': { burst: 30, everyMs: 200 },
  'escalation:acknowledge': { burst: 30, everyMs: 200 },
  'response:record': { burst: 10, everyMs: 1_000 },
} as const satisfies Record<string, RateLimit>;

export type LimitedEvent = keyof typeof DASHBOARD_LIMITS;

export const describeLimit = (event: string, l: RateLimit) =>
  `${event}: at most ${l.burst} calls at once, then 1 every ${l.everyMs >= 1000 ? `${l.everyMs / 1000} s` : `${l.everyMs} ms`} per connection`;

/** A refused call: the message naming the limit, and how long until the next call would pass. */
export interface Refusal {
  error: string;
  retryMs: number;
}

/** The buckets of one connection. `take` answers null when the call may go ahead, else the refusal. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: Record<string, RateLimit> = DASHBOARD_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(event: string): Refusal | null {
    const l = this.limits[event];
    if (!l) return null;
    const now = this.now();
    const b = this.buckets.get(event) ?? { tokens: l.burst, at: now };
    b.tokens = Math.min(l.burst, b.tokens + (now - b.at) / l.everyMs);
    b.at = now;
    this.buckets.set(event, b);
    if (b.tokens < 1) {
      const retryMs = Math.ceil((1 - b.tokens) * l.everyMs);
      return { error: `rate limit: ${describeLimit(event, l)}; retry in ${Math.ceil(retryMs / 1000)} s`, retryMs };
    }
    b.tokens -= 1;
    return null;
  }
}
