import { VITAL_FIELDS, type InfusionEvent, type Observation, type VitalsSample } from '@infusion/shared';
import { eventFromRow, fromRow, SessionRepo, type EventRow, type SessionRow, type StoredSession } from './sessionRepo';
import type { Store } from './store';

/** Everything one logged session holds that its rules read, for replay: read only, never written. */
export interface Recording {
  session: StoredSession;
  /** The stored rule-set version the session ran under (JSON), or null if it was never stored. */
  ruleSetBody: string | null;
  /** The site formulary in force now (JSON of the latest version), or null for the shipped one. */
  formularyBody: string | null;
  /** Event-time order. */
  vitals: VitalsSample[];
  /** Stored order. */
  infusionEvents: InfusionEvent[];
  /** Event-time order. */
  observations: Observation[];
  rescueDoses: { drugId: string; t: number }[];
  /**
   * Treatments of the same patient in the year before, as the live rules count them: infusions given
   * (started) plus this one for a session with a patient record; sessions of the same patientRef for a
   * session stored before patient records (null without either).
   */
  treatmentsInYear: number | null;
}

export interface RecordingRepo {
  load(sessionId: string, yearMs: number): Promise<Recording | null>;
}

export function recordingRepo(store: Store): RecordingRepo {
  const { db } = store;
  return {
    async load(sessionId, yearMs) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
      if (!row) return null;
      // The schema types text columns as string; these hold the values the session schema allows.
      const session = fromRow(row as SessionRow);
      const ruleSet = await db
        .selectFrom('rule_set_versions')
        .select('body')
        .where('rule_set_id', '=', session.ruleSetId)
        .where('version', '=', session.ruleSetVersion)
        .executeTakeFirst();
      const formulary = await db.selectFrom('formulary_versions').select('body').orderBy('version', 'desc').limit(1).executeTakeFirst();
      const vitals = (await db.selectFrom('vitals').select(['t', ...VITAL_FIELDS]).where('session_id', '=', sessionId).orderBy('t').execute()).map((r) => {
        const s: VitalsSample = { t: r.t };
        for (const f of VITAL_FIELDS) if (r[f] !== null) s[f] = r[f];
        return s;
      });
      const events = (await db.selectFrom('infusion_events').selectAll().where('session_id', '=', sessionId).orderBy('id').execute()).map((r) => eventFromRow(r as EventRow));
      const observations = (
        await db.selectFrom('observations').select(['id', 'session_id', 'scale', 'score', 't', 'note', 'by']).where('session_id', '=', sessionId).orderBy('t').orderBy('id').execute()
      ).map((r) => ({ id: r.id, sessionId: r.session_id, scale: r.scale as Observation['scale'], score: r.score, t: r.t, note: r.note, by: r.by }));
      const rescueDoses = (await db.selectFrom('rescue_doses').select(['drug_id', 't']).where('session_id', '=', sessionId).orderBy('t').orderBy('id').execute()).map((r) => ({
        drugId: r.drug_id,
        t: r.t,
      }));
      let treatmentsInYear: number | null = null;
      if (session.patientId !== null) treatmentsInYear = (await new SessionRepo(store).infusionsGivenSince(session.patientId, session.createdAt - yearMs, session.id)) + 1;
      else if (session.patientRef) {
        const { n } = await db
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('patient_ref', '=', session.patientRef)
          .where('created_at', '>', session.createdAt - yearMs)
          .where('simulated', '=', session.simulated ? 1 : 0)
          .executeTakeFirstOrThrow();
        // PostgreSQL counts in bigint, which its driver hands over as text.
        treatmentsInYear = Number(n);
      }
      return { session, ruleSetBody: ruleSet?.body ?? null, formularyBody: formulary?.body ?? null, vitals, infusionEvents: events, observations, rescueDoses, treatmentsInYear };
    },
  };
}
