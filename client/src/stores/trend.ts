import { VITAL_FIELDS, type TrendPoint, type VitalField } from '@infusion/shared';

/** How much live history each session keeps on the dashboard, by sample time. */
export const TREND_WINDOW_MS = 15 * 60_000;

const byTime = (a: TrendPoint, b: TrendPoint) => a.t - b.t;

function isSorted(samples: readonly TrendPoint[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]!.t > samples[i]!.t) return false;
  return true;
}

/**
 * Union of two sample lists ordered by t. Samples with the same t are merged field by field
 * (incoming wins), so a downsampled snapshot and the live stream can overlap without duplicates.
 */
export function mergeSamples(existing: readonly TrendPoint[], incoming: readonly TrendPoint[]): TrendPoint[] {
  if (incoming.length === 0) return existing as TrendPoint[];
  const inc = isSorted(incoming) ? incoming : [...incoming].sort(byTime);
  const last = existing[existing.length - 1];
  // Fast path, the live case: everything new is later than what we hold.
  if (!last || inc[0]!.t > last.t) return [...existing, ...dedupeSorted(inc)];

  const out: TrendPoint[] = [];
  let i = 0;
  let j = 0;
  const push = (s: TrendPoint) => {
    const prev = out[out.length - 1];
    if (prev && prev.t === s.t) out[out.length - 1] = { ...prev, ...s };
    else out.push(s);
  };
  while (i < existing.length || j < inc.length) {
    const a = existing[i];
    const b = inc[j];
    if (b === undefined || (a !== undefined && a.t <= b.t)) {
      push(a!);
      i++;
    } else {
      push(b);
      j++;
    }
  }
  return out;
}

function dedupeSorted(samples: readonly TrendPoint[]): TrendPoint[] {
  const out: TrendPoint[] = [];
  for (const s of samples) {
    const prev = out[out.length - 1];
    if (prev && prev.t === s.t) out[out.length - 1] = { ...prev, ...s };
    else out.push(s);
  }
  return out;
}

/** Keep only samples within windowMs of the newest one (sample time, not wall clock). */
export function capTrend(trend: TrendPoint[], windowMs = TREND_WINDOW_MS): TrendPoint[] {
  const last = trend[trend.length - 1];
  if (!last) return trend;
  const from = last.t - windowMs;
  let i = 0;
  while (i < trend.length && trend[i]!.t < from) i++;
  return i === 0 ? trend : trend.slice(i);
}

/** Lowest and highest value of a field at a point: a bucket's min and max, a raw sample's value twice. */
export function rangeAt(p: TrendPoint, f: VitalField): [number, number] | null {
  const v = p[f];
  const lo = p.min?.[f] ?? v;
  const hi = p.max?.[f] ?? v;
  return typeof lo === 'number' && typeof hi === 'number' ? [lo, hi] : null;
}

/** Two neighbouring points as one bucket: the earlier time, the mean of the values, the extremes of both. */
export function combinePoints(a: TrendPoint, b: TrendPoint): TrendPoint {
  const out: TrendPoint = { t: a.t };
  for (const f of VITAL_FIELDS) {
    const va = a[f];
    const vb = b[f];
    if (va === undefined && vb === undefined) continue;
    out[f] = typeof va === 'number' && typeof vb === 'number' ? Math.round(((va + vb) / 2) * 10) / 10 : typeof va === 'number' ? va : typeof vb === 'number' ? vb : null;
    const ra = rangeAt(a, f);
    const rb = rangeAt(b, f);
    const lo = Math.min(ra?.[0] ?? Infinity, rb?.[0] ?? Infinity);
    const hi = Math.max(ra?.[1] ?? -Infinity, rb?.[1] ?? -Infinity);
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo !== hi) {
      (out.min ??= {})[f] = lo;
      (out.max ??= {})[f] = hi;
    }
  }
  return out;
}

/**
 * Bound a long trend (the session page keeps the whole session): recent samples stay at full
 * resolution, older ones are merged in pairs each time the limit is exceeded, keeping each pair's
 * min and max (dropping every other sample could drop the one that showed a dip).
 */
export function boundTrend(trend: TrendPoint[], maxPoints: number, keepRecentMs = TREND_WINDOW_MS): TrendPoint[] {
  if (trend.length <= maxPoints) return trend;
  const last = trend[trend.length - 1]!;
  const split = trend.findIndex((s) => s.t >= last.t - keepRecentMs);
  const older = trend.slice(0, split);
  if (older.length < 2) return trend.slice(trend.length - maxPoints);
  const merged: TrendPoint[] = [];
  for (let i = 0; i < older.length; i += 2) merged.push(i + 1 < older.length ? combinePoints(older[i]!, older[i + 1]!) : older[i]!);
  return [...merged, ...trend.slice(split)];
}

export interface LatestValue {
  /** null when the device reported "no valid value". */
  value: number | null;
  t: number;
}

/** The most recent reported value of each field (a sample may omit a field it did not measure). */
export function latestValues(trend: readonly TrendPoint[]): Partial<Record<VitalField, LatestValue>> {
  const out: Partial<Record<VitalField, LatestValue>> = {};
  let missing = VITAL_FIELDS.length;
  for (let i = trend.length - 1; i >= 0 && missing > 0; i--) {
    const s = trend[i]!;
    for (const f of VITAL_FIELDS) {
      const v = s[f];
      if (v !== undefined && out[f] === undefined) {
        out[f] = { value: v, t: s.t };
        missing--;
      }
    }
  }
  return out;
}

export function lastSampleTime(trend: readonly TrendPoint[] | undefined): number | null {
  return trend?.[trend.length - 1]?.t ?? null;
}

