import { z } from 'zod';
import { SIM_DRUGS, scenarioEventSchema, type ScenarioEvent, type SimDrug } from './scenario';
import { OBSERVATION_SCALES, type ObservationScale } from './observations';
import type { InfusionEventType } from './sessions';
import type { Role } from './roles';

/**
 * Training runs hosted by the product: a trainer runs a scenario for a trainee in a training unit,
 * simulated by the training host (a device process of its own, `simulator/src/training/host.ts`).
 * The run's scenario clock is stored as the scenario time at its last state change plus the wall time
 * of that change, so the current scenario time is derivable after any restart.
 */

/** Socket.IO namespace of training hosts (device key, simulator devices only). */
export const TRAINING_HOST_NAMESPACE = '/training-host';

export const TRAINING_STATES = ['created', 'running', 'paused', 'ended'] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];
export const TRAINING_SPEEDS = [1, 10, 60] as const;
export type TrainingSpeed = (typeof TRAINING_SPEEDS)[number];

/** Scenario ms at the last state change and the wall time (epoch ms) of that change. */
export interface ScenarioClock {
  scenarioMs: number;
  wallAt: number;
  speed: number;
  /** Only a running clock advances. */
  running: boolean;
}

/** The scenario time (ms) now. */
export const scenarioMsAt = (c: ScenarioClock, now: number): number => (c.running ? c.scenarioMs + Math.max(0, now - c.wallAt) * c.speed : c.scenarioMs);

/** The wall time a scenario instant maps to on the clock (a frame's timestamp): deterministic, so a resend is identical. */
export const wallTimeOf = (c: ScenarioClock, scenarioMs: number): number => Math.round(c.wallAt + (scenarioMs - c.scenarioMs) / c.speed);

/**
 * A run's clock over its whole life: one entry per change (created, start, pause, resume, speed, end),
 * oldest first. It maps any wall instant since the run was created to its scenario time, and back:
 * what lets the server judge a training session on scenario time (its rule delays, observation due,
 * no-data, dose over time, escalation) while its frames, alarms and records keep wall-clock stamps.
 */
export type ScenarioClockHistory = readonly ScenarioClock[];

/** The scenario time (ms) at a wall instant; never decreasing, constant while paused, 0 before the first entry. */
export function scenarioMsOfWall(h: ScenarioClockHistory, wall: number): number {
  let c: ScenarioClock | undefined;
  for (const x of h) {
    if (x.wallAt > wall) break;
    c = x;
  }
  return c ? scenarioMsAt(c, wall) : (h[0]?.scenarioMs ?? 0);
}

/** The first wall instant at which the scenario time reaches `scenarioMs` (the wall time of an instant judged on the scenario clock). */
export function wallOfScenarioMs(h: ScenarioClockHistory, scenarioMs: number): number {
  let last: ScenarioClock | undefined;
  for (let i = 0; i < h.length; i++) {
    const c = h[i]!;
    if (scenarioMs <= c.scenarioMs) return c.wallAt;
    const next = h[i + 1];
    if (c.running && c.speed > 0 && (!next || scenarioMs < next.scenarioMs)) return Math.round(c.wallAt + (scenarioMs - c.scenarioMs) / c.speed);
    last = c;
  }
  // Beyond what the clock has reached (it is stopped): its last change.
  return last?.wallAt ?? 0;
}

/** What the trainee did, as the training host applies it to the simulated patient. */
export type TrainingAction =
  | { type: 'infusion'; event: { type: InfusionEventType; rateMgKgH?: number; doseMg?: number } }
  | { type: 'drug'; drug: SimDrug; doseMg: number };

/** The formulary entry (shared/src/default-formulary.json) each simulated drug is documented under. */
export const SIM_DRUG_FORMULARY_ID: Record<SimDrug, string> = {
  midazolam: 'midazolam',
  clonidine: 'clonidine',
  metoprolol: 'beta_blocker',
  ondansetron: 'antiemetic',
  fentanyl: 'fentanyl',
};
/** The simulated drug a documented rescue dose is, or null (a drug the patient model does not know). */
export const simDrugOfFormularyId = (id: string): SimDrug | null => SIM_DRUGS.find((d) => SIM_DRUG_FORMULARY_ID[d] === id) ?? null;

/**
 * A sedation or pain score the trainee recorded, beside what the virtual assessor of the patient model
 * scored at that scenario time (null: no training host answered), so the debrief can judge it.
 */
export interface TrainingAssessment {
  observationId: number;
  scale: ObservationScale;
  traineeScore: number;
  assessorScore: number | null;
}

/** One entry of a run's timeline: an event the trainer injected, a trainee's action, or a trainee's score beside the assessor's, at a scenario time. */
export type TrainingRunEvent =
  | { id: number; scenarioMs: number; kind: 'inject'; event: ScenarioEvent; by: string; at: number }
  | { id: number; scenarioMs: number; kind: 'action'; action: TrainingAction; by: string; at: number }
  | { id: number; scenarioMs: number; kind: 'assessment'; assessment: TrainingAssessment; by: string; at: number };

/** The actor the training host documents as: what the scenario does (a colleague, the scripted nurse), never the trainee. */
export const scenarioActor = (scenario: string): string => `scenario:${scenario}`;
export const isScenarioActor = (by: string): boolean => by.startsWith('scenario:');

/**
 * What the training host documents on a run's session as the scenario (the server validates each body
 * with the same schema as the bedside API): the scripted nurse's order, checklist, infusion steps and
 * scores, and drugs the script gives (a colleague's midazolam).
 */
