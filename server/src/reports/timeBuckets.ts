import type { AlarmTimeline } from '@infusion/shared';

export type BucketUnit = AlarmTimeline['bucket'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Whether the runtime knows this IANA time zone name ("Europe/Berlin", "UTC"). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function wallClock(t: number, tz: string): { y: number; mo: number; d: number; h: number; wd: number; offset: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short' });
    formats.set(tz, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(t)) parts[p.type] = p.value;
  const y = Number(parts.year);
  const mo = Number(parts.month) - 1;
  const d = Number(parts.day);
  const h = Number(parts.hour);
  const wall = Date.UTC(y, mo, d, h, Number(parts.minute), Number(parts.second));
  const wd = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? 'Mon');
  // Whole seconds: the formatter drops milliseconds.
  return { y, mo, d, h, wd, offset: wall - (t - (((t % 1000) + 1000) % 1000)) };
}

/** The instant a local wall-clock time (in `tz`) occurs; across a DST change the later reading of the offset wins. */
function fromWall(wallUtc: number, tz: string): number {
  const guess = wallUtc - wallClock(wallUtc, tz).offset;
  return wallUtc - wallClock(guess, tz).offset;
}

/** The start of the local hour, day, week (Monday) or month containing `t`. */
export function floorLocal(t: number, unit: BucketUnit, tz: string): number {
  const w = wallClock(t, tz);
  if (unit === 'hour') return t - ((((t + w.offset) % HOUR) + HOUR) % HOUR);
  if (unit === 'month') return fromWall(Date.UTC(w.y, w.mo, 1), tz);
  const day = fromWall(Date.UTC(w.y, w.mo, w.d), tz);
  return unit === 'day' ? day : floorLocal(day - w.wd * DAY + 12 * HOUR, 'day', tz);
}

const LENGTH: Record<BucketUnit, number> = { hour: HOUR, day: DAY, week: 7 * DAY, month: 30 * DAY };

function nextStart(start: number, unit: BucketUnit, tz: string): number {
  if (unit === 'hour') return start + HOUR;
  // Half a bucket past the next boundary, floored: days of 23 or 25 h and months of 28-31 days land right.
  const next = floorLocal(start + LENGTH[unit] * 1.5, unit, tz);
  return next > start ? next : start + LENGTH[unit];
}

/** The bucket size for a span: hours up to 48 h, days up to 93 days, weeks up to 2 years, then months. */
export function bucketUnit(spanMs: number): BucketUnit {
  if (spanMs <= 48 * HOUR) return 'hour';
  if (spanMs <= 93 * DAY) return 'day';
  if (spanMs <= 2 * 366 * DAY) return 'week';
  return 'month';
}

/**
 * Consecutive local-time buckets covering [from, to): the first starts at `from`, the last ends at
 * `to`, the ones between start on the hour, at midnight, on Monday or on the 1st in `tz`.
 */
export function timeBuckets(from: number, to: number, unit: BucketUnit, tz: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = from;
  let boundary = floorLocal(from, unit, tz);
  while (start < to) {
    boundary = nextStart(boundary, unit, tz);
    const end = Math.min(boundary, to);
    out.push({ start, end });
    start = end;
  }
  return out;
}
