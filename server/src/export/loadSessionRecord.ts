import type { Session, TrendPoint } from '@infusion/shared';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { UserService } from '../auth/userService';
import type { CareService } from '../care/careService';
import type { DischargeService } from '../care/dischargeService';
import type { PhysicianResponses } from '../care/physicianResponses';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { EscalationReadRepo } from '../persistence/escalationReadRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import type { SessionRecord } from './sessionRecord';
import type { AdverseEffects } from '../care/adverseEffects';
import type { SessionResponses } from '../care/sessionResponse';
import type { CourseRecords } from '../patients/courseRecords';
import type { PatientService } from '../patients/patientService';

export interface SessionRecordSources {
  sessions: SessionService;
  vitals: VitalsRepo;
  alarms: AlarmRepo;
  care: CareService;
  /** Discharge records (absent: the record has none). */
  discharges?: Pick<DischargeService, 'record'>;
  responses: PhysicianResponses;
  escalations: EscalationReadRepo;
  users: UserService;
  clock: Clock;
  /** The course of care (patient, adverse effects, response, follow-ups); absent: the record has none of them. */
  course?: { patients: Pick<PatientService, 'get' | 'followUps'>; adverseEffects: Pick<AdverseEffects, 'list'>; responses: Pick<SessionResponses, 'get'>; records: Pick<CourseRecords, 'response'> };
}

/** Trend points over the whole session: enough for a page-wide chart, each bucket keeping its min and max. */
const TREND_POINTS = 600;
/** A session's alarms in the record: all of them (the screen's list stops at 500). */
const ALARM_LIMIT = 100_000;

/** Rows aggregated per step when a long session's trend is read in slices. */
const ROWS_PER_STEP = 2000;

/**
 * The session's downsampled trend, the same points `VitalsRepo.window` gives, read in slices of whole
 * buckets of about ROWS_PER_STEP rows each with the event loop free between them: a day at 1 Hz is
 * 86,400 rows, which one aggregate query would hold the loop for.
 */
export async function trendInSteps(vitals: VitalsRepo, sessionId: string, from: number, to: number): Promise<{ points: TrendPoint[]; from: number; bucketMs: number | null }> {
  const plan = await vitals.windowPlan(sessionId, from, to, TREND_POINTS);
  if (plan.bucketMs === null) return vitals.bucketedWindow(sessionId, from, to, TREND_POINTS);
  const buckets = Math.ceil((plan.to - plan.from + 1) / plan.bucketMs);
  const perStep = Math.max(1, Math.floor((buckets * ROWS_PER_STEP) / plan.rows));
  const points: TrendPoint[] = [];
  for (let b = 0; b < buckets; b += perStep) {
    await nextTurn();
    const lo = plan.from + b * plan.bucketMs;
    const hi = Math.min(plan.to + 1, plan.from + (b + perStep) * plan.bucketMs);
    points.push(...(await vitals.bucketsIn(sessionId, plan.from, plan.bucketMs, lo, hi)));
  }
  return { points, from: plan.from, bucketMs: plan.bucketMs };
}

/** Reads everything the record shows through the services and repositories that own it. */
export async function loadSessionRecord(src: SessionRecordSources, session: Session, exportedBy: string): Promise<SessionRecord> {
  const now = src.clock.now();
  const to = session.endedAt ?? now;
  const [responses, escalations, infusionEvents, observations] = await Promise.all([
    src.responses.list(session.id),
    src.escalations.forSession(session.id),
    src.sessions.events(session.id),
    src.care.observations(session.id),
  ]);
  const displayNames: Record<string, string> = {};
  for (const u of await src.users.list()) displayNames[u.username] = u.displayName;
  // Each read is a separate step of the event loop: the trend and the alarms of a long session are the heavy ones.
  const trend = await trendInSteps(src.vitals, session.id, session.createdAt - 60_000, to + 60_000);
  await nextTurn();
  const alarms = [...(await src.alarms.forSession(session.id, ALARM_LIMIT))].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  const [orders, checklist, rescueDoses, phases, discharge] = await Promise.all([
    src.care.orderHistory(session.id),
    src.care.checklist(session.id),
    src.care.rescueDoses(session.id),
    src.sessions.phases(session.id),
    src.discharges ? src.discharges.record(session.id) : null,
  ]);
  const c = src.course;
  const [patient, adverseEffects, responseRecord, assessment, followUps] = c
    ? await Promise.all([
        session.patientId !== null ? c.patients.get(session.patientId) : null,
        c.adverseEffects.list(session.id),
        c.responses.get(session.id),
        c.records.response(session.id),
        session.patientId !== null ? c.patients.followUps(session.patientId) : [],
      ])
    : [null, [], null, null, []];
  return {
    session,
    orders,
    checklist,
    infusionEvents,
    trend: trend.points,
    trendBucketMs: trend.bucketMs,
    trendFrom: trend.from,
    observations,
    alarms,
    escalations,
    responses,
    rescueDoses,
    phases,
    discharge,
    patient,
    adverseEffects,
    // Nothing to say (no pain score either side, nothing recorded): no response in the record.
    response: assessment && (assessment.pain.before !== null || assessment.pain.after !== null || responseRecord) ? { assessment, record: responseRecord } : null,
    followUps: followUps.filter((f) => f.sessionId === session.id),
    displayNames,
    exportedAt: now,
    exportedBy,
  };
}
