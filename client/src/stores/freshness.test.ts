import { describe, expect, it } from 'vitest';
import { T0 } from '../testFixtures';
import { freshness, valueAge } from './freshness';

describe('freshness of a shown value', () => {
  const v = { value: 97, t: T0 };

  it('counts the time since the feed last arrived on this page plus the lag behind the newest sample', () => {
    // Newest sample at T0 + 5 s; the feed went silent 40 s ago by this page's clock: SpO2 from T0 is 45 s old.
    expect(valueAge(v, { pageNow: 1_000_000 + 40_000, serverNow: 0, receivedAt: 1_000_000, newestT: T0 + 5_000 })).toBe(45_000);
  });

  it('falls back to server time when the values came only with the snapshot', () => {
    expect(valueAge(v, { pageNow: 0, serverNow: T0 + 120_000, receivedAt: undefined, newestT: T0 })).toBe(120_000);
  });

  it('greys monitor numerics after 30 s and blanks them after 5 min; NIBP after 15 and 30 min', () => {
    expect(freshness('spo2', 29_000, false)).toBe('live');
    expect(freshness('spo2', 31_000, false)).toBe('stale');
    expect(freshness('spo2', 5 * 60_000 + 1, false)).toBe('blank');
    expect(freshness('sbp', 14 * 60_000, false)).toBe('live');
    expect(freshness('sbp', 16 * 60_000, false)).toBe('stale');
    expect(freshness('sbp', 31 * 60_000, false)).toBe('blank');
  });

  it('greys every value, however new, while the link is lost or the session ended', () => {
    expect(freshness('hr', 0, true)).toBe('stale');
  });
});
