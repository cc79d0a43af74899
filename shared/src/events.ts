import type { Alarm, AlarmUpdate } from './alarms';
import type { AdverseEffect } from './course/adverseEffects';
import type { ChecklistRecord } from './checklist';
import type { Escalation } from './escalation';
import type { RescueDose } from './formulary';
import type { Observation } from './observations';
import type { PhysicianResponse, PhysicianResponseRequest } from './responses';
import type { Order } from './orders';
import type { FieldError, Result } from './errors';
import type { InfusionEvent, PhaseChange, Session } from './sessions';
import type { DischargeRecord } from './discharge';
import type { TrainingRun } from './training';
import { z } from 'zod';
import type { VitalField, VitalsSample } from './vitals';

/** Socket.IO contract, shared by server, dashboard, simulator and tests. */

export const INGEST_NAMESPACE = '/ingest';
/** Dashboards use the default namespace. */
export const DASHBOARD_NAMESPACE = '/';

export interface RejectedFrame {
  /** Position in the batch that was sent. */
  index: number;
  sessionId: string | null;
  seq: number | null;
  errors: FieldError[];
}

/**
 * Per-frame outcome of a batch. A device may forget accepted and duplicate seqs: both are committed,
 * and exactly what was accepted is stored and evaluated. A duplicate is a resend with the same values;
 * a conflict is a resend of a stored seq with different values: nothing is overwritten, the stored
 * frame stands, and each differing field is named (the device logs and drops it, as for a rejection).
 */
export interface IngestResult {
  accepted: number[];
  duplicates: number[];
  rejected: RejectedFrame[];
  conflicts: RejectedFrame[];
}

export interface IngestClientToServer {
  /** Frames are acknowledged only after they are committed to the database. */
  frames: (frames: unknown, ack: (res: Result<IngestResult>) => void) => void;
}
export type IngestServerToClient = Record<string, never>;

export interface RuleSetRef {
  id: string;
  version: number;
  name: string;
}

/**
 * Whether the server can record what it monitors. `failed` is a technical alarm for every screen:
 * monitoring and clinical alarms go on, but nothing new is being stored until it is `ok` again.
 */
export interface StorageStatus {
  recording: 'ok' | 'failed';
  /** When recording failed; null while ok. */
  since: number | null;
  /** Why, e.g. "SQLITE_FULL: database or disk is full"; null while ok. */
  reason: string | null;
  /** Alarm transitions shown but not yet written: they are written in order when storage is back. */
  heldAlarmWrites: number;
  /** Alarms with at least one transition not yet written. */
  unrecordedAlarmIds: number[];
}

export interface Snapshot {
  serverTime: number;
  /**
   * The fixed duration of an audio pause (AUDIO_PAUSE_MS): a countdown never shows more than it, even
   * when this page's estimate of the server's clock lags (the snapshot's own travel time).
   */
  audioPauseMs?: number;
  ruleSet: RuleSetRef;
  sessions: Session[];
  /** Every alarm not yet resolved (active, acknowledged, or latched). */
  alarms: Alarm[];
  /** Alarm updates after the lastAlarmEventId the dashboard sent (empty on a first connect). */
  missedAlarmUpdates: AlarmUpdate[];
  lastAlarmEventId: number;
  /** Open escalations the user is a responder for. */
  escalations: Escalation[];
  /**
   * Escalations the user is a responder for that were acknowledged in the last 12 hours, newest first (at
   * most 20): the inbox lists what was answered, also after a reload.
   */
  recentEscalations?: Escalation[];
  /** Last 15 minutes per active session, downsampled for tiles and first paint (bounded in total). */
  trends: Record<string, TrendPoint[]>;
  /** Recording state now (a failed recording is a technical alarm shown to every screen). */
  storage: StorageStatus;
  /** The latest physician response of each active session that has one (shown on its tile). */
  responses?: PhysicianResponse[];
}

/**
 * A point of a stored trend: a raw sample, or a downsampled time bucket. A bucket carries the mean of
 * each field as its value and, where they differ from it, the bucket's extremes in `min` and `max`:
 * an average alone would hide a brief SpO2 dip, the minimum keeps it.
 */
