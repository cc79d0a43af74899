import { assessResponse, canSeeSession, infusionCourse, painBeforeAfter, painResponse, seriesNotice, sessionCursor, type CourseSession, type SessionCursor, type PatientRecord, type Patient, type ResponseAssessment, type SeriesNotice, type Session, type UserScope } from '@infusion/shared';
import type { AdverseEffects } from '../care/adverseEffects';
import type { CareService } from '../care/careService';
import type { SessionResponses } from '../care/sessionResponse';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { SessionRepo } from '../persistence/sessionRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import type { PatientService } from './patientService';

export interface CourseRecordDeps {
  patients: PatientService;
  sessionRepo: SessionRepo;
  sessions: Pick<SessionService, 'get' | 'events'>;
  care: Pick<CareService, 'observations'>;
  alarms: Pick<AlarmRepo, 'forSession'>;
  adverseEffects: Pick<AdverseEffects, 'list'>;
  responses: Pick<SessionResponses, 'get'>;
  clock: Clock;
}

/**
 * A patient's course of care read together: each session's dose, pain before and after, response
 * (Q8), adverse effects and alarm count; the follow-ups; and the series notice (Q3, Q8) for a new session.
 */
export class CourseRecords {
  constructor(private readonly d: CourseRecordDeps) {}

  /** The session's response: pain before (baseline) and after (last score after the stop), with what was recorded besides. */
  async response(sessionId: string): Promise<ResponseAssessment> {
    const [obs, events, record] = await Promise.all([this.d.care.observations(sessionId), this.d.sessions.events(sessionId), this.d.responses.get(sessionId)]);
    const { before, after } = painBeforeAfter(obs, events);
    return assessResponse(painResponse(before, after), record);
  }

  async courseSession(s: Session): Promise<CourseSession> {
    const [events, response, alarms, effects] = await Promise.all([this.d.sessions.events(s.id), this.response(s.id), this.d.alarms.forSession(s.id, 100_000), this.d.adverseEffects.list(s.id)]);
    return {
      sessionId: s.id,
      createdAt: s.createdAt,
      endedAt: s.endedAt,
      status: s.status,
      location: s.location,
      unit: s.unit,
      simulated: s.simulated,
      ...infusionCourse(events, s.endedAt ?? this.d.clock.now()),
      totalMg: s.infusion.cumulativeMg,
      mgPerKg: s.infusion.cumulativeMgPerKg,
      response,
      adverseEffects: effects.map((e) => ({ id: e.id, type: e.type, severity: e.severity, t: e.t })),
      alarmCount: alarms.length,
    };
  }

  /** Every session of the patient as course entries (all of them: the count of infusions is the patient's, whatever the unit). */
  private async allSessions(patientId: number): Promise<{ session: Session; course: CourseSession }[]> {
    const stored = await this.d.sessionRepo.forPatient(patientId);
    const out: { session: Session; course: CourseSession }[] = [];
    for (const st of stored) {
      const session = await this.d.sessions.get(st.id);
      out.push({ session, course: await this.courseSession(session) });
    }
    return out;
  }

  /**
   * The patient page: a page of the sessions the user may see (their units; trainers simulated ones),
   * newest first, keyset on (createdAt, id) after `after`; and the follow-ups. Only the page's sessions
   * are read in full (events, alarms, response), so a long course costs one page at a time.
   */
  async record(patient: Patient, user: UserScope, page: { limit: number; after?: SessionCursor | undefined } = { limit: 50 }): Promise<PatientRecord> {
    const stored = (await this.d.sessionRepo.forPatient(patient.id)).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const after = page.after;
    const older = after ? stored.filter((s) => s.createdAt < after.createdAt || (s.createdAt === after.createdAt && s.id < after.id)) : stored;
    const visible: Session[] = [];
    // One more than the page tells whether an older page exists.
    for (const st of older) {
      const session = await this.d.sessions.get(st.id);
      if (canSeeSession(user, session)) visible.push(session);
      if (visible.length > page.limit) break;
    }
    const shown = visible.slice(0, page.limit);
    const [sessions, followUps] = await Promise.all([Promise.all(shown.map((s) => this.courseSession(s))), this.d.patients.followUps(patient.id)]);
    const last = sessions.at(-1);
    return { patient, sessions, sessionsCursor: visible.length > page.limit && last ? sessionCursor(last) : null, followUps };
  }

  /** The notice at the start of a new session of the patient (`current`: that session, not counted as a past course). */
  async series(patientId: number, current: string | null): Promise<SeriesNotice> {
    const all = await this.allSessions(patientId);
    return seriesNotice(
      all.map((x) => x.course),
      current,
      this.d.clock.now(),
    );
  }

  /** The ids of the patient's sessions (a follow-up may name one of them). */
  async sessionIds(patientId: number): Promise<string[]> {
    return (await this.d.sessionRepo.forPatient(patientId)).map((s) => s.id);
  }
}
