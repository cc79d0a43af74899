import { z } from 'zod';
import { CONTRAINDICATIONS, type ContraindicationId } from './checklist';
import { CARE_SETTINGS } from './sessions';

/**
 * A training scenario as a JSON document: who the patient is (archetype), what the physician
 * ordered (the infusion plan a scripted nurse follows when no trainee acts), what happens at which
 * scenario minute (physiological excursions, drugs given, measurement artifacts, prompts to the
 * trainee) and what the trainee is expected to do, with deadlines. Doses are per kg so a plan fits
 * any simulated weight; the simulator checks the ketamine plan against the guideline separately.
 * Times are scenario minutes from the start of the session.
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

/** The vitals a scripted excursion may move (MAP follows SBP and DBP). */
export const EXCURSION_FIELDS = ['hr', 'sbp', 'dbp', 'spo2', 'etco2', 'rr'] as const;
export type ExcursionField = (typeof EXCURSION_FIELDS)[number];
const fieldValues = z.partialRecord(z.enum(EXCURSION_FIELDS), z.number().finite());

/**
 * A time-limited physiological event, e.g. a vasovagal episode: vitals move towards `to` (absolute
 * targets) and/or by `delta` over `onsetMin`, stay for `holdMin`, and return over `recoverMin`.
 */
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
export type VitalExcursion = z.infer<typeof vitalExcursionSchema>;

/** Drugs the simulated patient responds to, each with its own cited PK/PD in the simulator (fentanyl: an opioid on board). */
export const SIM_DRUGS = ['midazolam', 'clonidine', 'metoprolol', 'ondansetron', 'fentanyl'] as const;
export type SimDrug = (typeof SIM_DRUGS)[number];

/** Which rescue class of the formulary each simulated drug belongs to. */
export const SIM_DRUG_CLASS: Record<SimDrug, 'benzodiazepine' | 'alpha2_agonist' | 'beta_blocker' | 'antiemetic' | 'opioid'> = {
  midazolam: 'benzodiazepine',
  clonidine: 'alpha2_agonist',
  metoprolol: 'beta_blocker',
  ondansetron: 'antiemetic',
  fentanyl: 'opioid',
};

/**
 * A drug given at a scenario minute by someone other than the trainee (e.g. a colleague's
 * midazolam before the scenario's desaturation). The dose is the scenario author's and must name
 * where it comes from (`doseSource`), e.g. the formulary's published example.
 */
export const scriptedDrugSchema = z.strictObject({
  kind: z.literal('drug'),
  label: z.string().min(1),
  atMin: minute,
  drug: z.enum(SIM_DRUGS),
  doseMgKg: z.number().positive().finite().max(1),
  doseSource: z.string().min(1),
  /**
   * True: part of what the scripted nurse does when no trainee acts (left out of a training run,
   * where giving it is the trainee's decision). False: happens whatever the trainee does.
   */
  plan: z.boolean().default(false),
});

export const ARTIFACT_TYPES = ['motion', 'probe_off', 'disconnect'] as const;
export type ArtifactType = (typeof ARTIFACT_TYPES)[number];

/**
 * Measurement, not physiology: motion corrupts SpO2 and heart rate, a probe off reports SpO2 as
 * "no valid value" (null), a monitor disconnect sends no frames at all for the duration.
 */
export const artifactSchema = z.strictObject({
  kind: z.literal('artifact'),
  label: z.string().min(1),
  atMin: minute,
  durationMin: z.number().positive().finite(),
  artifact: z.enum(ARTIFACT_TYPES),
});

/**
 * The patient's own susceptibility switched on at a minute, e.g. an emergence reaction or nausea:
 * `intensity` 0-1 multiplies what the pharmacodynamics would otherwise give (1 = the archetype's).
 */
export const REACTIONS = ['emergence', 'nausea'] as const;
export type Reaction = (typeof REACTIONS)[number];
export const reactionSchema = z.strictObject({
  kind: z.literal('reaction'),
  label: z.string().min(1),
  atMin: minute,
  reaction: z.enum(REACTIONS),
  /** How much more susceptible from this minute on: 1 = unchanged, 3 = three times the archetype. */
  susceptibility: z.number().positive().max(10),
});

