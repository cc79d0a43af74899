import { PRIORITY_RANK, VITAL_FIELDS, doseAt, type Alarm, type AlarmPriority, type InfusionState, type Session, type VitalField } from '@infusion/shared';

/** Active sessions for the overview, ordered by location then label (numbers in natural order). */
export function overviewSessions(sessions: Record<string, Session>): Session[] {
  const natural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return Object.values(sessions)
    .filter((s) => s.status === 'active')
    .sort((a, b) => natural(a.location, b.location) || natural(a.patientLabel, b.patientLabel));
}

/**
 * Alarms still signalled: active (incl. latched) and acknowledged ones whose condition lasts.
 * Highest priority first, then newest.
 */
export function shownAlarms(alarms: Record<number, Alarm>, sessionId?: string): Alarm[] {
  return Object.values(alarms)
    .filter((a) => a.state !== 'resolved' && (sessionId === undefined || a.sessionId === sessionId))
    .sort((a, b) => PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.startedAt - a.startedAt || b.id - a.id);
}

export function highestPriority(alarms: Iterable<Alarm>): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const a of alarms) {
    if (a.state === 'resolved') continue;
    if (best === null || PRIORITY_RANK[a.priority] > PRIORITY_RANK[best]) best = a.priority;
  }
  return best;
}

/** Whether a session's alarm audio is paused at `now` (server time): the pause is disclosed and ends by itself. */
export const isAudioPaused = (session: Pick<Session, 'audioPausedUntil'> | undefined, now: number): boolean =>
  !!session && session.audioPausedUntil !== null && session.audioPausedUntil > now;

/**
 * Milliseconds of audio pause left (0 when not paused), at most the pause's duration when known: `now`
 * is this page's estimate of the server's clock, which lags by the snapshot's travel time, and a
 * 2-minute pause must never read more than 2:00.
 */
export const audioPauseLeft = (session: Pick<Session, 'audioPausedUntil'> | undefined, now: number, pauseMs: number | null = null): number =>
  isAudioPaused(session, now) ? atMost(session!.audioPausedUntil! - now, pauseMs) : 0;

/** Milliseconds left of the audio pause of one alarm of the session (0 when its sound is not paused), at most the pause's duration. */
export function alarmAudioPauseLeft(session: Pick<Session, 'alarmAudioPauses'> | undefined, alarmId: number, now: number, pauseMs: number | null = null): number {
  const p = session?.alarmAudioPauses?.find((x) => x.alarmId === alarmId);
  return p && p.until > now ? atMost(p.until - now, pauseMs) : 0;
}

const atMost = (left: number, pauseMs: number | null) => (pauseMs !== null && pauseMs > 0 ? Math.min(left, pauseMs) : left);

/** Whether an alarm's sound is paused at `now`: its session's audio, or the alarm's own. */
export const isAlarmSilenced = (a: Pick<Alarm, 'id'>, session: Pick<Session, 'audioPausedUntil' | 'alarmAudioPauses'> | undefined, now: number): boolean =>
  isAudioPaused(session, now) || alarmAudioPauseLeft(session, a.id, now) > 0;

/** The latest end of any audio pause (of a session or of one of its alarms), or null: countdowns tick until then. */
export function lastAudioPauseEnd(sessions: Iterable<Pick<Session, 'audioPausedUntil' | 'alarmAudioPauses'>>): number | null {
  let end: number | null = null;
  for (const s of sessions) {
    if (s.audioPausedUntil !== null) end = Math.max(end ?? 0, s.audioPausedUntil);
    for (const p of s.alarmAudioPauses ?? []) end = Math.max(end ?? 0, p.until);
  }
  return end;
}

/**
 * Priority that should sound: only alarms nobody has acknowledged yet (ack silences audio only),
 * and none whose sound is paused (`silenced`: its session's pause or its own).
 */
export function audiblePriority(alarms: Iterable<Alarm>, silenced?: (a: Alarm) => boolean): AlarmPriority | null {
  let best: AlarmPriority | null = null;
  for (const a of alarms) {
    if (a.state !== 'active') continue;
    if (silenced?.(a)) continue;
    if (best === null || PRIORITY_RANK[a.priority] > PRIORITY_RANK[best]) best = a.priority;
  }
  return best;
}

/** Every alarm of a session, resolved included, newest first. */
export function sessionAlarmHistory(alarms: Record<number, Alarm>, sessionId: string): Alarm[] {
  return Object.values(alarms)
    .filter((a) => a.sessionId === sessionId)
    .sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
}

/** A latched alarm: condition gone, still shown until someone acknowledges it. */
export const isLatched = (a: Alarm) => a.state === 'active' && a.latching && !a.conditionActive;

/** Running dose up to the latest time we know of for the session (event time, from its vitals), on its dosing weight. */
export function runningInfusion(session: Session, latestT: number | null): InfusionState {
  return latestT === null ? session.infusion : doseAt(session.infusion, session.dosingWeight.kg, latestT);
}

/** Which vital each alarm is about while its condition lasts, highest priority per vital: that value takes the alarm colour. */
export function alarmingFields(alarms: Iterable<Alarm>): Partial<Record<VitalField, AlarmPriority>> {
  const out: Partial<Record<VitalField, AlarmPriority>> = {};
  for (const a of alarms) {
    if (a.state === 'resolved' || !a.conditionActive || a.field === null || !(VITAL_FIELDS as readonly string[]).includes(a.field)) continue;
    const f = a.field as VitalField;
    const held = out[f];
    if (held === undefined || PRIORITY_RANK[a.priority] > PRIORITY_RANK[held]) out[f] = a.priority;
  }
  return out;
}
