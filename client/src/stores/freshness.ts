import { create } from 'zustand';
import { VITAL_FIELDS, VITAL_META, type VitalField } from '@infusion/shared';
import type { LatestValue } from './trend';

/**
 * Institutional defaults (not from the guideline; editable here): a value is shown greyed with its age
 * once older than about three times its expected interval, and replaced by "--" after a longer time.
 * The interval follows how the vital is sampled (the vital-sign table in shared): monitor numerics
 * arrive every second or so; NIBP is cycled every 5 minutes.
 */
const AGE_LIMITS_MS = {
  continuous: { stale: 30_000, blank: 5 * 60_000 },
  intermittent: { stale: 15 * 60_000, blank: 30 * 60_000 },
} as const;
const bySampling = (k: 'stale' | 'blank') => Object.fromEntries(VITAL_FIELDS.map((f) => [f, AGE_LIMITS_MS[VITAL_META[f].sampling][k]])) as Record<VitalField, number>;
export const STALE_AFTER_MS: Record<VitalField, number> = bySampling('stale');
export const BLANK_AFTER_MS: Record<VitalField, number> = bySampling('blank');

export type Freshness = 'live' | 'stale' | 'blank';

/**
 * This page's clock when vitals of each session last arrived. A feed that stops sends nothing, so only
 * the receiving side can tell that the newest value is getting old; event time alone cannot (a device
 * clock may be off).
 */
export const useFeed = create<Record<string, number>>()(() => ({}));

export function markReceived(sessionIds: Iterable<string>, now = Date.now()): void {
  const next: Record<string, number> = {};
  for (const id of sessionIds) next[id] = now;
  useFeed.setState(next);
}

export const resetFeed = () => useFeed.setState({}, true);

export interface AgeInputs {
  /** This page's clock now. */
  pageNow: number;
  /** Server time now (page clock plus offset): used when nothing has arrived live yet. */
  serverNow: number;
  /** When the session's vitals last arrived on this page; undefined if only the snapshot brought them. */
  receivedAt: number | undefined;
  /** Event time of the session's newest sample. */
  newestT: number | null;
}

/** How old a value is: time since the feed last arrived plus how far it lags the session's newest sample. */
export function valueAge(v: LatestValue, a: AgeInputs): number {
  if (a.receivedAt !== undefined && a.newestT !== null) return Math.max(0, a.pageNow - a.receivedAt) + Math.max(0, a.newestT - v.t);
  return Math.max(0, a.serverNow - v.t);
}

/** Whether a value is live, old (greyed, age shown) or too old to show; every value is old while the link is lost or the session ended. */
export function freshness(field: VitalField, age: number, notLive: boolean): Freshness {
  if (age > BLANK_AFTER_MS[field]) return 'blank';
  if (notLive || age > STALE_AFTER_MS[field]) return 'stale';
  return 'live';
}
