import type { AdverseEffect, Alarm, ChecklistRecord, DischargeRecord, Escalation, FollowUp, InfusionEvent, Observation, Order, Patient, PhaseChange, PhysicianResponse, RescueDose, ResponseAssessment, ResponseRecord, Session, TrendPoint } from '@infusion/shared';
import { personName } from '@infusion/shared';

/**
 * Everything a session's record holds, as plain data: the PDF, CSV and FHIR builders take this and
 * nothing else, so they are pure and testable without a server. Later parts of the record (phases,
 * discharge, adverse effects, response) are added here as fields and each builder renders them.
 */
export interface SessionRecord {
  session: Session;
  /** The physician's orders, oldest version first. */
  orders: Order[];
  checklist: ChecklistRecord | null;
  infusionEvents: InfusionEvent[];
  /** The whole session's trend, downsampled with min and max per bucket (charts and FHIR; the CSV reads every frame). */
  trend: TrendPoint[];
  /** How the trend was made: null = its points are the stored readings, else each point is the mean of one bucket of this width starting at `trendFrom`. */
  trendBucketMs: number | null;
  trendFrom: number;
  observations: Observation[];
  alarms: Alarm[];
  escalations: Escalation[];
  responses: PhysicianResponse[];
  rescueDoses: RescueDose[];
  /** The phases the session went through (pre-infusion, infusion, recovery, discharged, …), oldest first. */
  phases?: PhaseChange[];
  /** The discharge: criteria as assessed, score, who, and a physician's override. */
  discharge?: DischargeRecord | null;
  /** The patient (pseudonymous) the session belongs to; absent for sessions stored without one. */
  patient?: Patient | null;
  /** Adverse effects documented, in time order. */
  adverseEffects?: AdverseEffect[];
  /** The response: pain before and after, with what was recorded besides (Q8). */
  response?: { assessment: ResponseAssessment; record: ResponseRecord | null } | null;
  /** The patient's follow-ups that name this session. */
  followUps?: FollowUp[];
  /** Login name → display name, so the record names clinicians, not internal ids. */
  displayNames: Readonly<Record<string, string>>;
  /** When the record was produced (server time) and by whom (an actor id). */
  exportedAt: number;
  exportedBy: string;
}

export const SIMULATED_MARK = 'SIMULATED — not a patient record';

/** A person as the record names them (display name, else login name; never `user:…`). */
export const who = (r: Pick<SessionRecord, 'displayNames'>, actor: string | null | undefined): string => (actor ? personName(actor, r.displayNames) : '—');

/** ISO 8601 in UTC, to the second: the record's one time format, unambiguous across sites. */
export const isoTime = (t: number | null | undefined): string => (t === null || t === undefined ? '' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Ketamine given: the infusion's cumulative total (it includes boluses) in mg and mg/kg. */
export function totalDose(r: SessionRecord): { mg: number; mgPerKg: number } {
  return { mg: r.session.infusion.cumulativeMg, mgPerKg: r.session.infusion.cumulativeMgPerKg };
}

/** `chair-3_SIM-1_2026-12-01_SIMULATED.pdf`: chair and label, session date, simulated marked; safe in any file system. */
export function exportFileName(s: Pick<Session, 'location' | 'patientLabel' | 'createdAt' | 'simulated'>, ext: string): string {
  const safe = (x: string) => x.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'session';
  const date = new Date(s.createdAt).toISOString().slice(0, 10);
  return `${safe(s.location)}_${safe(s.patientLabel)}_${date}${s.simulated ? '_SIMULATED' : ''}.${ext}`;
}
