import { z } from 'zod';
import defaultFormularyJson from './default-formulary.json';
import type { DoseOverride } from './sessions';

/**
 * Rescue and preemptive medications (guideline Q7). The guideline gives no doses: a dose appears only
 * where a published example exists (cited) or a site has filled one in. Never invent a dose.
 */
export const RESCUE_CLASSES = ['benzodiazepine', 'haloperidol', 'alpha2_agonist', 'beta_blocker', 'antiemetic', 'diphenhydramine', 'barbiturate_or_propofol'] as const;
export type RescueClass = (typeof RESCUE_CLASSES)[number];

export const formularyEntrySchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  drug: z.string().min(1),
  class: z.enum(RESCUE_CLASSES),
  indications: z.array(z.string()),
  /** Free text as a site writes it (e.g. "0.03-0.05 mg/kg IV"); null = no dose filled in. */
  dose: z.string().nullable(),
  doseSource: z.string().nullable(),
  cautions: z.array(z.string()),
  source: z.string().min(1),
});
export const formularySchema = z.strictObject({
  version: z.number().int().positive(),
  entries: z.array(formularyEntrySchema),
});
export type FormularyEntry = z.infer<typeof formularyEntrySchema>;
export type Formulary = z.infer<typeof formularySchema>;

export const rescueDoseInputSchema = z.strictObject({
  drugId: z.string().min(1),
  doseMg: z.number().positive().max(1000),
  route: z.enum(['IV', 'IM', 'PO', 'SL', 'IN']).default('IV'),
  alarmId: z.number().int().positive().optional(),
  t: z.number().int().positive().optional(),
  note: z.string().max(500).optional(),
  /** Confirms a dose above the site formulary's, with the reason (stored on the dose and audited). */
  confirm: z.strictObject({ reason: z.string().trim().min(5, { error: 'a reason of at least 5 characters is required' }).max(500) }).optional(),
});
export type RescueDoseInput = z.input<typeof rescueDoseInputSchema>;

export interface RescueDose {
  id: number;
  sessionId: string;
  drugId: string;
  drug: string;
  doseMg: number;
  route: string;
  alarmId: number | null;
  t: number;
  note: string | null;
  by: string;
  /** The confirmed soft limit (dose above the formulary's), or null. */
  override?: DoseOverride | null;
  /** "no site dose on file" when the formulary has no dose for the drug: shown with the dose, never a guessed one. */
  doseNote?: string | null;
}

/** The shipped formulary: the guideline's classes, doses only where a publication gives one. */
export const defaultFormulary: Formulary = formularySchema.parse(defaultFormularyJson);
