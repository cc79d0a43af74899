import { CONTRAINDICATIONS, checklistInputSchema, type ChecklistInput, type ContraindicationId, type FieldError } from '@infusion/shared';
import { parseDecimal } from '../forms';

/**
 * The pre-infusion checklist form (ASRA/AAPM/ASA 2018 Table 5). Every contraindication starts
 * unanswered (no default: "absent" must be a deliberate answer); the form cannot be sent until each
 * one is answered present or absent and an ordered rate is given.
 */

/** true = present, false = absent, null = not answered yet. */
export type Answer = boolean | null;

/** The other items, as checkboxes (checked = yes). */
export const CHECKLIST_FLAGS = [
  { key: 'consentObtained', testId: 'chk-consent', label: 'Informed consent obtained' },
  { key: 'physicianImmediatelyAvailable', testId: 'chk-physician', label: 'Supervising physician immediately available' },
  { key: 'resuscitationEquipmentChecked', testId: 'chk-resus', label: 'Resuscitation equipment checked' },
  { key: 'rescueDrugsChecked', testId: 'chk-rescue', label: 'Rescue medications available' },
  { key: 'cardiovascularRisk', testId: 'chk-cvrisk', label: 'Patient has cardiovascular risk' },
  { key: 'ecgDone', testId: 'chk-ecg', label: 'Baseline ECG done' },
  { key: 'liverRisk', testId: 'chk-liverrisk', label: 'Patient has liver risk' },
  { key: 'lftsDone', testId: 'chk-lft', label: 'Baseline liver function tests done' },
] as const satisfies readonly { key: Exclude<keyof ChecklistInput, 'contraindications' | 'orderedRateMgKgH'>; testId: string; label: string }[];

export type ChecklistFlag = (typeof CHECKLIST_FLAGS)[number]['key'];

/** Pregnancy (Table 5): a test result or "not applicable" with the reason; null = not answered. */
export type PregnancyResult = 'negative' | 'positive' | 'not_applicable' | null;

export interface ChecklistFormState {
  contraindications: Record<ContraindicationId, Answer>;
  pregnancy: { result: PregnancyResult; reason: string };
  flags: Record<ChecklistFlag, boolean>;
  /** Ordered rate in mg/kg/h, as typed. */
  rate: string;
}

export const MAX_ORDERED_RATE = 20;

export function emptyChecklistForm(): ChecklistFormState {
  return {
    contraindications: Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, null])) as Record<ContraindicationId, Answer>,
    pregnancy: { result: null, reason: '' },
    flags: Object.fromEntries(CHECKLIST_FLAGS.map((f) => [f.key, false])) as Record<ChecklistFlag, boolean>,
    rate: '',
  };
}

/** The answers of an earlier submission, to correct and send again. */
export function checklistFormFrom(input: ChecklistInput): ChecklistFormState {
  const empty = emptyChecklistForm();
  const contraindications = { ...empty.contraindications };
  for (const c of CONTRAINDICATIONS) {
    const v = (input.contraindications as Partial<Record<ContraindicationId, boolean>>)[c.id];
    contraindications[c.id] = typeof v === 'boolean' ? v : null;
  }
  const flags = { ...empty.flags };
  for (const f of CHECKLIST_FLAGS) flags[f.key] = input[f.key] === true;
  const p = (input as Partial<ChecklistInput>).pregnancy;
  const pregnancy = { result: p?.result ?? null, reason: p?.result === 'not_applicable' ? p.reason : '' };
  return { contraindications, pregnancy, flags, rate: String(input.orderedRateMgKgH) };
}

export const unansweredContraindications = (f: ChecklistFormState): ContraindicationId[] =>
  CONTRAINDICATIONS.filter((c) => f.contraindications[c.id] === null).map((c) => c.id);

export type ChecklistFormCheck = { ok: true; input: ChecklistInput } | { ok: false; problems: FieldError[] };

/** The request body, or why the form cannot be sent yet (field names as the server would name them). */
export function toChecklistInput(f: ChecklistFormState): ChecklistFormCheck {
  const problems: FieldError[] = [];
  for (const id of unansweredContraindications(f)) problems.push({ field: `contraindications.${id}`, reason: 'not answered: choose present or absent' });
  if (f.pregnancy.result === null) problems.push({ field: 'pregnancy', reason: 'not answered: record the test result, or not applicable with the reason' });
  else if (f.pregnancy.result === 'not_applicable' && f.pregnancy.reason.trim().length < 3) problems.push({ field: 'pregnancy.reason', reason: 'say why a pregnancy test does not apply' });
  const rate = parseDecimal(f.rate);
  if (rate === null || rate <= 0) problems.push({ field: 'orderedRateMgKgH', reason: 'enter the ordered rate in mg/kg/h (a number above 0)' });
  else if (rate > MAX_ORDERED_RATE) problems.push({ field: 'orderedRateMgKgH', reason: `above ${MAX_ORDERED_RATE} mg/kg/h: not a plausible ketamine rate` });
  if (problems.length) return { ok: false, problems };
  const contraindications = Object.fromEntries(CONTRAINDICATIONS.map((c) => [c.id, f.contraindications[c.id] === true])) as Record<ContraindicationId, boolean>;
  const pregnancy = f.pregnancy.result === 'not_applicable' ? { result: 'not_applicable' as const, reason: f.pregnancy.reason.trim() } : { result: f.pregnancy.result! };
  const candidate = { contraindications, pregnancy, ...f.flags, orderedRateMgKgH: rate! };
  // The shared schema is the server's: a form that passes here is not refused for its shape.
  const parsed = checklistInputSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(form)', reason: i.message })) };
  return { ok: true, input: parsed.data };
}
