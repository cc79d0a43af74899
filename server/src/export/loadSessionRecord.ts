import type { Session } from '@infusion/shared';
import type { UserService } from '../auth/userService';
import type { CareService } from '../care/careService';
import type { PhysicianResponses } from '../care/physicianResponses';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { EscalationReadRepo } from '../persistence/escalationReadRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import type { SessionRecord } from './sessionRecord';

export interface SessionRecordSources {
  sessions: SessionService;
  vitals: VitalsRepo;
  alarms: AlarmRepo;
  care: CareService;
  responses: PhysicianResponses;
  escalations: EscalationReadRepo;
  users: UserService;
  clock: Clock;
}

/** Trend points over the whole session: enough for a page-wide chart, each bucket keeping its min and max. */
const TREND_POINTS = 600;
/** A session's alarms in the record: all of them (the screen's list stops at 500). */
const ALARM_LIMIT = 100_000;

/** Reads everything the record shows through the services and repositories that own it. */
export async function loadSessionRecord(src: SessionRecordSources, session: Session, exportedBy: string): Promise<SessionRecord> {
  const now = src.clock.now();
  const to = session.endedAt ?? now;
  const [responses, escalations] = await Promise.all([src.responses.list(session.id), src.escalations.forSession(session.id)]);
  const displayNames: Record<string, string> = {};
  for (const u of src.users.list()) displayNames[u.username] = u.displayName;
  const trend = src.vitals.bucketedWindow(session.id, session.createdAt - 60_000, to + 60_000, TREND_POINTS);
  return {
    session,
    orders: src.care.orderHistory(session.id),
    checklist: src.care.checklist(session.id),
    infusionEvents: src.sessions.events(session.id),
    trend: trend.points,
    trendBucketMs: trend.bucketMs,
    trendFrom: trend.from,
    observations: src.care.observations(session.id),
    alarms: [...src.alarms.forSession(session.id, ALARM_LIMIT)].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id),
    escalations,
    responses,
    rescueDoses: src.care.rescueDoses(session.id),
    displayNames,
    exportedAt: now,
    exportedBy,
  };
}
