import {
  ARTIFACT_TYPES,
  EXCURSION_FIELDS,
  fieldErrors,
  scenarioEventSchema,
  trainingRunCreateSchema,
  type ArtifactType,
  type ExcursionField,
  type FieldError,
  type TrainingRunCreate,
} from '@infusion/shared';
import { parseDecimal } from '../forms';

/**
 * The trainer console's two forms as data: what was typed → the request the API takes, checked with
 * the same shared schemas the server uses before anything is sent. Field names follow the request
 * (`to.spo2`, `weightKg`), so the server's own field errors land under the same inputs.
 */

/** A number typed in a form: undefined when empty, NaN when not a number. */
const numberOf = (text: string): number | undefined => (text.trim() === '' ? undefined : (parseDecimal(text) ?? Number.NaN));
const notANumber = (field: string): FieldError => ({ field, reason: 'enter a number' });

export interface CreateRunDraft {
  scenario: string;
  seed: string;
  trainee: string;
  unit: string;
  weightKg: string;
  patientLabel: string;
}

export const CREATE_RUN_FIELDS = ['scenario', 'seed', 'trainee', 'unit', 'weightKg', 'patientLabel'] as const;

/** A seed for a new run: any 31-bit number; the same seed replays the same patient. */
export const randomSeed = (random: () => number = Math.random): number => Math.floor(random() * 100_000);

/** The request of the create form; optional fields left empty are left out. */
export function createRunRequest(d: CreateRunDraft): TrainingRunCreate {
  const weight = numberOf(d.weightKg);
  return {
    scenario: d.scenario,
    seed: (d.seed.trim() === '' || !/^\d+$/.test(d.seed.trim()) ? Number.NaN : Number(d.seed.trim())) as number,
    trainee: d.trainee.trim(),
    unit: d.unit.trim(),
    ...(weight !== undefined ? { weightKg: weight } : {}),
    ...(d.patientLabel.trim() ? { patientLabel: d.patientLabel.trim() } : {}),
  };
}

/** What is wrong with the form before sending (empty: send it). */
export function createRunProblems(d: CreateRunDraft): FieldError[] {
  const problems: FieldError[] = [];
  if (!d.scenario) problems.push({ field: 'scenario', reason: 'choose a scenario' });
  if (!/^\d+$/.test(d.seed.trim())) problems.push({ field: 'seed', reason: 'a whole number (the same seed replays the same patient)' });
  if (!d.trainee.trim()) problems.push({ field: 'trainee', reason: 'the trainee\'s username' });
  if (d.weightKg.trim() && numberOf(d.weightKg) !== undefined && Number.isNaN(numberOf(d.weightKg))) problems.push(notANumber('weightKg'));
  const checked = trainingRunCreateSchema.safeParse(createRunRequest(d));
  if (!checked.success) for (const f of fieldErrors(checked.error)) if (!problems.some((p) => p.field === f.field)) problems.push(f);
  return problems;
}

/** The kinds of live event the console offers (the scenario schema has more; these are the common ones). */
export const INJECT_KINDS = ['excursion', 'prompt', 'artifact'] as const;
export type InjectKind = (typeof INJECT_KINDS)[number];

export const INJECT_KIND_LABEL: Record<InjectKind, string> = {
  excursion: 'Vital signs change',
  prompt: 'Prompt to the trainee',
  artifact: 'Measurement artifact',
};

export const ARTIFACT_LABEL: Record<ArtifactType, string> = {
  motion: 'Patient movement (SpO2 and heart rate disturbed)',
  probe_off: 'SpO2 probe off',
  disconnect: 'Monitor disconnected',
};

/** The vitals an excursion moves, as the console names them, with their unit. */
export const EXCURSION_FIELD_LABEL: Record<ExcursionField, string> = {
  spo2: 'SpO2 (%)',
  hr: 'Heart rate (/min)',
  sbp: 'Systolic BP (mmHg)',
  dbp: 'Diastolic BP (mmHg)',
  rr: 'Resp. rate (/min)',
  etco2: 'EtCO2 (mmHg)',
};

