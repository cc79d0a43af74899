/** The vitals an excursion may move (MAP follows SBP and DBP). */
export const EXCURSION_FIELDS = ['hr', 'sbp', 'dbp', 'spo2', 'etco2', 'rr'] as const;
export type ExcursionField = (typeof EXCURSION_FIELDS)[number];

/**
 * A time-limited physiological event on the scenario clock, e.g. a desaturation: vitals move towards
 * `to` (absolute targets) and/or by `delta` over `onsetMin`, stay for `holdMin`, and return over
 * `recoverMin`.
 */
export interface VitalExcursion {
  kind: 'excursion';
  label: string;
  atMin: number;
  onsetMin: number;
  holdMin: number;
  recoverMin: number;
  to?: Partial<Record<ExcursionField, number>>;
  delta?: Partial<Record<ExcursionField, number>>;
}

/** 0 outside the event, 1 during the hold, linear ramps in between. */
export function excursionWeight(ev: VitalExcursion, min: number): number {
  const t = min - ev.atMin;
  if (t <= 0) return 0;
  if (t < ev.onsetMin) return t / ev.onsetMin;
  const afterHold = t - ev.onsetMin - ev.holdMin;
  if (afterHold <= 0) return 1;
  if (afterHold < ev.recoverMin) return 1 - afterHold / ev.recoverMin;
  return 0;
}

/** Applies every active excursion to one value. */
export function applyExcursions(events: readonly VitalExcursion[], field: ExcursionField, value: number, min: number): number {
  let v = value;
  for (const ev of events) {
    const w = excursionWeight(ev, min);
    if (w === 0) continue;
    const target = ev.to?.[field];
    if (target !== undefined) v += w * (target - v);
    const delta = ev.delta?.[field];
    if (delta !== undefined) v += w * delta;
  }
  return v;
}
