import { z } from 'zod';
import type { CareSetting } from './sessions';

const G = 'ASRA/AAPM/ASA 2018';

/** Table 5 contraindications and precautions. `blocking: false` = caution: shown, does not block. */
export const CONTRAINDICATIONS = [
  { id: 'unstable_angina', label: 'Unstable angina', blocking: true, source: `${G}, Table 5 (cardiovascular)` },
  { id: 'poorly_controlled_hypertension', label: 'Poorly controlled hypertension', blocking: true, source: `${G}, Table 5 (cardiovascular)` },
  { id: 'high_risk_coronary_disease', label: 'High-risk coronary artery disease', blocking: true, source: `${G}, Table 5 (cardiovascular)` },
  { id: 'elevated_intracranial_pressure', label: 'Elevated intracranial pressure (TBI, tumour)', blocking: true, source: `${G}, Table 5 (neurological)` },
  { id: 'elevated_intraocular_pressure', label: 'Elevated intraocular pressure, acute globe injury, glaucoma', blocking: true, source: `${G}, Table 5 (ophthalmic)` },
  { id: 'hyperthyroidism', label: 'Hyperthyroidism', blocking: true, source: `${G}, Table 5 (endocrine)` },
  { id: 'pheochromocytoma', label: 'Pheochromocytoma', blocking: true, source: `${G}, Table 5 (endocrine)` },
  { id: 'severe_liver_disease', label: 'Severe liver disease', blocking: true, source: `${G}, Table 5 (metabolic), Q2` },
  { id: 'moderate_liver_disease', label: 'Moderate liver disease (caution)', blocking: false, source: `${G}, Q2` },
  { id: 'full_stomach', label: 'Full stomach / aspiration risk', blocking: true, source: `${G}, Table 5 (gastrointestinal)` },
  { id: 'pregnancy', label: 'Pregnancy', blocking: true, source: `${G}, Table 5` },
  { id: 'psychiatric', label: 'Intoxication, active substance abuse, delirium or psychosis', blocking: true, source: `${G}, Table 5 (psychiatric)` },
  { id: 'rescue_drug_contraindication', label: 'Relative contraindication to rescue drugs (e.g. benzodiazepine interaction, myasthenia gravis)', blocking: false, source: `${G}, Q2` },
] as const;
export type ContraindicationId = (typeof CONTRAINDICATIONS)[number]['id'];

const contraindicationShape = Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, z.boolean({ error: 'must be answered (true = present)' })])) as Record<
  ContraindicationId,
  z.ZodBoolean
>;

/** What the nurse answers before the infusion; every item must be answered. */
export const checklistInputSchema = z.strictObject({
  contraindications: z.strictObject(contraindicationShape),
  consentObtained: z.boolean(),
  cardiovascularRisk: z.boolean(),
  ecgDone: z.boolean(),
  liverRisk: z.boolean(),
  lftsDone: z.boolean(),
  physicianImmediatelyAvailable: z.boolean(),
  resuscitationEquipmentChecked: z.boolean(),
  rescueDrugsChecked: z.boolean(),
  orderedRateMgKgH: z.number().positive().max(20),
});
export type ChecklistInput = z.infer<typeof checklistInputSchema>;

export interface ChecklistItem {
  id: string;
  label: string;
  ok: boolean;
  /** A caution is shown but does not block the start. */
  caution?: boolean;
  reason: string | null;
  source: string;
}
export interface ChecklistResult {
  passed: boolean;
  items: ChecklistItem[];
}

/** What the server knows and the checklist cannot claim: recorded data and the session's setting. */
export interface ChecklistFacts {
  setting: CareSetting;
  baselineVitalsRecorded: boolean;
  sedationRecorded: boolean;
  painRecorded: boolean;
  physicianAssigned: boolean;
}

/** Pure: the items, each with why it fails, so the screen and the 409 answer say the same thing. */
export function evaluateChecklist(c: ChecklistInput, f: ChecklistFacts): ChecklistResult {
  const items: ChecklistItem[] = [];
  const add = (id: string, label: string, ok: boolean, reason: string, source: string, caution = false) =>
    items.push({ id, label, ok: ok || caution, ...(caution ? { caution: !ok } : {}), reason: ok ? null : reason, source });
  for (const ci of CONTRAINDICATIONS) {
    const present = c.contraindications[ci.id];
    add(`contraindication.${ci.id}`, ci.label, !present, ci.blocking ? 'contraindication present' : 'precaution present: proceed with caution', ci.source, !ci.blocking);
  }
  add('consent', 'Informed consent obtained', c.consentObtained, 'no consent: refusal or inability to consent is a contraindication', `${G}, Table 5`);
  add('ecg', 'Baseline ECG (cardiovascular risk)', !c.cardiovascularRisk || c.ecgDone, 'cardiovascular risk without a baseline ECG', `${G}, Q5`);
  add('lft', 'Baseline liver function tests (liver risk)', !c.liverRisk || c.lftsDone, 'liver risk without baseline liver function tests', `${G}, Q5`);
  add('baseline_vitals', 'Baseline vital signs recorded', f.baselineVitalsRecorded, 'no vitals received before the infusion', `${G}, Q6 (monitor before the infusion)`);
  add('baseline_sedation', 'Baseline sedation score on a validated scale', f.sedationRecorded, 'no sedation score recorded', `${G}, Q6`);
  add('baseline_pain', 'Baseline pain score', f.painRecorded, 'no pain score recorded', `${G}, Q8 (response = pain score change)`);
  add('physician', 'Supervising physician assigned and immediately available', f.physicianAssigned && c.physicianImmediatelyAvailable, 'supervising physician not immediately available', `${G}, Table 6 (personnel)`);
  add('resuscitation', 'Resuscitation equipment checked', c.resuscitationEquipmentChecked, 'resuscitation equipment not checked', `${G}, Q6 (grade A)`);
  add('rescue_drugs', 'Rescue medications available', c.rescueDrugsChecked, 'rescue medications not checked', `${G}, Table 6, Q7`);
  const r = c.orderedRateMgKgH;
  const settingOk = r <= 7 && (r <= 2 || f.setting === 'icu') && (r <= 1 || f.setting !== 'clinic');
  const why = r > 7 ? 'above 7 mg/kg/h: not given anywhere' : r > 2 ? 'above 2 mg/kg/h: ICU only' : 'above 1 mg/kg/h: monitored unit or ICU only';
  add('setting', `Setting fits the ordered dose (${r} mg/kg/h in ${f.setting.replace('_', ' ')})`, settingOk, why, `${G}, Table 6 (dosing; personnel and monitoring (3))`);
  return { passed: items.every((i) => i.ok), items };
}

export interface ChecklistRecord {
  sessionId: string;
  input: ChecklistInput;
  result: ChecklistResult;
  at: number;
  by: string;
  override: { reason: string; by: string; at: number } | null;
  /** The order version the checklist was passed for (null: no order; the ordered rate is the bound). */
  orderVersion?: number | null;
  /** Set when an order change re-opened items: which order version, and why. */
  reopened?: { orderVersion: number; items: string[]; at: number } | null;
}