export type TrendPoint = VitalsSample & {
  min?: Partial<Record<VitalField, number>>;
  max?: Partial<Record<VitalField, number>>;
};

export interface SessionDetail {
  session: Session;
  /** At most 900 points over the session (or since `sinceT`), downsampled with min and max per bucket. */
  trend: TrendPoint[];
  infusionEvents: InfusionEvent[];
  alarms: Alarm[];
  observations: Observation[];
  checklist: ChecklistRecord | null;
  rescueDoses: RescueDose[];
  /** The physician's current order (null: none written; the checklist's ordered rate is the bound). */
  order?: Order | null;
  /** Physician responses documented for this session, oldest first. */
  responses?: PhysicianResponse[];
  /** The phases the session went through, oldest first. */
  phases?: PhaseChange[];
  /** The discharge, once the session was discharged. */
  discharge?: DischargeRecord | null;
  /** Adverse effects documented for this session, in time order. */
  adverseEffects?: AdverseEffect[];
}

export interface LiveVitals {
  sessionId: string;
  samples: VitalsSample[];
}

export interface DashboardServerToClient {
  /** Coalesced live vitals (a few per second per session); may be dropped for a slow screen. */
  vitals: (batch: LiveVitals[]) => void;
  /** Alarm state changes, stored before they are sent; never dropped. */
  alarm: (update: AlarmUpdate) => void;
  session: (session: Session) => void;
  infusionEvent: (ev: InfusionEvent) => void;
  observation: (o: Observation) => void;
  rescueDose: (d: RescueDose) => void;
  /** An adverse effect documented (sent to every screen that shows the session). */
  adverseEffect: (a: AdverseEffect) => void;
  /** An escalation opened, went to the next level, was acknowledged or closed. */
  escalation: (e: Escalation) => void;
  /** Recording failed or came back (sent to every dashboard, whatever its role or unit). */
  storage: (s: StorageStatus) => void;
  /** A physician responded to an escalation or a session (sent to every screen that shows the session). */
  response: (r: PhysicianResponse) => void;
  /** A physician's order written (sent to every screen that shows the session, so no one titrates on an old one). */
  order: (o: Order) => void;
  /** The pre-infusion checklist submitted, overridden, or re-opened by a new order (sent like `order`). */
  checklist: (c: ChecklistRecord) => void;
  /** A training run changed (sent to the trainers of its unit and to its trainee only). */
  trainingRun: (run: TrainingRun) => void;
}

/** Requests a dashboard sends: validated on the server, so a wrong type is refused with the field and the reason. */
const eventId = z.number().int('must be an integer').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER);
export const subscribeRequestSchema = z.strictObject({ lastAlarmEventId: eventId.optional() });
export const sessionDetailRequestSchema = z.strictObject({
  sessionId: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  sinceT: z.number().int('must be an integer epoch ms').min(0, 'must be 0 or more').max(Number.MAX_SAFE_INTEGER).optional(),
});
export const alarmAcknowledgeRequestSchema = z.strictObject({ alarmId: eventId });
export const escalationAcknowledgeRequestSchema = z.strictObject({ escalationId: eventId });
export const alarmAudioPauseRequestSchema = z.strictObject({ alarmId: eventId });

export interface DashboardClientToServer {
  subscribe: (req: { lastAlarmEventId?: number }, ack: (res: Result<Snapshot>) => void) => void;
  'alarm:acknowledge': (req: { alarmId: number }, ack: (res: Result<Alarm>) => void) => void;
  /** Pauses one alarm's sound for the server's fixed, disclosed time (AUDIO_PAUSE_MS); answers its session with `alarmAudioPauses`. */
  'alarm:audioPause': (req: { alarmId: number }, ack: (res: Result<Session>) => void) => void;
  'session:detail': (req: { sessionId: string; sinceT?: number }, ack: (res: Result<SessionDetail>) => void) => void;
  'escalation:acknowledge': (req: { escalationId: number }, ack: (res: Result<Escalation>) => void) => void;
  /** Physicians of the session's unit; trainers in simulated sessions. */
  'response:record': (req: PhysicianResponseRequest, ack: (res: Result<PhysicianResponse>) => void) => void;
}
