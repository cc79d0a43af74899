import { z } from 'zod';
import { CARE_SETTINGS, type CareSetting } from './sessions';

/**
 * A physician's order for the session (guideline Q6: the nurse adjusts the rate on the physician's
 * direction). Every dosing action is checked against the current order before it is stored. A change
 * is a new version; the versions are kept and audited.
 */
export const orderInputSchema = z
  .strictObject({
    drug: z.literal('ketamine').default('ketamine'),
    /** The setting the order was written for: must be the session's. */
    setting: z.enum(CARE_SETTINGS),
    /** The rate range the nurse may titrate in. */
    rateMinMgKgH: z.number().positive().max(20),
    rateMaxMgKgH: z.number().positive().max(20),
    bolusAllowed: z.boolean(),
    /** Largest single bolus (mg/kg); required when boluses are allowed. */
    bolusMaxMgKg: z.number().positive().max(7).nullable().default(null),
    /** Minimum time between two boluses (minutes); required when boluses are allowed. */
    bolusMinIntervalMin: z.number().int().min(0).max(1440).nullable().default(null),
    /** Largest cumulative dose of the session (infusion and boluses, mg/kg). */
    maxCumulativeMgKg: z.number().positive().max(200),
    /** Why the order was written or changed (kept with the version). */
    note: z.string().trim().max(500).optional(),
  })
  .superRefine((o, ctx) => {
    if (o.rateMinMgKgH > o.rateMaxMgKgH) ctx.addIssue({ code: 'custom', path: ['rateMinMgKgH'], message: 'must not be above rateMaxMgKgH' });
    if (o.bolusAllowed && o.bolusMaxMgKg === null) ctx.addIssue({ code: 'custom', path: ['bolusMaxMgKg'], message: 'required when boluses are allowed' });
    if (o.bolusAllowed && o.bolusMinIntervalMin === null) ctx.addIssue({ code: 'custom', path: ['bolusMinIntervalMin'], message: 'required when boluses are allowed' });
  });
export type OrderInput = z.input<typeof orderInputSchema>;
export type OrderParsed = z.output<typeof orderInputSchema>;

export interface Order extends OrderParsed {
  sessionId: string;
  /** 1, 2, ...: each change is a new version. */
  version: number;
  at: number;
  by: string;
}

/**
 * Table 6 (personnel and monitoring (3)): above 1 mg/kg per hour a monitored setting; Table 6 dosing
 * range (2): above 2 mg/kg per hour only in refractory cases in ICU settings. The least monitored
 * setting a rate fits, so an order change that needs more re-opens the checklist's setting item.
 */
export function settingNeededFor(rateMgKgH: number): CareSetting {
  if (rateMgKgH > 2) return 'icu';
  if (rateMgKgH > 1) return 'monitored_unit';
  return 'clinic';
}
