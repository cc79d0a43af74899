import { z } from 'zod';
import { SEXES, type DosingWeight, type Sex } from './dosingWeight';
import type { VitalField } from './vitals';

export const CARE_SETTINGS = ['clinic', 'monitored_unit', 'icu'] as const;
export type CareSetting = (typeof CARE_SETTINGS)[number];

const text = (max: number) => z.string().trim().min(1, { error: 'must not be empty' }).max(max);

/** Patient label is pseudonymous by design: no names, no MRNs in this product's screens or logs. */
export const sessionCreateSchema = z.strictObject({
  patientLabel: text(64),
  weightKg: z.number({ error: 'must be a number of kg' }).min(2, { error: 'must be 2 to 400 kg' }).max(400, { error: 'must be 2 to 400 kg' }),
  /** Optional: with sex, gives ideal and adjusted body weight where the site doses on them. */
  heightCm: z.number({ error: 'must be a number of cm' }).min(40, { error: 'must be 40 to 250 cm' }).max(250, { error: 'must be 40 to 250 cm' }).optional(),
  sex: z.enum(SEXES).optional(),
  ageYears: z.number({ error: 'must be a whole number of years' }).int({ error: 'must be a whole number of years' }).min(0, { error: 'must be 0 to 125 years' }).max(125, { error: 'must be 0 to 125 years' }),
  setting: z.enum(CARE_SETTINGS),
  indication: text(200),
  supervisingPhysician: text(100),
  nurse: text(100),
  location: text(40),
  unit: text(40).default('infusion-suite'),
  simulated: z.boolean().default(false),
  /**
   * The site patient id (pseudonymous; HL7 PID-3 is checked against it). Kept for API clients that name
   * the patient this way: the patient with this id is used, or created from the session's data.
   */
  patientRef: z.string().trim().min(1).max(64).optional(),
  /** The patient record the session belongs to (`GET /api/patients`); without it or `patientRef` a new patient is created. */
  patientId: z.number().int().positive().optional(),
  /** Rule profile; when not given, patients of 65 or older get the elderly/comorbid profile (institutional default). */
  profile: z.enum(['standard', 'elderly_comorbid']).optional(),
  /** Devices (ids from `GET /api/devices`) assigned to feed this session from the start; each is audited. */
  deviceIds: z.array(z.number().int().positive()).max(16).optional(),
});
export type SessionCreate = z.input<typeof sessionCreateSchema>;
export type SessionCreateParsed = z.output<typeof sessionCreateSchema>;

export const INFUSION_EVENT_TYPES = ['start', 'rate_change', 'bolus', 'pause', 'resume', 'stop'] as const;
export type InfusionEventType = (typeof INFUSION_EVENT_TYPES)[number];

// Input sanity limits only: the guideline guardrails (0.35 mg/kg bolus, 1 / 2 / 7 mg/kg/h) are rules, not input errors.
const rate = z.number().positive().max(20, { error: 'above 20 mg/kg/h: not a plausible ketamine rate' });
const optT = z.number().int().positive().optional();
const note = z.string().max(500).optional();
/** Confirms the soft limits the dose check named, with the reason (stored on the dose and audited). */
const confirm = z.strictObject({ reason: z.string().trim().min(5, { error: 'a reason of at least 5 characters is required' }).max(500) }).optional();

export const infusionEventInputSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), rateMgKgH: rate, t: optT, note, confirm }),
  z.strictObject({ type: z.literal('rate_change'), rateMgKgH: rate, t: optT, note, confirm }),
  z.strictObject({ type: z.literal('bolus'), doseMg: z.number().positive().max(500), t: optT, note, confirm }),
  z.strictObject({ type: z.literal('pause'), t: optT, note }),
  z.strictObject({ type: z.literal('resume'), t: optT, note }),
  z.strictObject({ type: z.literal('stop'), t: optT, note }),
]);
export type InfusionEventInput = z.infer<typeof infusionEventInputSchema>;

export interface InfusionEvent {
  id: number;
  sessionId: string;
  type: InfusionEventType;
  t: number;
  rateMgKgH: number | null;
  doseMg: number | null;
  note: string | null;
  by: string;
  /** Soft limits confirmed for this dose: which, by whom, why. Null when no limit was crossed. */
  override?: DoseOverride | null;
}

