import { CARE_SETTINGS } from '@infusion/shared';
import { z } from 'zod';
import { EXCURSION_FIELDS } from '../physiology/excursion';

/**
 * A scenario is data: an infusion plan on the scenario clock (minutes), physiology modifiers and
 * physiological events. Doses are per kg so the plan fits any simulated weight; the guideline
 * limits are checked separately (see guideline.ts).
 */
const minute = z.number().nonnegative().finite();
const note = z.string().max(500).optional();
const rate = z.number().positive().finite();

export const infusionStepSchema = z.discriminatedUnion('type', [
  z.strictObject({ atMin: minute, type: z.literal('start'), rateMgKgH: rate, note }),
  z.strictObject({ atMin: minute, type: z.literal('rate_change'), rateMgKgH: rate, note }),
  z.strictObject({ atMin: minute, type: z.literal('bolus'), doseMgKg: z.number().positive().finite(), note }),
  z.strictObject({ atMin: minute, type: z.literal('pause'), note }),
  z.strictObject({ atMin: minute, type: z.literal('resume'), note }),
  z.strictObject({ atMin: minute, type: z.literal('stop'), note }),
]);
export type InfusionStep = z.infer<typeof infusionStepSchema>;

const fieldValues = z.partialRecord(z.enum(EXCURSION_FIELDS), z.number().finite());

export const vitalExcursionSchema = z.strictObject({
  kind: z.literal('excursion'),
  label: z.string().min(1),
  atMin: minute,
  onsetMin: z.number().positive().finite(),
  holdMin: minute,
  recoverMin: z.number().positive().finite(),
  to: fieldValues.optional(),
  delta: fieldValues.optional(),
});

const range = z.tuple([z.number().positive(), z.number().positive()]).refine(([lo, hi]) => lo <= hi, 'min must not exceed max');

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  description: z.string().min(1),
  setting: z.enum(CARE_SETTINGS),
  indication: z.string().min(1),
  /** Ranges the simulated patient's weight (kg) and age (years) are drawn from. */
  patient: z.strictObject({ weightKg: range, ageYears: range }),
  infusion: z.array(infusionStepSchema).min(1),
  physiology: z.strictObject({
    baseline: z
      .strictObject({ hr: z.number(), sbp: z.number(), dbp: z.number(), spo2: z.number(), etco2: z.number(), rr: z.number() })
      .partial()
      .optional(),
    sensitivity: z.strictObject({ hr: z.number().positive(), bp: z.number().positive(), rr: z.number().positive() }).partial().optional(),
  }),
  events: z.array(vitalExcursionSchema),
});
export type Scenario = z.infer<typeof scenarioSchema>;
