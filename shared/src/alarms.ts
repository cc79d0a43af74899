export const ALARM_PRIORITIES = ['high', 'medium', 'low'] as const;
export type AlarmPriority = (typeof ALARM_PRIORITIES)[number];

/** IEC 60601-1-8 visual signals (clinical-reference.md section 4). */
export const PRIORITY_SIGNAL: Record<AlarmPriority, { colour: string; flashHz: number | null; label: string }> = {
  high: { colour: '#d90429', flashHz: 2, label: 'HIGH' },
  medium: { colour: '#ffc300', flashHz: 0.6, label: 'MEDIUM' },
  low: { colour: '#00b4d8', flashHz: null, label: 'LOW' },
};

export const PRIORITY_RANK: Record<AlarmPriority, number> = { high: 3, medium: 2, low: 1 };

/**
 * active: condition present (or latched) and not acknowledged;
 * acknowledged: audio silenced, still shown while the condition lasts;
 * resolved: condition over and nothing left to show.
 */
export type AlarmState = 'active' | 'acknowledged' | 'resolved';
/** Technical alarms (sensor off, no data) are distinct from clinical ones; advisories are guardrails and reminders. */
export type AlarmKind = 'clinical' | 'technical' | 'advisory';
/** `reminder`: an acknowledged alarm whose condition persisted past the reminder time sounds again. */
export type AlarmTransition = 'raised' | 'acknowledged' | 'condition_cleared' | 'reminder' | 'resolved';

export interface Alarm {
  id: number;
  sessionId: string;
  /** The session's unit: dashboards see only the units they are assigned to. */
  unit: string;
  ruleId: string;
  ruleSetVersion: number;
  priority: AlarmPriority;
  kind: AlarmKind;
  title: string;
  /** Value against limit, e.g. "SpO2 86 < 88". */
  message: string;
  field: string | null;
  value: number | null;
  limit: number | null;
  state: AlarmState;
  latching: boolean;
  /** False once the triggering condition has cleared (a latched alarm may still be shown). */
  conditionActive: boolean;
  startedAt: number;
  conditionClearedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  simulated: boolean;
  actions: string[];
  /** Rescue drug classes of guideline Q7 for this alarm; the formulary gives drugs and any site dose. */
  rescue: string[];
  source: string;
}

/** One stored state change of an alarm; eventId increases across the whole server. */
export interface AlarmUpdate {
  eventId: number;
  transition: AlarmTransition;
  at: number;
  alarm: Alarm;
  /** false: shown while storage is failing, not yet written (it is written, in order, once storage is back). */
  recorded?: false;
}