export interface DoseOverride {
  reason: string;
  by: string;
  /** The crossed soft limits, as the check named them. */
  limits: { id: string; value: number; limit: number; unit: string; source: string }[];
}

export type InfusionStatus = 'not_started' | 'running' | 'paused' | 'stopped';

export interface InfusionState {
  status: InfusionStatus;
  /** Ordered rate in mg/kg/h (kept while paused so resume restores it). */
  rateMgKgH: number;
  cumulativeMg: number;
  cumulativeMgPerKg: number;
  /** Event time up to which the cumulative dose is computed. */
  asOf: number;
}

export type RuleProfile = 'standard' | 'elderly_comorbid';

/**
 * Where a session is in the course of care. Monitoring (rules, observation-due alerts) runs from
 * pre-infusion through recovery; the last three end the session. Stopping the infusion starts recovery.
 */
export const SESSION_PHASES = ['pre_infusion', 'infusion', 'recovery', 'discharged', 'transferred', 'ended_early'] as const;
export type SessionPhase = (typeof SESSION_PHASES)[number];
/** The phases a session can be ended into by "end" (discharge has its own criteria and route). */
export const END_OUTCOMES = ['ended_early', 'transferred'] as const satisfies readonly SessionPhase[];
export type EndOutcome = (typeof END_OUTCOMES)[number];

export const PHASE_LABELS: Record<SessionPhase, string> = {
  pre_infusion: 'Pre-infusion',
  infusion: 'Infusion',
  recovery: 'Recovery',
  discharged: 'Discharged',
  transferred: 'Transferred',
  ended_early: 'Ended early',
};

/** Ending a session other than by discharge: which outcome, and why (required, audited). */
export const sessionEndSchema = z.strictObject({
  outcome: z.enum(END_OUTCOMES).default('ended_early'),
  reason: z.string().trim().min(5, { error: 'a reason of at least 5 characters is required' }).max(500),
});
export type SessionEndInput = z.input<typeof sessionEndSchema>;

/** One step of a session's course: entered `phase` at `at`, by whom, and why when a reason is required. */
export interface PhaseChange {
  sessionId: string;
  phase: SessionPhase;
  at: number;
  by: string;
  reason: string | null;
}

export interface LimitOverrides {
  /** Per rule id: the parameters a physician changed for this patient. */
  overrides: Record<string, Record<string, number | boolean | string | undefined>>;
  reason: string;
  by: string;
  at: number;
}

export interface Session extends Omit<SessionCreateParsed, 'profile' | 'patientRef' | 'patientId' | 'deviceIds' | 'heightCm' | 'sex'> {
  id: string;
  /** The patient's site patient id (pseudonymous). */
  patientRef: string | null;
  /** The patient record the session belongs to; null only for sessions stored without a patient before migration 15. */
  patientId: number | null;
  heightCm: number | null;
  sex: Sex | null;
  /** The weight per-kg doses are figured on (the rule set's choice) and its label for every per-kg figure. */
  dosingWeight: DosingWeight;
  profile: RuleProfile;
  /** Pre-infusion baseline (mean of the vitals before the start); null until the infusion starts. */
  baseline: Partial<Record<VitalField, number>> | null;
  /** Patient-specific limits set by a physician; null = the rule set as shipped for the profile. */
  limitOverrides: LimitOverrides | null;
  /** Plain-language list of every limit that differs from the site's rule set ("SpO2 low: limit 88 → 90"). */
  limitsChanged: string[];
  status: 'active' | 'ended';
  /** The course of care: pre-infusion → infusion → recovery → discharged (or transferred / ended early). */
  phase: SessionPhase;
  /** When the current phase began (recovery: the stop time). */
  phaseSince: number;
  createdAt: number;
  endedAt: number | null;
  ruleSetId: string;
  ruleSetVersion: number;
  infusion: InfusionState;
  /** Audio of this session's alarms is paused until then (disclosed, shown as a countdown); null = not paused. */
  audioPausedUntil: number | null;
  /**
   * Alarms of this session whose own sound is paused, each until when (disclosed, shown as a countdown on
   * the alarm's line and in the header). Absent or empty: none. Other alarms of the session still sound.
   */
  alarmAudioPauses?: AlarmAudioPause[];
}

/** The sound of one alarm paused for the fixed, disclosed duration (IEC 60601-1-8). */
export interface AlarmAudioPause {
  alarmId: number;
  until: number;
}