export interface InjectDraft {
  kind: InjectKind;
  label: string;
  /** Excursion: minutes to reach the targets, to hold them, and to recover. */
  onsetMin: string;
  holdMin: string;
  recoverMin: string;
  /** Excursion: absolute targets; empty = that vital is left alone. */
  to: Record<ExcursionField, string>;
  /** Prompt: what the trainee is told. */
  text: string;
  /** Artifact. */
  artifact: ArtifactType;
  durationMin: string;
}

export const emptyInjectDraft = (): InjectDraft => ({
  kind: 'excursion',
  label: '',
  onsetMin: '1',
  holdMin: '5',
  recoverMin: '2',
  to: Object.fromEntries(EXCURSION_FIELDS.map((f) => [f, ''])) as Record<ExcursionField, string>,
  text: '',
  artifact: ARTIFACT_TYPES[0],
  durationMin: '2',
});

/** The event to inject, without `atMin`: the server puts it at the current scenario minute. */
export function injectEvent(d: InjectDraft): Record<string, unknown> {
  const label = d.label.trim();
  switch (d.kind) {
    case 'excursion': {
      const to: Record<string, number> = {};
      for (const f of EXCURSION_FIELDS) {
        const v = numberOf(d.to[f]);
        if (v !== undefined) to[f] = v;
      }
      return { kind: 'excursion', label, onsetMin: numberOf(d.onsetMin), holdMin: numberOf(d.holdMin), recoverMin: numberOf(d.recoverMin), to };
    }
    case 'prompt':
      return { kind: 'prompt', label, text: d.text.trim() };
    case 'artifact':
      return { kind: 'artifact', label, artifact: d.artifact, durationMin: numberOf(d.durationMin) };
  }
}

/** Form fields of the inject form in the event's own names. */
export const INJECT_FIELDS = ['label', 'onsetMin', 'holdMin', 'recoverMin', 'to', 'text', 'artifact', 'durationMin'] as const;

/**
 * What is wrong with the event before sending, judged by the shared scenario schema as if it
 * happened at `atMin` (the current scenario minute, where the server will put it).
 */
export function injectProblems(d: InjectDraft, atMin: number): FieldError[] {
  const ev = injectEvent(d);
  const problems: FieldError[] = [];
  const typed: [string, string][] =
    d.kind === 'excursion' ? [['onsetMin', d.onsetMin], ['holdMin', d.holdMin], ['recoverMin', d.recoverMin], ...EXCURSION_FIELDS.map((f): [string, string] => [`to.${f}`, d.to[f]])] : d.kind === 'artifact' ? [['durationMin', d.durationMin]] : [];
  const required = new Set(['onsetMin', 'holdMin', 'recoverMin', 'durationMin']);
  for (const [field, text] of typed) {
    if (text.trim() === '' && required.has(field)) problems.push({ field, reason: 'required (minutes)' });
    else if (text.trim() !== '' && Number.isNaN(numberOf(text))) problems.push(notANumber(field));
  }
  if (d.kind === 'excursion' && Object.keys(ev.to as object).length === 0 && !problems.some((p) => p.field.startsWith('to.'))) problems.push({ field: 'to', reason: 'give at least one vital sign to move' });
  const checked = scenarioEventSchema.safeParse({ ...ev, atMin });
  if (!checked.success)
    for (const f of fieldErrors(checked.error)) if (!problems.some((p) => p.field === f.field)) problems.push({ field: f.field, reason: f.field === 'label' ? 'name the event (it appears on the timeline)' : f.reason });
  return problems;
}

/** The server names an injected event's fields `event.…`: the same fields as the form's. */
export const injectFieldsOf = (fields: readonly FieldError[] | undefined): FieldError[] | undefined => fields?.map((f) => ({ ...f, field: f.field.replace(/^event\./, '') }));
