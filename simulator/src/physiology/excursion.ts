import { EXCURSION_FIELDS, type ExcursionField, type VitalExcursion } from '@infusion/shared';

export { EXCURSION_FIELDS, type ExcursionField, type VitalExcursion };

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
