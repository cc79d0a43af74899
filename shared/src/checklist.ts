import { z } from 'zod';
import type { CareSetting } from './sessions';
import { VITAL_META, type VitalField } from './vitals';
import { formatSource, type RuleSet } from './rules/schema';

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
  { id: 'intoxication', label: 'Intoxication', blocking: true, source: `${G}, Table 5 (psychiatric)` },
  { id: 'active_substance_abuse', label: 'Active substance abuse', blocking: true, source: `${G}, Table 5 (psychiatric)` },
  { id: 'delirium', label: 'Delirium', blocking: true, source: `${G}, Table 5 (psychiatric)` },
  { id: 'psychosis', label: 'Psychosis', blocking: true, source: `${G}, Table 5 (psychiatric)` },
  { id: 'rescue_drug_contraindication', label: 'Relative contraindication to rescue drugs (e.g. benzodiazepine interaction, myasthenia gravis)', blocking: false, source: `${G}, Q2` },
] as const;
export type ContraindicationId = (typeof CONTRAINDICATIONS)[number]['id'];

const contraindicationShape = Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, z.boolean({ error: 'must be answered (true = present)' })])) as Record<
  ContraindicationId,
  z.ZodBoolean
>;

/** Pregnancy (Table 5): a test result, or "not applicable" with the reason (e.g. male, post-menopausal). */
export const pregnancyAnswerSchema = z.discriminatedUnion('result', [
  z.strictObject({ result: z.literal('negative') }),
  z.strictObject({ result: z.literal('positive') }),
  z.strictObject({ result: z.literal('not_applicable'), reason: z.string().trim().min(3, { error: 'say why a pregnancy test does not apply' }).max(200) }),
]);
export type PregnancyAnswer = z.infer<typeof pregnancyAnswerSchema>;

