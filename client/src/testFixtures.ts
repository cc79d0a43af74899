import { highAlarm } from '@infusion/shared/testkit';
import type { Alarm, AlarmUpdate, Escalation, Session, SessionDetail, Snapshot, VitalsSample } from '@infusion/shared';

/** Builders for unit tests: complete contract objects with only the interesting fields overridden. */

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

export function session(over: Partial<Session> = {}): Session {
  return {
    id: 's1',
    patientLabel: 'Patient A',
    weightKg: 80,
    heightCm: null,
    sex: null,
    dosingWeight: { kg: 80, basis: 'actual', used: 'actual', label: 'per kg actual body weight, 80 kg', note: null },
    ageYears: 45,
    setting: 'clinic',
    indication: 'chronic pain',
    supervisingPhysician: 'Dr Ray',
    nurse: 'RN Kim',
    location: 'Chair 1',
    unit: 'infusion-suite',
    simulated: false,
    patientRef: null,
    patientId: null,
    profile: 'standard',
    baseline: null,
    limitOverrides: null,
    limitsChanged: [],
    status: 'active',
    phase: 'pre_infusion',
    phaseSince: T0,
    createdAt: T0,
    endedAt: null,
    ruleSetId: 'default',
    ruleSetVersion: 1,
    infusion: { status: 'not_started', rateMgKgH: 0, cumulativeMg: 0, cumulativeMgPerKg: 0, asOf: 0 },
    audioPausedUntil: null,
    ...over,
  };
}

export const alarm = (over: Partial<Alarm> = {}): Alarm => highAlarm({ id: 1, startedAt: T0, ...over });

export function update(eventId: number, a: Alarm, transition: AlarmUpdate['transition'] = 'raised'): AlarmUpdate {
  return { eventId, transition, at: a.startedAt, alarm: a };
}

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    serverTime: T0 + 3_600_000,
    ruleSet: { id: 'default', version: 1, name: 'Default' },
    sessions: [],
    alarms: [],
    missedAlarmUpdates: [],
    lastAlarmEventId: 0,
    escalations: [],
    trends: {},
    storage: { recording: 'ok', since: null, reason: null, heldAlarmWrites: 0, unrecordedAlarmIds: [] },
    ...over,
  };
}

/** One sample per `stepMs` from `from` (inclusive) to `to` (inclusive). */
export function samples(from: number, to: number, stepMs: number, values: Omit<VitalsSample, 't'> = { hr: 80 }): VitalsSample[] {
  const out: VitalsSample[] = [];
  for (let t = from; t <= to; t += stepMs) out.push({ t, ...values });
  return out;
}

export function detail(over: Partial<SessionDetail> = {}): SessionDetail {
  return { session: session(), trend: [], infusionEvents: [], alarms: [], observations: [], checklist: null, rescueDoses: [], ...over };
}

export function escalation(over: Partial<Escalation> = {}): Escalation {
  return {
    id: 1,
    alarmId: 1,
    sessionId: 's1',
    unit: 'infusion-suite',
    location: 'Chair 1',
    simulated: false,
    level: 1,
    state: 'open',
    priority: 'high',
    title: 'SpO2 low',
    message: 'SpO2 86 < 88',
    openedAt: T0,
    nextLevelAt: T0 + 120_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    closedAt: null,
    closedReason: null,
    ...over,
  };
}
