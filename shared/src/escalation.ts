import type { AlarmPriority } from './alarms';

/**
 * Escalation of an alarm to the second responder (clinical-reference.md section 4):
 * level 1 = the unit's physicians (at once for high priority; after the medium delay when a medium
 * alarm is not acknowledged); level 2 = every clinician of the unit, when level 1 is not acknowledged.
 */
export type EscalationLevel = 1 | 2;
export type EscalationState = 'open' | 'acknowledged' | 'closed';

export interface Escalation {
  id: number;
  alarmId: number;
  sessionId: string;
  unit: string;
  /** Chair or bed, so whoever is paged knows where to go. */
  location: string;
  simulated: boolean;
  level: EscalationLevel;
  state: EscalationState;
  priority: AlarmPriority;
  title: string;
  message: string;
  openedAt: number;
  /** When it goes to the next level if nobody acknowledges it (null at the last level or once closed). */
  nextLevelAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  closedAt: number | null;
  closedReason: string | null;
}

export interface Notification {
  id: number;
  escalationId: number;
  channel: 'dashboard' | 'webhook';
  target: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  createdAt: number;
  sentAt: number | null;
  lastError: string | null;
}
