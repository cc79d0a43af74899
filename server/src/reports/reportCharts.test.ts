import { describe, expect, it } from 'vitest';
import { ackTimeBins, alarmTimeline, withSimulatedPart } from './reportCharts';
import { bucketUnit, floorLocal, isTimeZone, timeBuckets } from './timeBuckets';

const H = 3_600_000;
const D = 24 * H;
const iso = (t: number) => new Date(t).toISOString();

describe('report chart buckets in the reader’s time zone', () => {
  it('a 24-hour report has hour buckets on the hour, the first and last cut to the period', () => {
    const from = Date.UTC(2026, 10, 30, 4, 13);
    const b = timeBuckets(from, from + 24 * H, bucketUnit(24 * H), 'UTC');
    expect(b).toHaveLength(25);
    expect(iso(b[0]!.start)).toBe('2026-11-30T04:13:00.000Z');
    expect(iso(b[0]!.end)).toBe('2026-11-30T05:00:00.000Z');
    expect(iso(b[24]!.start)).toBe('2026-12-01T04:00:00.000Z');
    expect(iso(b[24]!.end)).toBe('2026-12-01T04:13:00.000Z');
    for (let i = 1; i < b.length; i++) expect(b[i]!.start).toBe(b[i - 1]!.end);
  });

  it('hours follow a half-hour zone (India): buckets start at :30 UTC', () => {
    const b = timeBuckets(Date.UTC(2026, 0, 1, 0, 0), Date.UTC(2026, 0, 1, 3, 0), 'hour', 'Asia/Kolkata');
    expect(b.map((x) => iso(x.start).slice(11, 16))).toEqual(['00:00', '00:30', '01:30', '02:30']);
  });

  it('days start at local midnight, also across a daylight-saving change (a 23-hour day)', () => {
    // Berlin moves to summer time on 29 March 2026: that day has 23 hours.
    const from = Date.UTC(2026, 2, 27, 12);
    const b = timeBuckets(from, from + 7 * D, bucketUnit(7 * D), 'Europe/Berlin');
    expect(b.map((x) => iso(x.start))).toEqual([
      '2026-03-27T12:00:00.000Z',
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
      '2026-03-31T22:00:00.000Z',
      '2026-04-01T22:00:00.000Z',
      '2026-04-02T22:00:00.000Z',
    ]);
    expect(b[2]!.end - b[2]!.start).toBe(23 * H);
  });

  it('weeks start on Monday, months on the 1st, in the zone', () => {
    // Wednesday 4 Nov 2026, New York (UTC-5 in November).
    expect(iso(floorLocal(Date.UTC(2026, 10, 4, 15), 'week', 'America/New_York'))).toBe('2026-11-02T05:00:00.000Z');
    expect(iso(floorLocal(Date.UTC(2026, 10, 4, 15), 'month', 'America/New_York'))).toBe('2026-11-01T04:00:00.000Z');
    const months = timeBuckets(Date.UTC(2026, 0, 15), Date.UTC(2026, 4, 2), 'month', 'UTC');
    expect(months.map((x) => iso(x.start).slice(0, 10))).toEqual(['2026-01-15', '2026-02-01', '2026-03-01', '2026-04-01', '2026-05-01']);
  });

  it('bucket size grows with the span; unknown zones are refused', () => {
    expect([48 * H, 48 * H + 1, 93 * D, 94 * D, 800 * D].map(bucketUnit)).toEqual(['hour', 'day', 'day', 'week', 'month']);
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('report chart counts', () => {
  const from = Date.UTC(2026, 10, 30, 0, 0);
  const a = (priority: 'high' | 'medium' | 'low', startedAt: number, ackS: number | null = null) => ({ priority, startedAt, ackedAt: ackS === null ? null : startedAt + ackS * 1000 });

  it('counts each alarm in the hour it was raised, by priority, simulated ones apart', () => {
    const real = [a('high', from + 10), a('high', from + H - 1), a('medium', from + H), a('low', from + 3 * H + 5)];
    const all = [...real, a('high', from + H + 1), a('low', from + 2 * H)];
    const t = alarmTimeline(all, real, { from, to: from + 4 * H, now: from + 10 * H, tz: 'UTC', firstSessionAt: from });
    expect(t.bucket).toBe('hour');
    expect(t.buckets.map((b) => [b.real.high, b.real.medium, b.real.low, b.simulated.high, b.simulated.medium, b.simulated.low])).toEqual([
      [2, 0, 0, 0, 0, 0],
      [0, 1, 0, 1, 0, 0],
      [0, 0, 0, 0, 0, 1],
      [0, 0, 1, 0, 0, 0],
    ]);
  });

  it('ends at now, and a report over years starts at the first session', () => {
    expect(alarmTimeline([], [], { from, to: from + 10 * H, now: from + 2 * H, tz: 'UTC', firstSessionAt: null }).buckets).toHaveLength(2);
    const long = alarmTimeline([], [], { from: 0, to: from + 10 * D, now: from + 10 * D, tz: 'UTC', firstSessionAt: from + 5 * D });
    expect(long.bucket).toBe('day');
    expect(long.buckets[0]!.start).toBe(from + 5 * D);
    expect(alarmTimeline([], [], { from: 0, to: from, now: from, tz: 'UTC', firstSessionAt: null }).buckets).toEqual([]);
  });

  it('bins time to acknowledge at the bin edges, and counts the alarms no user acknowledged', () => {
    const real = [a('high', from, 9.9), a('high', from, 10), a('medium', from, 60), a('medium', from, 119), a('low', from, 900), a('low', from, null)];
    const bins = ackTimeBins([...real, a('high', from, null)], real);
    expect(bins.map((b) => b.label)).toEqual(['< 10 s', '10–30 s', '30–60 s', '1–2 min', '2–5 min', '5–15 min', '≥ 15 min', 'Not acknowledged']);
    expect(bins.map((b) => b.real.high + b.real.medium + b.real.low)).toEqual([1, 1, 0, 2, 0, 0, 1, 1]);
    expect(bins[7]!.simulated).toEqual({ high: 1, medium: 0, low: 0 });
  });

  it('gives each guardrail limit the part of its counts from simulated sessions', () => {
    const byLimit = [{ limitId: 'dose.rate.max', label: 'Rate', level: 'hard' as const, alerts: 0, overrides: 0, refusals: 3 }];
    const out = withSimulatedPart(byLimit, [{ limitId: 'dose.rate.max', level: 'hard', outcome: 'refused' }]);
    expect(out[0]!.simulated).toEqual({ alerts: 0, overrides: 0, refusals: 2 });
  });
});