const anyBody = z.record(z.string(), z.unknown());
export const trainingDocumentSchema = z.strictObject({
  runId: z.string().min(1).max(100),
  doc: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('order'), order: anyBody }),
    z.strictObject({ type: z.literal('checklist'), checklist: anyBody }),
    z.strictObject({ type: z.literal('infusion'), event: anyBody }),
    z.strictObject({ type: z.literal('observation'), observation: anyBody }),
    z.strictObject({ type: z.literal('drug'), drug: z.enum(SIM_DRUGS), doseMg: z.number().positive().finite().max(1000), label: z.string().min(1).max(300), source: z.string().min(1).max(500) }),
  ]),
});
export type TrainingDocument = z.infer<typeof trainingDocumentSchema>;

/** The server asks a run's host what the virtual assessor scores now on a scale. */
export const trainingAssessRequestSchema = z.strictObject({ runId: z.string().min(1).max(100), scale: z.enum(Object.keys(OBSERVATION_SCALES) as [ObservationScale, ...ObservationScale[]]) });
export type TrainingAssessRequest = z.infer<typeof trainingAssessRequestSchema>;

export interface TrainingRun {
  id: string;
  unit: string;
  trainer: string;
  trainee: string;
  scenario: string;
  /** The scenario's title as its host offered it when the run was created (its name for older runs without one). */
  scenarioTitle: string;
  seed: number;
  sessionId: string;
  /** The training host's device that simulates it. */
  deviceId: number;
  weightKg: number;
  state: TrainingState;
  speed: TrainingSpeed;
  clock: ScenarioClock;
  events: TrainingRunEvent[];
  createdAt: number;
  updatedAt: number;
  endedAt: number | null;
  /** The scripted nurse plays the scenario's plan (infusion steps, its drugs, sedation and pain scores), documented as the scenario's. */
  scriptedNurse: boolean;
  /** Always true: a training run is simulated (every screen and export marks it). */
  simulated: true;
}

const username = z.string().min(1).max(100);
export const trainingRunCreateSchema = z.strictObject({
  scenario: z.string().regex(/^[a-z][a-z0-9-]*$/).max(100),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  trainee: username,
  unit: z.string().min(1).max(100),
  /** Default: the middle of the scenario's weight range. */
  weightKg: z.number().min(1).max(400).optional(),
  /** Default the scenario's title. */
  location: z.string().min(1).max(100).optional(),
  patientLabel: z.string().min(1).max(100).optional(),
  /**
   * True: a scripted nurse plays the scenario's plan (its infusion steps, the drugs of the plan, sedation
   * and pain scores every 10 scenario minutes), e.g. to show a scenario unattended. Default false: the
   * infusion is the trainee's to run.
   */
  scriptedNurse: z.boolean().optional(),
});
export type TrainingRunCreate = z.infer<typeof trainingRunCreateSchema>;
export const trainingSpeedSchema = z.strictObject({ speed: z.union([z.literal(1), z.literal(10), z.literal(60)]) });
/** An event injected live: its `atMin` is optional (default now) and never before the current scenario time. */
export const trainingInjectSchema = z.strictObject({ event: z.record(z.string(), z.unknown()) });
export { scenarioEventSchema as trainingEventSchema };

/** What a training host offers: the scenarios it can run (the server does not load the simulator). */
export const trainingScenarioSummarySchema = z.strictObject({
  name: z.string().min(1).max(100),
  title: z.string().min(1).max(300),
  setting: z.string().min(1).max(100),
  indication: z.string().min(1).max(300),
  weightKg: z.tuple([z.number().positive(), z.number().positive()]),
  ageYears: z.tuple([z.number().positive(), z.number().positive()]),
});
export type TrainingScenarioSummary = z.infer<typeof trainingScenarioSummarySchema>;

/** A clinician a trainer may make the trainee of a run in a training unit (active, not an admin, in the unit). */
export interface TrainingTraineeOption {
  username: string;
  displayName: string;
  role: Role;
}
export const trainingHostHelloSchema = z.strictObject({
  scenarios: z.array(trainingScenarioSummarySchema).max(200),
  /**
   * The full scenario documents (each checked against `scenarioSchema` on arrival, a bad one left out):
   * a run keeps its scenario's expected actions and alarms from creation on, so its debrief never
   * needs a host. Optional: a host without them offers runs whose debrief has no expected actions.
   */
  documents: z.array(z.unknown()).max(200).optional(),
});
export type TrainingHostHello = z.infer<typeof trainingHostHelloSchema>;

/** A run as its host needs it: the run and the next seq the server expects from this host for the session. */
export interface TrainingHostRun extends TrainingRun {
  nextSeq: number;
}

export interface TrainingHostServerToClient {
  /** Every run this host simulates that is not ended (on connect, and again on request). */
  runs: (runs: TrainingHostRun[]) => void;
  /** A run changed (state, speed, an injected event, a trainee's action, ended). */
  run: (run: TrainingHostRun) => void;
  /** The virtual assessor's score now (the trainee just scored the patient). */
  assess: (req: TrainingAssessRequest, ack: (r: { ok: true; data: { score: number } } | { ok: false; error: string }) => void) => void;
}
export interface TrainingHostClientToServer {
  hello: (hello: TrainingHostHello, ack: (r: { ok: true; data: { runs: number } } | { ok: false; error: string }) => void) => void;
  /** Documents what the scenario did on a run's session (see trainingDocumentSchema). */
  document: (doc: TrainingDocument, ack: (r: { ok: true; data: null } | { ok: false; error: string }) => void) => void;
}
