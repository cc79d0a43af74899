import type { Alarm, AlarmUpdate } from './alarms';
import type { ChecklistRecord } from './checklist';
import type { Escalation } from './escalation';
import type { RescueDose } from './formulary';
import type { Observation } from './observations';
import type { FieldError, Result } from './errors';
import type { InfusionEvent, Session } from './sessions';
import type { VitalsSample } from './vitals';

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

export interface Snapshot {
  serverTime: number;
  ruleSet: RuleSetRef;
  sessions: Session[];
  /** Every alarm not yet resolved (active, acknowledged, or latched). */
  alarms: Alarm[];
  /** Alarm updates after the lastAlarmEventId the dashboard sent (empty on a first connect). */
  missedAlarmUpdates: AlarmUpdate[];
  lastAlarmEventId: number;
  /** Open escalations the user is a responder for. */
  escalations: Escalation[];
  /** Last 15 minutes per active session, downsampled for tiles and first paint. */
  trends: Record<string, VitalsSample[]>;
}

export interface SessionDetail {
  session: Session;
  trend: VitalsSample[];
  infusionEvents: InfusionEvent[];
  alarms: Alarm[];
  observations: Observation[];
  checklist: ChecklistRecord | null;
  rescueDoses: RescueDose[];
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
  /** An escalation opened, went to the next level, was acknowledged or closed. */
  escalation: (e: Escalation) => void;
}

export interface DashboardClientToServer {
  subscribe: (req: { lastAlarmEventId?: number }, ack: (res: Result<Snapshot>) => void) => void;
  'alarm:acknowledge': (req: { alarmId: number }, ack: (res: Result<Alarm>) => void) => void;
  'session:detail': (req: { sessionId: string; sinceT?: number }, ack: (res: Result<SessionDetail>) => void) => void;
  'escalation:acknowledge': (req: { escalationId: number }, ack: (res: Result<Escalation>) => void) => void;
}
