
/** The report's shape is the shared contract (shared/src/reports.ts). */
export type { AlarmReport, GuardrailReport, RuleStats } from '@infusion/shared';

export type ReportPeriod = '24h' | '7d' | 'custom';

const HOUR = 3_600_000;

/**
 * The period's time range: the last 24 h or 7 days up to `now`, or a custom range typed in
 * datetime-local inputs (local time, "2025-01-15T09:00").
 */
export function reportRange(period: ReportPeriod, now: number, customFrom = '', customTo = ''): { ok: true; from: number; to: number } | { ok: false; reason: string } {
  if (period === '24h') return { ok: true, from: now - 24 * HOUR, to: now };
  if (period === '7d') return { ok: true, from: now - 7 * 24 * HOUR, to: now };
  const from = customFrom ? new Date(customFrom).getTime() : NaN;
  const to = customTo ? new Date(customTo).getTime() : NaN;
  if (!Number.isFinite(from) || !Number.isFinite(to)) return { ok: false, reason: 'enter a start and an end' };
  if (to <= from) return { ok: false, reason: 'the end must be after the start' };
  return { ok: true, from, to };
}

/**
 * The alarm report's path, or the guardrail compliance report's for the same unit and period. `tz`
 * (the browser's zone) makes the alarm report's chart buckets start on local hours and midnights.
 */
export function reportPath(q: { unit: string; from: number; to: number; includeSimulated: boolean; tz?: string }, report: 'alarms' | 'guardrails' = 'alarms'): string {
  const p = new URLSearchParams({ unit: q.unit, from: String(Math.floor(q.from)), to: String(Math.floor(q.to)), includeSimulated: String(q.includeSimulated) });
  if (q.tz && report === 'alarms') p.set('tz', q.tz);
  return `/api/reports/${report}?${p.toString()}`;
}

/**
 * The browser's IANA time zone ("Europe/Berlin"), or undefined when it does not know its zone
 * (V8 says "Etc/Unknown"): the server then buckets in UTC and the charts say so.
 */
export function browserTimeZone(zone = Intl.DateTimeFormat().resolvedOptions().timeZone): string | undefined {
  return zone && zone !== 'Etc/Unknown' ? zone : undefined;
}

/** Seconds to acknowledge: "12 s", "3 min 5 s", or a dash when nothing was acknowledged. */
export function formatAckSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const whole = Math.round(s);
  const min = Math.floor(whole / 60);
  const rest = whole % 60;
  return rest ? `${min} min ${rest} s` : `${min} min`;
}
