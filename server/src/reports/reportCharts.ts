import type { AckTimeBin, AlarmPriority, AlarmTimeline, GuardrailLimitStats, PriorityCounts } from '@infusion/shared';
import { bucketUnit, timeBuckets } from './timeBuckets';

/** What the charts need of an alarm: its priority, when it was raised and when a user first acknowledged it. */
export interface ChartAlarm {
  priority: AlarmPriority;
  startedAt: number;
  ackedAt: number | null;
}

const zero = (): PriorityCounts => ({ high: 0, medium: 0, low: 0 });
// Never below zero: the two lists are read one after the other.
const minus = (a: PriorityCounts, b: PriorityCounts): PriorityCounts => ({ high: Math.max(0, a.high - b.high), medium: Math.max(0, a.medium - b.medium), low: Math.max(0, a.low - b.low) });

/** Span longer than this starts at the first session instead of `from`: a report "since 1970" charts only the months with sessions. */
const CLIP_AFTER_MS = 93 * 24 * 3_600_000;

/**
 * Alarms raised per bucket of the period [from, min(to, now)), by priority. `all` are the report's
 * alarms, `real` those of real sessions only (the same list when simulated sessions are left out):
 * the difference is drawn apart as simulated.
 */
export function alarmTimeline(
  all: ChartAlarm[],
  real: ChartAlarm[],
  q: { from: number; to: number; now: number; tz: string; firstSessionAt: number | null },
): AlarmTimeline {
  const end = Math.min(q.to, q.now);
  let start = q.from;
  if (end - start > CLIP_AFTER_MS) start = q.firstSessionAt === null ? end : Math.max(start, q.firstSessionAt);
  if (end <= start) return { bucket: bucketUnit(0), tz: q.tz, buckets: [] };
  const unit = bucketUnit(end - start);
  const buckets = timeBuckets(start, end, unit, q.tz);
  const count = (xs: ChartAlarm[]) => {
    const out = buckets.map(zero);
    for (const a of xs) {
      // Buckets are sorted and contiguous: binary search for the one holding startedAt.
      let lo = 0;
      let hi = buckets.length - 1;
      if (a.startedAt < buckets[0]!.start || a.startedAt >= buckets[hi]!.end) continue;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (buckets[mid]!.start <= a.startedAt) lo = mid;
        else hi = mid - 1;
      }
      out[lo]![a.priority]++;
    }
    return out;
  };
  const allCounts = count(all);
  const realCounts = count(real);
  return {
    bucket: unit,
    tz: q.tz,
    buckets: buckets.map((b, i) => ({ start: b.start, end: b.end, real: realCounts[i]!, simulated: minus(allCounts[i]!, realCounts[i]!) })),
  };
}

/** Display bins for time to acknowledge (seconds); the 1 and 2 min edges match the default escalation delays. */
const ACK_BINS: { label: string; fromS: number; toS: number | null }[] = [
  { label: '< 10 s', fromS: 0, toS: 10 },
  { label: '10–30 s', fromS: 10, toS: 30 },
  { label: '30–60 s', fromS: 30, toS: 60 },
  { label: '1–2 min', fromS: 60, toS: 120 },
  { label: '2–5 min', fromS: 120, toS: 300 },
  { label: '5–15 min', fromS: 300, toS: 900 },
  { label: '≥ 15 min', fromS: 900, toS: null },
];

/** Time from raise to a user's first acknowledgement, binned by priority; the last bin counts the alarms no user acknowledged. */
export function ackTimeBins(all: ChartAlarm[], real: ChartAlarm[]): AckTimeBin[] {
  const count = (xs: ChartAlarm[]) => {
    const out = [...ACK_BINS, null].map(zero);
    for (const a of xs) {
      if (a.ackedAt === null) {
        out[ACK_BINS.length]![a.priority]++;
        continue;
      }
      const s = Math.max(0, (a.ackedAt - a.startedAt) / 1000);
      const i = ACK_BINS.findIndex((b) => s >= b.fromS && (b.toS === null || s < b.toS));
      out[i]![a.priority]++;
    }
    return out;
  };
  const allCounts = count(all);
  const realCounts = count(real);
  return [...ACK_BINS, { label: 'Not acknowledged', fromS: null, toS: null }].map((b, i) => ({
    ...b,
    real: realCounts[i]!,
    simulated: minus(allCounts[i]!, realCounts[i]!),
  }));
}

/** What a guardrail row needs for the split: which limit at which level, and the outcome. */
export interface ChartGuardrailEvent {
  limitId: string;
  level: 'soft' | 'hard';
  outcome: 'alerted' | 'overridden' | 'refused';
}

/**
 * Each limit's figures with the part from simulated sessions: `real` are the events of real
 * sessions only (the same rows as the report's when simulated sessions are left out).
 */
export function withSimulatedPart(byLimit: Omit<GuardrailLimitStats, 'simulated'>[], real: ChartGuardrailEvent[]): GuardrailLimitStats[] {
  const realCounts = new Map<string, { alerts: number; overrides: number; refusals: number }>();
  for (const r of real) {
    const k = `${r.limitId}\u0000${r.level}`;
    const c = realCounts.get(k) ?? { alerts: 0, overrides: 0, refusals: 0 };
    if (r.outcome === 'alerted') c.alerts++;
    else if (r.outcome === 'overridden') c.overrides++;
    else c.refusals++;
    realCounts.set(k, c);
  }
  return byLimit.map((l) => {
    const c = realCounts.get(`${l.limitId}\u0000${l.level}`) ?? { alerts: 0, overrides: 0, refusals: 0 };
    return { ...l, simulated: { alerts: Math.max(0, l.alerts - c.alerts), overrides: Math.max(0, l.overrides - c.overrides), refusals: Math.max(0, l.refusals - c.refusals) } };
  });
}
