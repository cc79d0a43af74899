import { describe, expect, it } from 'vitest';
import type { AckTimeBin, AlarmTimeline, GuardrailLimitStats } from '@infusion/shared';
import { ackSummary, bucketLabels, guardrailRows, guardrailSummary, prioritySeries, timelineRows, timelineSummary } from './reportChartData';

const H = 3_600_000;
const c = (high = 0, medium = 0, low = 0) => ({ high, medium, low });

describe('report chart data', () => {
  it('labels hours in the report’s zone, naming the date at midnight', () => {
    const t = Date.UTC(2026, 10, 30, 22, 0);
    expect(bucketLabels(t, t + H, 'hour', 'UTC')).toEqual({ label: '22:00', full: 'Mon 30 Nov 22:00–23:00' });
    expect(bucketLabels(t + 2 * H, t + 3 * H, 'hour', 'UTC').label).toBe('1 Dec');
    expect(bucketLabels(t + H, t + 2 * H, 'hour', 'Europe/Berlin').label).toBe('1 Dec'); // 23:00 UTC is midnight in Berlin (UTC+1)
    // A day cut by the start of the period names its times; a whole one only its date.
    expect(bucketLabels(Date.UTC(2026, 10, 30, 4, 13), Date.UTC(2026, 11, 1), 'day', 'UTC')).toEqual({ label: 'Mon 30 Nov', full: 'Mon 30 Nov 04:13 to Tue 1 Dec 00:00' });
    expect(bucketLabels(Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 2), 'day', 'UTC').full).toBe('Tue 1 Dec');
  });

  it('stacks priorities highest first in the IEC colours, simulated parts beside them only when included', () => {
    expect(prioritySeries(false).map((s) => `${s.key}:${s.colour}`)).toEqual(['high:#d90429', 'medium:#ffc300', 'low:#00b4d8']);
    expect(prioritySeries(true).map((s) => s.key)).toEqual(['high', 'highSim', 'medium', 'mediumSim', 'low', 'lowSim']);
  });

  it('sums and names the busiest bucket, counting simulated alarms apart', () => {
    const t = Date.UTC(2026, 10, 30, 10);
    const timeline: AlarmTimeline = {
      bucket: 'hour',
      tz: 'UTC',
      buckets: [
        { start: t, end: t + H, real: c(1, 0, 0), simulated: c() },
        { start: t + H, end: t + 2 * H, real: c(0, 2, 1), simulated: c(1) },
      ],
    };
    expect(timelineRows(timeline)[1]!.values).toEqual({ high: 0, highSim: 1, medium: 2, mediumSim: 0, low: 1, lowSim: 0 });
    expect(timelineSummary(timeline)).toBe('5 alarms: 2 high, 2 medium, 1 low; 1 from simulated sessions. Most in Mon 30 Nov 11:00–12:00 (4).');
    expect(timelineSummary({ ...timeline, buckets: [] })).toBe('No alarms in this period.');
  });

  it('says how many alarms a user acknowledged, how many within a minute and how many nobody did', () => {
    const bins: AckTimeBin[] = [
      { label: '< 10 s', fromS: 0, toS: 10, real: c(1), simulated: c() },
      { label: '1–2 min', fromS: 60, toS: 120, real: c(0, 1), simulated: c() },
      { label: 'Not acknowledged', fromS: null, toS: null, real: c(0, 0, 1), simulated: c() },
    ];
    expect(ackSummary(bins)).toBe('Of 3 alarms, 2 were acknowledged by a user, 1 of them within 1 min; 1 was not (ended by itself or still open).');
  });

  it('draws a limit’s simulated part apart from its real one', () => {
    const l: GuardrailLimitStats = { limitId: 'dose.rate.max', label: 'Infusion rate above any reported dose', level: 'hard', alerts: 0, overrides: 0, refusals: 3, simulated: { alerts: 0, overrides: 0, refusals: 1 } };
    expect(guardrailRows([l], (x) => x.label)[0]).toEqual({
      label: 'Infusion rate above any reported dose',
      full: 'Infusion rate above any reported dose (hard limit)',
      values: { refusals: 2, refusalsSim: 1, overrides: 0, overridesSim: 0, alerts: 0, alertsSim: 0 },
    });
    expect(guardrailSummary([l])).toBe('3 refusals, 0 overrides, 0 unconfirmed alerts at 1 limit; 1 from simulated sessions.');
  });
});
