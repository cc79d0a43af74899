import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rateLimit';

describe('RateLimiter', () => {
  it('allows the burst, refuses the next call naming the limit, and refills one call per interval', () => {
    let now = 0;
    const r = new RateLimiter({ subscribe: { burst: 3, everyMs: 5000 } }, () => now);
    expect([r.take('subscribe'), r.take('subscribe'), r.take('subscribe')]).toEqual([null, null, null]);
    expect(r.take('subscribe')).toEqual({ error: 'rate limit: subscribe: at most 3 calls at once, then 1 every 5 s per connection; retry in 5 s', retryMs: 5000 });
    now = 4999;
    expect(r.take('subscribe')?.error).toMatch(/^rate limit: subscribe/);
    // Two intervals after the burst ran out: two more calls.
    now = 10_000;
    expect([r.take('subscribe'), r.take('subscribe')]).toEqual([null, null]);
    expect(r.take('subscribe')?.error).toMatch(/^rate limit/);
  });

  it('keeps each event in its own bucket and leaves unlisted events alone', () => {
    const r = new RateLimiter({ a: { burst: 1, everyMs: 1000 }, b: { burst: 1, everyMs: 1000 } }, () => 0);
    expect(r.take('a')).toBeNull();
    expect(r.take('a')).not.toBeNull();
    expect(r.take('b')).toBeNull();
    expect(r.take('other')).toBeNull();
  });
});