/** Something said or shown to the trainee (a patient's complaint, a colleague's request). */
export const promptSchema = z.strictObject({ kind: z.literal('prompt'), label: z.string().min(1), atMin: minute, text: z.string().min(1).max(500) });

export const scenarioEventSchema = z.discriminatedUnion('kind', [vitalExcursionSchema, scriptedDrugSchema, artifactSchema, reactionSchema, promptSchema]);
export type ScenarioEvent = z.infer<typeof scenarioEventSchema>;

/**
 * What the trainee should (or must not) do. `after` names what starts the clock: an event's label,
 * an alarm of a rule id (its first activation), or a scenario minute. `withinS` is the deadline.
 */
export const expectedActionSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  label: z.string().min(1),
  after: z.union([z.strictObject({ event: z.string().min(1) }), z.strictObject({ alarm: z.string().min(1) }), z.strictObject({ atMin: minute })]),
  action: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('acknowledge_alarm') }),
    z.strictObject({ type: z.literal('lower_rate') }),
    z.strictObject({ type: z.literal('pause_or_stop') }),
    z.strictObject({ type: z.literal('give_drug'), class: z.enum(['benzodiazepine', 'alpha2_agonist', 'beta_blocker', 'antiemetic']) }),
    z.strictObject({ type: z.literal('record_observation'), scale: z.enum(['RASS', 'MOAAS', 'RAMSAY', 'NRS_PAIN']) }),
    z.strictObject({ type: z.literal('check_sensor') }),
    /** Must NOT happen: any further dose of the class. */
    z.strictObject({ type: z.literal('no_further_drug'), class: z.enum(['benzodiazepine', 'alpha2_agonist', 'beta_blocker', 'antiemetic', 'opioid']) }),
    /** Must NOT happen: a ketamine bolus at or above this dose. */
    z.strictObject({ type: z.literal('no_bolus_at_or_above'), doseMgKg: z.number().positive() }),
    /** Must NOT happen: the infusion started. */
    z.strictObject({ type: z.literal('no_start') }),
  ]),
  withinS: z.number().positive().finite().optional(),
  /** Points in the debrief score. */
  weight: z.number().int().positive().max(100).default(10),
});
export type ExpectedAction = z.infer<typeof expectedActionSchema>;

export const ARCHETYPES = ['healthy_adult', 'elderly', 'hypertensive', 'obese_osa', 'anxious'] as const;
export type Archetype = (typeof ARCHETYPES)[number];

const range = z.tuple([z.number().positive(), z.number().positive()]).refine(([lo, hi]) => lo <= hi, 'min must not exceed max');
const contraindicationIds = CONTRAINDICATIONS.map((c) => c.id) as [ContraindicationId, ...ContraindicationId[]];

export const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
  title: z.string().min(1),
  description: z.string().min(1),
  setting: z.enum(CARE_SETTINGS),
  indication: z.string().min(1),
  archetype: z.enum(ARCHETYPES).default('healthy_adult'),
  /** Ranges the simulated patient's weight (kg) and age (years) are drawn from. */
  patient: z.strictObject({ weightKg: range, ageYears: range }),
  /** The physician's order as a plan on the scenario clock. */
  infusion: z.array(infusionStepSchema).min(1),
  physiology: z.strictObject({
    baseline: z
      .strictObject({ hr: z.number(), sbp: z.number(), dbp: z.number(), spo2: z.number(), etco2: z.number(), rr: z.number() })
      .partial()
      .optional(),
    sensitivity: z.strictObject({ hr: z.number().positive(), bp: z.number().positive(), rr: z.number().positive() }).partial().optional(),
  }),
  /** What the pre-infusion assessment finds; a blocking finding means the infusion must not start. */
  checklist: z.strictObject({ findings: z.array(z.enum(contraindicationIds)) }).optional(),
  /** Measurement: NIBP cycle (omitted = a reading every frame, as an arterial line would give). */
  monitor: z.strictObject({ nibpIntervalMin: z.number().min(1).max(60).optional() }).optional(),
  events: z.array(scenarioEventSchema),
  expected: z.array(expectedActionSchema).default([]),
  /** Rule ids the scenario is written to raise when the plan runs unattended. */
  expectedAlarms: z.array(z.string().min(1)).default([]),
});
/** A scenario as written (defaults may be left out). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with its defaults filled in. */
export type Scenario = z.infer<typeof scenarioSchema>;
