import { describe, expect, it } from 'vitest';
import { T0, samples } from '../testFixtures';
import type { TrendPoint } from '@infusion/shared';
import { boundTrend, capTrend, combinePoints, latestValues, mergeSamples, rangeAt, TREND_WINDOW_MS } from './trend';

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
});

describe('downsampled points keep their extremes', () => {
  it('boundTrend merges older points in pairs keeping a 5-second dip as the minimum', () => {
    // One hour at 1 Hz, SpO2 97 with a 5 s dip to 84 twenty minutes in.
    const trend: TrendPoint[] = [];
    for (let q = 0; q < 3600; q++) trend.push({ t: T0 + q * 1000, spo2: q >= 1201 && q < 1206 ? 84 : 97 });
    let bounded = trend;
    for (let i = 0; i < 5; i++) bounded = boundTrend(bounded, 1500);
    expect(bounded.length).toBeLessThanOrEqual(1500);
    expect(Math.min(...bounded.map((p) => rangeAt(p, 'spo2')![0]))).toBe(84);
    const dip = bounded.find((p) => p.min?.spo2 === 84)!;
    expect(dip.max?.spo2).toBe(97);
    expect(dip.t).toBeLessThanOrEqual(T0 + 1201_000);
  });

  it('combinePoints: earlier time, mean value, extremes of both; a gap (null) does not invent a value', () => {
    expect(combinePoints({ t: 1, spo2: 96, min: { spo2: 85 }, max: { spo2: 98 } }, { t: 2, spo2: 98, hr: null })).toEqual({
      t: 1,
      spo2: 97,
      min: { spo2: 85 },
      max: { spo2: 98 },
      hr: null,
    });
    expect(combinePoints({ t: 1, hr: 70 }, { t: 2, hr: 70 })).toEqual({ t: 1, hr: 70 });
  });
});
