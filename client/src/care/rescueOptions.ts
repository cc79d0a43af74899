import { RESCUE_CLASSES, RESCUE_CLASS_GUIDANCE, orderRescueClasses, type Formulary, type FormularyEntry, type RescueClass } from '@infusion/shared';

/** Shown wherever a formulary entry has no dose: the product never makes one up. */
export const NO_DOSE_TEXT = 'no dose in the site formulary';

export const RESCUE_CLASS_LABEL: Record<RescueClass, string> = {
  benzodiazepine: 'Benzodiazepine',
  haloperidol: 'Haloperidol',
  alpha2_agonist: 'Alpha-2 agonist',
  beta_blocker: 'Beta-blocker',
  antiemetic: 'Antiemetic',
  diphenhydramine: 'Diphenhydramine',
  barbiturate_or_propofol: 'Barbiturate or propofol',
  opioid: 'Opioid',
};

const isRescueClass = (c: string): c is RescueClass => (RESCUE_CLASSES as readonly string[]).includes(c);

export const rescueClassLabel = (c: string): string => (isRescueClass(c) ? RESCUE_CLASS_LABEL[c] : c);

/** What the guideline says the class is for, with its citation ("" for a class this version does not know). */
export const rescueClassGuidance = (c: string): string => (isRescueClass(c) ? `${RESCUE_CLASS_GUIDANCE[c].use} (${RESCUE_CLASS_GUIDANCE[c].source})` : '');

/** The dose as the site wrote it, or the plain statement that there is none. */
export const doseText = (e: Pick<FormularyEntry, 'dose'>): string => (e.dose && e.dose.trim() ? e.dose : NO_DOSE_TEXT);

export interface RescueClassOption {
  cls: string;
  label: string;
  /** What the guideline says the class is for, cited. */
  guidance: string;
  /** The formulary's drugs of this class (may be empty: the class is still shown). */
  entries: FormularyEntry[];
}

export interface RescueOptions {
  /** The alarm's rescue classes in the alarm's order (repeats dropped; haloperidol after a benzodiazepine and clonidine, Q2), each with its formulary drugs. */
  byClass: RescueClassOption[];
  /** Every other formulary entry, for a rescue drug outside the alarm's classes. */
  others: FormularyEntry[];
}

/** The alarm's rescue classes joined with the site formulary. */
export function rescueOptions(formulary: Pick<Formulary, 'entries'> | null, classes: readonly string[]): RescueOptions {
  const entries = formulary?.entries ?? [];
  const wanted = orderRescueClasses(classes);
  const byClass = wanted.map((cls) => ({ cls, label: rescueClassLabel(cls), guidance: rescueClassGuidance(cls), entries: entries.filter((e) => e.class === cls) }));
  const others = entries.filter((e) => !wanted.includes(e.class));
  return { byClass, others };
}