/** What the nurse answers before the infusion; every item must be answered. */
export const checklistInputSchema = z.strictObject({
  contraindications: z.strictObject(contraindicationShape),
  pregnancy: pregnancyAnswerSchema,
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

/** The site's hypertension limit (the high-priority SBP/DBP rules of the session's rule set), with its source. */
export interface HypertensionLimit {
  sbpAbove: number | null;
  dbpAbove: number | null;
  source: string;
}

/**
 * The site's hypertension limit: the enabled high-priority "SBP >" and "DBP >" threshold rules of the
 * session's rule set (shipped: SBP > 180, DBP > 110, institutional defaults), so the limit is set in one place.
 */
export function hypertensionLimitOf(rs: Pick<RuleSet, 'rules'>): HypertensionLimit | null {
  const find = (f: 'sbp' | 'dbp') => {
    const found = rs.rules.filter((r) => r.kind === 'threshold' && r.field === f && r.op === '>' && r.priority === 'high' && r.enabled !== false);
    return found.sort((a, b) => ('limit' in a && 'limit' in b ? a.limit - b.limit : 0))[0];
  };
  const sbp = find('sbp');
  const dbp = find('dbp');
  if (!sbp && !dbp) return null;
  const limit = (r: typeof sbp) => (r && 'limit' in r ? r.limit : null);
  return { sbpAbove: limit(sbp), dbpAbove: limit(dbp), source: formatSource((sbp ?? dbp)!.source) };
}

/** What the server knows and the checklist cannot claim: recorded data and the session's setting. */
export interface ChecklistFacts {
  setting: CareSetting;
  /** The vitals measured before the start (mean of the frames so far), per field; absent = none measured. */
  baselineVitals: Partial<Record<VitalField, number>>;
  /** A measured baseline above this fails "poorly controlled hypertension" whatever was answered. */
  hypertensionLimit: HypertensionLimit | null;
  sedationRecorded: boolean;
  painRecorded: boolean;
  physicianAssigned: boolean;
}

/** Pure: the items, each with why it fails, so the screen and the 409 answer say the same thing. */
/** The baseline vitals the checklist requires, each its own item (EtCO2: where monitored). */
const BASELINE_REQUIRED: readonly { id: string; label: string; fields: VitalField[] }[] = [
  { id: 'bp', label: 'blood pressure (SBP/DBP)', fields: ['sbp', 'dbp'] },
  { id: 'hr', label: 'heart rate', fields: ['hr'] },
  { id: 'spo2', label: 'SpO2', fields: ['spo2'] },
];

export function evaluateChecklist(c: ChecklistInput, f: ChecklistFacts): ChecklistResult {
  const items: ChecklistItem[] = [];
  const add = (id: string, label: string, ok: boolean, reason: string, source: string, caution = false) =>
    items.push({ id, label, ok: ok || caution, ...(caution ? { caution: !ok } : {}), reason: ok ? null : reason, source });
  const bv = f.baselineVitals;
  const lim = f.hypertensionLimit;
  const sbpHigh = lim?.sbpAbove != null && bv.sbp !== undefined && bv.sbp > lim.sbpAbove;
  const dbpHigh = lim?.dbpAbove != null && bv.dbp !== undefined && bv.dbp > lim.dbpAbove;
  for (const ci of CONTRAINDICATIONS) {
    // Stored checklists from before an item existed have no answer for it: unanswered counts as present.
    const present = c.contraindications[ci.id] !== false;
    if (ci.id === 'poorly_controlled_hypertension' && (sbpHigh || dbpHigh)) {
      // Measured, not ticked: a baseline above the site's limit fails the item whatever was answered.
      const bp = `${bv.sbp ?? '–'}/${bv.dbp ?? '–'} mmHg`;
      add(`contraindication.${ci.id}`, ci.label, false, `measured baseline BP ${bp} above the site's limit (SBP > ${lim?.sbpAbove ?? '–'} or DBP > ${lim?.dbpAbove ?? '–'} mmHg)`, `${ci.source}; ${lim?.source ?? ''}`);
      continue;
    }
    add(`contraindication.${ci.id}`, ci.label, !present, ci.blocking ? 'contraindication present' : 'precaution present: proceed with caution', ci.source, !ci.blocking);
  }
  const preg = (c as Partial<ChecklistInput>).pregnancy;
  add(
    'pregnancy',
    preg?.result === 'not_applicable' ? `Pregnancy: not applicable (${preg.reason})` : `Pregnancy test: ${preg?.result ?? 'not recorded'}`,
    preg?.result === 'negative' || preg?.result === 'not_applicable',
    preg?.result === 'positive' ? 'positive pregnancy test: contraindication' : 'no pregnancy test result recorded',
    `${G}, Table 5 (pregnancy)`,
  );
  add('consent', 'Informed consent obtained', c.consentObtained, 'no consent: refusal or inability to consent is a contraindication', `${G}, Table 5`);
  add('ecg', 'Baseline ECG (cardiovascular risk)', !c.cardiovascularRisk || c.ecgDone, 'cardiovascular risk without a baseline ECG', `${G}, Q5`);
  add('lft', 'Baseline liver function tests (liver risk)', !c.liverRisk || c.lftsDone, 'liver risk without baseline liver function tests', `${G}, Q5`);
  for (const v of BASELINE_REQUIRED) {
    const missing = v.fields.filter((x) => bv[x] === undefined);
    const shown = missing.length ? '' : ` (${v.fields.map((x) => bv[x]).join('/')} ${VITAL_META[v.fields[0]!].displayUnit})`;
    add(`baseline_${v.id}`, `Baseline ${v.label} measured${shown}`, missing.length === 0, `no ${v.label} measured before the infusion`, `${G}, Monitoring section (before the infusion); Q6`);
  }
  // EtCO2 where monitored: a capnograph that reports is required to have reported before the start.
  add('baseline_etco2', bv.etco2 === undefined ? 'Baseline EtCO2 (not monitored)' : `Baseline EtCO2 measured (${bv.etco2} mmHg)`, bv.etco2 !== undefined, 'no EtCO2 before the infusion: capnography not monitored', `${G}, Monitoring section (respiratory parameters: EtCO2)`, true);
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
