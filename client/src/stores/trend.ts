import { VITAL_FIELDS, type VitalField, type VitalsSample } from '@infusion/shared';

/** How much live history each session keeps on the dashboard, by sample time. */
export const TREND_WINDOW_MS = 15 * 60_000;

const byTime = (a: VitalsSample, b: VitalsSample) => a.t - b.t;

function isSorted(samples: readonly VitalsSample[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]!.t > samples[i]!.t) return false;
  return true;
}

/**
 * Union of two sample lists ordered by t. Samples with the same t are merged field by field
 * (incoming wins), so a downsampled snapshot and the live stream can overlap without duplicates.
 */
export function mergeSamples(existing: readonly VitalsSample[], incoming: readonly VitalsSample[]): VitalsSample[] {
  if (incoming.length === 0) return existing as VitalsSample[];
  const inc = isSorted(incoming) ? incoming : [...incoming].sort(byTime);
  const last = existing[existing.length - 1];
  // Fast path, the live case: everything new is later than what we hold.
  if (!last || inc[0]!.t > last.t) return [...existing, ...dedupeSorted(inc)];

  const out: VitalsSample[] = [];
  let i = 0;
  let j = 0;
  const push = (s: VitalsSample) => {
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

function dedupeSorted(samples: readonly VitalsSample[]): VitalsSample[] {
  const out: VitalsSample[] = [];
  for (const s of samples) {
    const prev = out[out.length - 1];
    if (prev && prev.t === s.t) out[out.length - 1] = { ...prev, ...s };
    else out.push(s);
  }
  return out;
}

/** Keep only samples within windowMs of the newest one (sample time, not wall clock). */
export function capTrend(trend: VitalsSample[], windowMs = TREND_WINDOW_MS): VitalsSample[] {
  const last = trend[trend.length - 1];
  if (!last) return trend;
  const from = last.t - windowMs;
  let i = 0;
  while (i < trend.length && trend[i]!.t < from) i++;
  return i === 0 ? trend : trend.slice(i);
}

/**
 * Bound a long trend (the session page keeps the whole session): recent samples stay at full
 * resolution, older ones are thinned by half each time the limit is exceeded.
 */
export function boundTrend(trend: VitalsSample[], maxPoints: number, keepRecentMs = TREND_WINDOW_MS): VitalsSample[] {
  if (trend.length <= maxPoints) return trend;
  const last = trend[trend.length - 1]!;
  const split = trend.findIndex((s) => s.t >= last.t - keepRecentMs);
  const older = trend.slice(0, split);
  if (older.length < 2) return trend.slice(trend.length - maxPoints);
  const thinned = older.filter((_, i) => i % 2 === 0);
  return [...thinned, ...trend.slice(split)];
}

export interface LatestValue {
  /** null when the device reported "no valid value". */
  value: number | null;
  t: number;
}

/** The most recent reported value of each field (a sample may omit a field it did not measure). */
export function latestValues(trend: readonly VitalsSample[]): Partial<Record<VitalField, LatestValue>> {
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

export function lastSampleTime(trend: readonly VitalsSample[] | undefined): number | null {
  return trend?.[trend.length - 1]?.t ?? null;
}

/** Beyond this age (relative to the session's newest sample) a value is shown as stale. NIBP is intermittent. */
const STALE_AFTER_MS: Record<VitalField, number> = {
  hr: 30_000,
  spo2: 30_000,
  etco2: 30_000,
  rr: 30_000,
  sbp: 10 * 60_000,
  dbp: 10 * 60_000,
  map: 10 * 60_000,
};

export function isStale(field: VitalField, value: LatestValue | undefined, newestT: number | null): boolean {
  return value !== undefined && newestT !== null && newestT - value.t > STALE_AFTER_MS[field];
}
