import { z } from 'zod';
import { initialInfusion } from '../dose';
import { DOSING_WEIGHT_BASES } from '../dosingWeight';
import { CARE_SETTINGS, INFUSION_EVENT_TYPES, type InfusionState } from '../sessions';
import { BASELINE_FIELDS, VITAL_FIELDS, VITAL_META, type VitalField, type VitalsSample } from '../vitals';
import { OBSERVATION_SCALES, type ObservationScale } from '../observations';
import { INFUSION_STATUSES, RULE_PROFILES, SEDATION_SCALES } from './schema';

/**
 * What the engine reads besides the rule set and its own state: the session context (supplied by
 * the server, read-only) and the event being evaluated. Both are validated by the server (or by
 * replay) with these schemas; the engine never throws on anything that passed them.
 */

const epochMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const vitalValue = (f: VitalField) => z.number().finite().min(VITAL_META[f].min).max(VITAL_META[f].max);

const vitalsSampleShape = Object.fromEntries(VITAL_FIELDS.map((f) => [f, vitalValue(f).nullable().optional()])) as Record<
  VitalField,
  z.ZodOptional<z.ZodNullable<z.ZodNumber>>
>;
/** A vitals sample as the engine sees it (`null` = the sensor reports no valid value). */
export const vitalsSampleSchema = z.strictObject({ t: epochMs, ...vitalsSampleShape });

const baselineShape = Object.fromEntries(BASELINE_FIELDS.map((f) => [f, vitalValue(f).optional()])) as Record<VitalField, z.ZodOptional<z.ZodNumber>>;

const OBS_SCALE_IDS = Object.keys(OBSERVATION_SCALES) as [ObservationScale, ...ObservationScale[]];

/** A score must lie within its scale's range. */
function scoreInRange(o: { scale: ObservationScale; score: number }, ctx: z.RefinementCtx) {
  const r = OBSERVATION_SCALES[o.scale];
  if (o.score < r.min || o.score > r.max) ctx.addIssue({ code: 'custom', path: ['score'], message: `${r.label} is scored ${r.min} to ${r.max}` });
}

export const infusionStateSchema = z.strictObject({
  status: z.enum(INFUSION_STATUSES),
  rateMgKgH: z.number().finite().nonnegative().max(20),
  cumulativeMg: z.number().finite().nonnegative(),
  cumulativeMgPerKg: z.number().finite().nonnegative(),
  asOf: epochMs,
}) satisfies z.ZodType<InfusionState>;

export const engineContextSchema = z.strictObject({
  session: z.strictObject({
    /** The dosing weight (the rule set's choice, shared/src/dosingWeight.ts): per-kg figures are on it. */
    weightKg: z.number().min(2).max(400),
    /** Which weight that is; absent = actual body weight. Shown in dose messages when it is not actual. */
    weightBasis: z.enum(DOSING_WEIGHT_BASES).optional(),
    ageYears: z.number().int().min(0).max(125),
    setting: z.enum(CARE_SETTINGS),
    /** The session's createdAt (epoch ms): the reference for a schedule with no observation yet. */
    startedAt: epochMs,
  }),
  /** The infusion as the server holds it, including the event being evaluated. */
  infusion: infusionStateSchema,
  /** Pre-infusion baseline per field; null until taken. */
  baseline: z.strictObject(baselineShape).nullable(),
  lastObservation: z.strictObject({
    sedation: z
      .strictObject({ t: epochMs, scale: z.enum(SEDATION_SCALES), score: z.number().int() })
      .superRefine(scoreInRange)
      .nullable(),
    pain: z.strictObject({ t: epochMs, score: z.number().int().min(0).max(10) }).nullable(),
  }),
  /** Event time of the last valid systolic NIBP reading, or null. */
  lastNibpAt: epochMs.nullable(),
  /** Sessions for this patient in the past 12 months, this one included. */
  treatmentsInLast12Months: z.number().int().min(0).max(100_000),
  profile: z.enum(RULE_PROFILES),
});
export type EngineContext = z.infer<typeof engineContextSchema>;

export const infusionEventSchema = z.strictObject({
  type: z.enum(INFUSION_EVENT_TYPES),
  rateMgKgH: z.number().finite().positive().max(20).nullable(),
  doseMg: z.number().finite().positive().max(500).nullable(),
});

export const observationSchema = z.strictObject({ scale: z.enum(OBS_SCALE_IDS), score: z.number().int() }).superRefine(scoreInRange);

export const engineEventSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('vitals'), t: epochMs, sample: vitalsSampleSchema }),
  /** Time passes with no data (the server sends one per session per second; replay synthesises them). */
  z.strictObject({ kind: z.literal('tick'), t: epochMs }),
  /** An infusion event, after the server applied it (ctx.infusion already includes it). */
  z.strictObject({ kind: z.literal('infusion'), t: epochMs, event: infusionEventSchema }),
  /** A sedation score on a validated scale, or a pain score (ctx.lastObservation already includes it). */
  z.strictObject({ kind: z.literal('observation'), t: epochMs, obs: observationSchema }),
]);
export type EngineEvent = z.infer<typeof engineEventSchema>;
export type VitalsEvent = Extract<EngineEvent, { kind: 'vitals' }>;

export interface ContextPatch {
  session?: Partial<EngineContext['session']>;
  infusion?: Partial<InfusionState>;
  baseline?: EngineContext['baseline'];
  lastObservation?: Partial<EngineContext['lastObservation']>;
  lastNibpAt?: number | null;
  treatmentsInLast12Months?: number;
  profile?: EngineContext['profile'];
}

/**
 * A context with plain defaults (70 kg adult in a monitored unit, infusion not started, no baseline,
 * no observations, first treatment this year), patched as given. For tests and tools.
 */
export function buildContext(patch: ContextPatch = {}): EngineContext {
  return {
    session: { weightKg: 70, ageYears: 45, setting: 'monitored_unit', startedAt: 0, ...patch.session },
    infusion: { ...initialInfusion(), ...patch.infusion },
    baseline: patch.baseline === undefined ? null : patch.baseline,
    lastObservation: { sedation: null, pain: null, ...patch.lastObservation },
    lastNibpAt: patch.lastNibpAt ?? null,
    treatmentsInLast12Months: patch.treatmentsInLast12Months ?? 1,
    profile: patch.profile ?? 'standard',
  };
}

/** Event constructors, so callers and tests do not spell the shapes out. */
export const engineEvents = {
  vitals: (t: number, values: Omit<VitalsSample, 't'>): EngineEvent => ({ kind: 'vitals', t, sample: { t, ...values } }),
  tick: (t: number): EngineEvent => ({ kind: 'tick', t }),
  infusion: (t: number, type: (typeof INFUSION_EVENT_TYPES)[number], x: { rateMgKgH?: number; doseMg?: number } = {}): EngineEvent => ({
    kind: 'infusion',
    t,
    event: { type, rateMgKgH: x.rateMgKgH ?? null, doseMg: x.doseMg ?? null },
  }),
  observation: (t: number, scale: ObservationScale, score: number): EngineEvent => ({ kind: 'observation', t, obs: { scale, score } }),
};
