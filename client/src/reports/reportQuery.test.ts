import { describe, expect, it } from 'vitest';
import { T0 } from '../testFixtures';
import { browserTimeZone, formatAckSeconds, reportPath, reportRange } from './reportQuery';

describe('alarm report query', () => {
  it('the last 24 h and 7 days end now', () => {
    expect(reportRange('24h', T0)).toEqual({ ok: true, from: T0 - 86_400_000, to: T0 });
    expect(reportRange('7d', T0)).toEqual({ ok: true, from: T0 - 7 * 86_400_000, to: T0 });
  });

  it('a custom period is read in local time and must end after it starts', () => {
    const r = reportRange('custom', T0, '2025-01-15T09:00', '2025-01-15T10:30');
    expect(r).toEqual({ ok: true, from: new Date(2025, 0, 15, 9, 0).getTime(), to: new Date(2025, 0, 15, 10, 30).getTime() });
    expect(reportRange('custom', T0, '2025-01-15T10:00', '2025-01-15T09:00').ok).toBe(false);
    expect(reportRange('custom', T0, '', '2025-01-15T09:00').ok).toBe(false);
  });

  it('builds the query string the server reads', () => {
    const path = reportPath({ unit: 'icu b', from: 1000.7, to: 5000, includeSimulated: true });
    expect(path).toBe('/api/reports/alarms?unit=icu+b&from=1000&to=5000&includeSimulated=true');
    expect(reportPath({ unit: 'icu b', from: 1000, to: 5000, includeSimulated: false }, 'guardrails')).toBe('/api/reports/guardrails?unit=icu+b&from=1000&to=5000&includeSimulated=false');
    // The alarm report's charts are bucketed in the reader's zone; the guardrail report has no time buckets.
    expect(reportPath({ unit: 'u', from: 1, to: 2, includeSimulated: false, tz: 'Europe/Berlin' })).toBe('/api/reports/alarms?unit=u&from=1&to=2&includeSimulated=false&tz=Europe%2FBerlin');
    expect(reportPath({ unit: 'u', from: 1, to: 2, includeSimulated: false, tz: 'Europe/Berlin' }, 'guardrails')).toBe('/api/reports/guardrails?unit=u&from=1&to=2&includeSimulated=false');
  });

  it('sends the browser’s zone, or none when the browser does not know it (the server then uses UTC)', () => {
    expect(browserTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(browserTimeZone('Etc/Unknown')).toBeUndefined();
    expect(browserTimeZone('')).toBeUndefined();
  });

  it('times to acknowledge in seconds or minutes, a dash when none', () => {
    expect(formatAckSeconds(null)).toBe('—');
    expect(formatAckSeconds(12.34)).toBe('12.3 s');
    expect(formatAckSeconds(185)).toBe('3 min 5 s');
    expect(formatAckSeconds(120)).toBe('2 min');
  });
});
