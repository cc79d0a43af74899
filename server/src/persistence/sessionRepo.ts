import type { InfusionEvent, PhaseChange, Session, SessionPhase } from '@infusion/shared';
import { bySession, readInChunks } from './idChunks';
import type { Store, Tx } from './store';
import { sql } from 'kysely';

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
  phase: string;
  phase_at: number;
  patient_id: number | null;
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
  phase: r.phase as SessionPhase,
  phaseSince: Number(r.phase_at),
  createdAt: r.created_at,
  endedAt: r.ended_at,
  ruleSetId: r.rule_set_id,
  ruleSetVersion: r.rule_set_version,
  patientRef: r.patient_ref,
  patientId: r.patient_id === null ? null : Number(r.patient_id),
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

/**
 * Sessions and infusion events: low rate, async, the same queries on both stores. Each call is its
 * own commit unless given a transaction (`trx`), so writes that belong together commit together.
 */
export class SessionRepo {
  constructor(private readonly store: Store) {}

  /** Runs `fn` in one transaction of this store (e.g. a first start's baseline with its start event). */
  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(fn);
  }

  /** A new session, in its first phase (recorded as entered by `by`), in the caller's transaction where given. */
  async insert(s: StoredSession, by: string, trx: Tx = this.store.db): Promise<void> {
    await trx
      .insertInto('sessions')
      .values({
        id: s.id,
        patient_label: s.patientLabel,
        weight_kg: s.weightKg,
        age_years: s.ageYears,
        setting: s.setting,
        indication: s.indication,
        supervising_physician: s.supervisingPhysician,
        nurse: s.nurse,
        location: s.location,
        unit: s.unit,
        simulated: s.simulated ? 1 : 0,
        status: 'active',
        created_at: s.createdAt,
        ended_at: null,
        rule_set_id: s.ruleSetId,
        rule_set_version: s.ruleSetVersion,
        patient_ref: s.patientRef,
        patient_id: s.patientId,
        profile: s.profile,
        height_cm: s.heightCm,
        sex: s.sex,
        phase: s.phase,
        phase_at: s.phaseSince,
      })
      .execute();
    await this.insertPhase({ sessionId: s.id, phase: s.phase, at: s.phaseSince, by, reason: null }, s.simulated, trx);
  }

  /** Moves a session to a phase and records the step (in the caller's transaction, with its audit entry). */
  async setPhase(c: PhaseChange, simulated: boolean, trx: Tx = this.store.db): Promise<void> {
    await trx.updateTable('sessions').set({ phase: c.phase, phase_at: c.at }).where('id', '=', c.sessionId).execute();
    await this.insertPhase(c, simulated, trx);
  }

  private async insertPhase(c: PhaseChange, simulated: boolean, trx: Tx = this.store.db): Promise<void> {
    await trx.insertInto('session_phases').values({ session_id: c.sessionId, phase: c.phase, at: c.at, by: c.by, reason: c.reason, simulated: simulated ? 1 : 0 }).execute();
  }

  /** The phases a session went through, oldest first. */
  async phases(sessionId: string): Promise<PhaseChange[]> {
    const rows = await this.store.db.selectFrom('session_phases').selectAll().where('session_id', '=', sessionId).orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ sessionId: r.session_id, phase: r.phase as SessionPhase, at: Number(r.at), by: r.by, reason: r.reason }));
  }

  async setBaseline(id: string, baseline: Session['baseline'], trx: Tx = this.store.db): Promise<void> {
    await trx.updateTable('sessions').set({ baseline: baseline ? JSON.stringify(baseline) : null }).where('id', '=', id).execute();
  }

  async setOverrides(id: string, o: Session['limitOverrides']): Promise<void> {
    await this.store.db.updateTable('sessions').set({ limit_overrides: o ? JSON.stringify(o) : null }).where('id', '=', id).execute();
  }

  /** Sessions of one patient since a time (simulated and real counted apart). */
  async treatmentsSince(patientRef: string, since: number, simulated: boolean): Promise<number> {
    const r = await this.store.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('patient_ref', '=', patientRef)
      .where('created_at', '>', since)
      .where('simulated', '=', simulated ? 1 : 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Infusions given to a patient since a time: sessions whose infusion started (a start event) after
   * `since`, other than `except`. Sessions opened but never started are not treatments (Q8 counts treatments).
   */
  async infusionsGivenSince(patientId: number, since: number, except: string): Promise<number> {
    const r = await this.store.db
      .selectFrom('sessions as s')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('s.patient_id', '=', patientId)
      .where('s.id', '!=', except)
      .where((eb) => eb.exists(eb.selectFrom('infusion_events as e').select('e.id').whereRef('e.session_id', '=', 's.id').where('e.type', '=', 'start').where('e.t', '>', since)))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The sessions of a patient, oldest first. */
  async forPatient(patientId: number): Promise<StoredSession[]> {
    const rows = await this.store.db.selectFrom('sessions').selectAll().where('patient_id', '=', patientId).orderBy('created_at').execute();
    return rows.map((r) => fromRow(r as SessionRow));
  }

  async get(id: string): Promise<StoredSession | null> {
    const r = await this.store.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? fromRow(r as SessionRow) : null;
  }

  /** Many sessions at once (a takeover), a statement per 500 ids; ids not stored are absent. */
  async getMany(ids: readonly string[]): Promise<Map<string, StoredSession>> {
    const rows = await readInChunks(ids, (chunk) => this.store.db.selectFrom('sessions').selectAll().where('id', 'in', chunk).execute());
    return new Map(rows.map((r) => [r.id, fromRow(r as SessionRow)]));
  }

  /** The infusion events of many sessions (a takeover), each session's in id order; every id has an entry. */
  async eventsOf(ids: readonly string[]): Promise<Map<string, InfusionEvent[]>> {
    const rows = await readInChunks(ids, (chunk) => this.store.db.selectFrom('infusion_events').selectAll().where('session_id', 'in', chunk).orderBy('session_id').orderBy('id').execute());
    return bySession(ids, rows.map((r) => eventFromRow(r as EventRow)), (e) => e.sessionId);
  }

  /**
   * `infusionsGivenSince(patientId, createdAt - window, id)` for many sessions in one statement per 500
   * (a takeover): per session, the other sessions of its patient whose infusion started after
   * `windowMs` before it opened. Sessions without a patient, or none given, are 0.
   */
  async infusionsGivenBefore(sessions: readonly Pick<StoredSession, 'id' | 'patientId' | 'createdAt'>[], windowMs: number): Promise<Map<string, number>> {
    const out = new Map<string, number>(sessions.map((s) => [s.id, 0]));
    const withPatient = sessions.filter((s) => s.patientId !== null).map((s) => s.id);
    const rows = await readInChunks(withPatient, (chunk) =>
      this.store.db
        .selectFrom('sessions as s')
        .innerJoin('sessions as o', (j) => j.onRef('o.patient_id', '=', 's.patient_id').onRef('o.id', '!=', 's.id'))
        .select(['s.id as id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('s.id', 'in', chunk)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('infusion_events as e')
              .select('e.id')
              .whereRef('e.session_id', '=', 'o.id')
              .where('e.type', '=', 'start')
              .where(sql<boolean>`e.t > s.created_at - ${windowMs}`),
          ),
        )
        .groupBy('s.id')
        .execute(),
    );
    for (const r of rows) out.set(r.id, Number(r.n));
    return out;
  }

  async listActive(): Promise<StoredSession[]> {
    const rows = await this.store.db.selectFrom('sessions').selectAll().where('status', '=', 'active').orderBy('created_at').execute();
    return rows.map((r) => fromRow(r as SessionRow));
  }

  /** Ends an active session; false when it was not active (already ended, or unknown). */
  async end(id: string, t: number, trx: Tx = this.store.db): Promise<boolean> {
    const r = await trx.updateTable('sessions').set({ status: 'ended', ended_at: t }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertEvent(e: Omit<InfusionEvent, 'id'>, simulated: boolean, trx: Tx = this.store.db): Promise<InfusionEvent> {
    const { id } = await trx
      .insertInto('infusion_events')
      .values({
        session_id: e.sessionId,
        type: e.type,
        t: e.t,
        rate_mg_kg_h: e.rateMgKgH,
        dose_mg: e.doseMg,
        note: e.note,
        by: e.by,
        simulated: simulated ? 1 : 0,
        override: e.override ? JSON.stringify(e.override) : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...e, override: e.override ?? null, id };
  }

  async events(sessionId: string): Promise<InfusionEvent[]> {
    const rows = await this.store.db.selectFrom('infusion_events').selectAll().where('session_id', '=', sessionId).orderBy('id').execute();
    return rows.map((r) => eventFromRow(r as EventRow));
  }
}
