import { z } from 'zod';
import defaultFormularyJson from './default-formulary.json';
import type { DoseOverride } from './sessions';

/**
 * Rescue and preemptive medications (guideline Q7). The guideline gives no doses: a dose appears only
 * where a published example exists (cited) or a site has filled one in. Never invent a dose.
 */
export const RESCUE_CLASSES = ['benzodiazepine', 'alpha2_agonist', 'haloperidol', 'beta_blocker', 'antiemetic', 'diphenhydramine', 'barbiturate_or_propofol', 'opioid'] as const;
export type RescueClass = (typeof RESCUE_CLASSES)[number];

/**
 * What the guideline says each class is for, with its citation: shown beside the class wherever a
 * rescue list is. For hallucinations and dissociative effects Q2 names low-dose benzodiazepines or
 * clonidine "and not antipsychotics", so haloperidol (Q7) comes after them.
 */
export const RESCUE_CLASS_GUIDANCE: Record<RescueClass, { use: string; source: string }> = {
  benzodiazepine: {
    use: 'treatment of choice (low dose) for hallucinations and dissociative effects; psychomimetic symptoms, sympathomimetic signs, nausea; seizures',
    source: 'ASRA/AAPM/ASA 2018 Q2, Q7',
  },
  alpha2_agonist: { use: 'clonidine: treatment of choice for hallucinations and dissociative effects; sympathomimetic effects, psychomimetic reactions', source: 'ASRA/AAPM/ASA 2018 Q2, Q7' },
  haloperidol: {
    use: 'psychomimetic symptoms and emergence reactions, nausea, sedation; after a benzodiazepine or clonidine: for hallucinations and dissociation the treatment of choice is "not antipsychotics"',
    source: 'ASRA/AAPM/ASA 2018 Q7; Q2',
  },
  beta_blocker: { use: 'tachycardia, hypertension', source: 'ASRA/AAPM/ASA 2018 Q6' },
  antiemetic: { use: 'nausea and vomiting', source: 'ASRA/AAPM/ASA 2018 Q6' },
  diphenhydramine: { use: 'dystonia', source: 'ASRA/AAPM/ASA 2018 Q7' },
  barbiturate_or_propofol: { use: 'seizures that persist after a benzodiazepine', source: 'ASRA/AAPM/ASA 2018 Q7' },
  opioid: { use: 'not a ketamine rescue drug: listed so an opioid given during the session is documented (respiratory limits tighten)', source: 'ASRA/AAPM/ASA 2018 Q6 (concomitant medications that may enhance certain effects)' },
};

/** Classes whose documented dose tightens the respiratory limits (Q6: midazolam may enhance ketamine's effects). */
export const SEDATIVE_CLASSES = ['benzodiazepine', 'opioid'] as const satisfies readonly RescueClass[];

/**
 * An alarm's rescue classes in the order they should be offered: as listed, except that haloperidol
 * comes after a benzodiazepine and clonidine (Q2), whatever order a stored rule set gives.
 */
export function orderRescueClasses<T extends string>(classes: readonly T[]): T[] {
  const out = [...new Set(classes)];
  const h = out.indexOf('haloperidol' as T);
  if (h < 0) return out;
  const lastFirstLine = Math.max(out.indexOf('benzodiazepine' as T), out.indexOf('alpha2_agonist' as T));
  if (lastFirstLine > h) out.splice(lastFirstLine, 0, ...out.splice(h, 1));
  return out;
}

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
