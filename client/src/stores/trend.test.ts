import { describe, expect, it } from 'vitest';
import { T0, samples } from '../testFixtures';
import { boundTrend, capTrend, isStale, latestValues, mergeSamples, TREND_WINDOW_MS } from './trend';

describe('mergeSamples', () => {
  it('appends later samples', () => {
    expect(mergeSamples([{ t: 1, hr: 1 }], [{ t: 2, hr: 2 }]).map((s) => s.t)).toEqual([1, 2]);
  });

  it('inserts out-of-order samples and merges same-t samples field by field', () => {
    const merged = mergeSamples(
      [
        { t: 1, hr: 60 },
        { t: 3, hr: 62 },
      ],
      [
        { t: 4, hr: 63 },
        { t: 2, hr: 61 },
        { t: 3, spo2: 97 },
      ],
    );
    expect(merged).toEqual([
      { t: 1, hr: 60 },
      { t: 2, hr: 61 },
      { t: 3, hr: 62, spo2: 97 },
      { t: 4, hr: 63 },
    ]);
  });

  it('returns the same array when there is nothing new', () => {
    const a = [{ t: 1 }];
    expect(mergeSamples(a, [])).toBe(a);
  });
});

describe('capTrend', () => {
  it('keeps samples within the window of the newest sample', () => {
    const trend = samples(T0, T0 + 16 * 60_000, 60_000);
    const capped = capTrend(trend);
    expect(capped[0]?.t).toBe(T0 + 60_000);
    expect(capped).toHaveLength(16);
  });

  it('keeps a short trend untouched', () => {
    const trend = samples(T0, T0 + 60_000, 1000);
    expect(capTrend(trend)).toBe(trend);
  });
});

describe('boundTrend', () => {
  it('thins older samples and keeps the recent window at full resolution', () => {
    const trend = samples(T0, T0 + 60 * 60_000, 1000);
    const bounded = boundTrend(trend, 2000);
    expect(bounded.length).toBeLessThan(trend.length);
    const recent = trend.filter((s) => s.t >= T0 + 60 * 60_000 - TREND_WINDOW_MS);
    expect(bounded.slice(bounded.length - recent.length)).toEqual(recent);
    expect(bounded[0]?.t).toBe(T0);
  });
});

describe('latestValues', () => {
  it('finds the latest reported value per field; null stays null (no valid value)', () => {
    const latest = latestValues([
      { t: 1, hr: 70, sbp: 120, spo2: 98 },
      { t: 2, hr: 72, spo2: null },
    ]);
    expect(latest.hr).toEqual({ value: 72, t: 2 });
    expect(latest.sbp).toEqual({ value: 120, t: 1 });
    expect(latest.spo2).toEqual({ value: null, t: 2 });
    expect(latest.rr).toBeUndefined();
  });

  it('isStale: continuous vitals after 30 s, NIBP after 10 min', () => {
    expect(isStale('hr', { value: 70, t: T0 }, T0 + 31_000)).toBe(true);
    expect(isStale('hr', { value: 70, t: T0 }, T0 + 5_000)).toBe(false);
    expect(isStale('sbp', { value: 120, t: T0 }, T0 + 5 * 60_000)).toBe(false);
    expect(isStale('sbp', { value: 120, t: T0 }, T0 + 11 * 60_000)).toBe(true);
  });
});
