import type { InfusionEvent, Session } from '@infusion/shared';
import type { Db } from './db';

export interface SessionRow {
  id: string;
  patient_label: string;
  weight_kg: number;
  age_years: number;
  setting: Session['setting'];
  indication: string;
  supervising_physician: string;
  nurse: string;
  location: string;
  unit: string;
  simulated: number;
  status: Session['status'];
  created_at: number;
  ended_at: number | null;
  rule_set_id: string;
  rule_set_version: number;
  patient_ref: string | null;
  profile: Session['profile'];
  baseline: string | null;
  limit_overrides: string | null;
  height_cm: number | null;
  sex: Session['sex'];
}
export type StoredSession = Omit<Session, 'infusion' | 'audioPausedUntil' | 'limitsChanged' | 'dosingWeight'>;

export const fromRow = (r: SessionRow): StoredSession => ({
  id: r.id,
  patientLabel: r.patient_label,
  weightKg: r.weight_kg,
  heightCm: r.height_cm,
  sex: r.sex,
  ageYears: r.age_years,
  setting: r.setting,
  indication: r.indication,
  supervisingPhysician: r.supervising_physician,
  nurse: r.nurse,
  location: r.location,
  unit: r.unit,
  simulated: r.simulated === 1,
  status: r.status,
  createdAt: r.created_at,
  endedAt: r.ended_at,
  ruleSetId: r.rule_set_id,
  ruleSetVersion: r.rule_set_version,
  patientRef: r.patient_ref,
  profile: r.profile,
  baseline: r.baseline ? (JSON.parse(r.baseline) as Session['baseline']) : null,
  limitOverrides: r.limit_overrides ? (JSON.parse(r.limit_overrides) as Session['limitOverrides']) : null,
});

export interface EventRow {
  id: number;
  session_id: string;
  type: InfusionEvent['type'];
  t: number;
  rate_mg_kg_h: number | null;
  dose_mg: number | null;
  note: string | null;
  by: string;
  override: string | null;
}
export const eventFromRow = (r: EventRow): InfusionEvent => ({
  id: r.id,
  sessionId: r.session_id,
  type: r.type,
  t: r.t,
  rateMgKgH: r.rate_mg_kg_h,
  doseMg: r.dose_mg,
  note: r.note,
  by: r.by,
  override: r.override ? (JSON.parse(r.override) as InfusionEvent['override']) : null,
});

/** Sessions and infusion events: low rate, written synchronously (each call is its own commit). */
export class SessionRepo {
  private readonly sInsert;
  private readonly sGet;
  private readonly sActive;
  private readonly sEnd;
  private readonly sEvInsert;
  private readonly sEvList;
  private readonly sBaseline;
  private readonly sOverrides;
  private readonly sTreatments;

  constructor(private readonly db: Db) {
    this.sInsert = db.prepare(`INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication,
      supervising_physician, nurse, location, unit, simulated, status, created_at, ended_at, rule_set_id, rule_set_version, patient_ref, profile, height_cm, sex)
      VALUES (@id, @patientLabel, @weightKg, @ageYears, @setting, @indication, @supervisingPhysician, @nurse, @location,
      @unit, @simulated, 'active', @createdAt, NULL, @ruleSetId, @ruleSetVersion, @patientRef, @profile, @heightCm, @sex)`);
    this.sBaseline = db.prepare('UPDATE sessions SET baseline = ? WHERE id = ?');
    this.sOverrides = db.prepare('UPDATE sessions SET limit_overrides = ? WHERE id = ?');
    this.sTreatments = db.prepare('SELECT COUNT(*) n FROM sessions WHERE patient_ref = ? AND created_at > ? AND simulated = ?');
    this.sGet = db.prepare('SELECT * FROM sessions WHERE id = ?');
    this.sActive = db.prepare("SELECT * FROM sessions WHERE status = 'active' ORDER BY created_at");
    this.sEnd = db.prepare("UPDATE sessions SET status = 'ended', ended_at = ? WHERE id = ? AND status = 'active'");
    this.sEvInsert = db.prepare(`INSERT INTO infusion_events (session_id, type, t, rate_mg_kg_h, dose_mg, note, by, simulated, override)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sEvList = db.prepare('SELECT * FROM infusion_events WHERE session_id = ? ORDER BY id');
  }

  insert(s: StoredSession): void {
    this.sInsert.run({ ...s, simulated: s.simulated ? 1 : 0 });
  }
  setBaseline(id: string, baseline: Session['baseline']): void {
    this.sBaseline.run(baseline ? JSON.stringify(baseline) : null, id);
  }
  setOverrides(id: string, o: Session['limitOverrides']): void {
    this.sOverrides.run(o ? JSON.stringify(o) : null, id);
  }
  /** Sessions of one patient since a time (simulated and real counted apart). */
  treatmentsSince(patientRef: string, since: number, simulated: boolean): number {
    return (this.sTreatments.get(patientRef, since, simulated ? 1 : 0) as { n: number }).n;
  }
  get(id: string): StoredSession | null {
    const r = this.sGet.get(id) as SessionRow | undefined;
    return r ? fromRow(r) : null;
  }
  listActive(): StoredSession[] {
    return (this.sActive.all() as SessionRow[]).map(fromRow);
  }
  end(id: string, t: number): boolean {
    return this.sEnd.run(t, id).changes === 1;
  }
  insertEvent(e: Omit<InfusionEvent, 'id'>, simulated: boolean): InfusionEvent {
    const info = this.sEvInsert.run(e.sessionId, e.type, e.t, e.rateMgKgH, e.doseMg, e.note, e.by, simulated ? 1 : 0, e.override ? JSON.stringify(e.override) : null);
    return { ...e, override: e.override ?? null, id: Number(info.lastInsertRowid) };
  }
  events(sessionId: string): InfusionEvent[] {
    return (this.sEvList.all(sessionId) as EventRow[]).map(eventFromRow);
  }
}
