import type { FollowUp, Patient, PatientCursor, PatientMeasurement, Satisfaction, Sex } from '@infusion/shared';
import { sql } from 'kysely';
import type { Store, Tx } from '../persistence/store';

export interface NewPatient {
  sitePatientId: string;
  yearOfBirth: number | null;
  sex: Sex | null;
  allergies: string[];
  contraindications: string[];
  simulated: boolean;
  createdAt: number;
  createdBy: string;
}

type PatientRow = { id: number; site_patient_id: string; year_of_birth: number | null; sex: string | null; allergies: string; contraindications: string; simulated: number; created_at: number; created_by: string };

const list = (j: string): string[] => {
  try {
    const v = JSON.parse(j) as unknown;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

const toPatient = (r: PatientRow, measurements: PatientMeasurement[]): Patient => ({
  id: Number(r.id),
  sitePatientId: r.site_patient_id,
  yearOfBirth: r.year_of_birth,
  sex: r.sex === 'female' || r.sex === 'male' ? r.sex : null,
  allergies: list(r.allergies),
  contraindications: list(r.contraindications),
  simulated: r.simulated === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
  measurements,
});

type FollowUpRow = { id: number; patient_id: number; session_id: string | null; t: number; pain: number | null; satisfaction: string | null; opioid_mme_per_day: number | null; note: string | null; by: string; at: number };
const toFollowUp = (r: FollowUpRow): FollowUp => ({
  id: Number(r.id),
  patientId: Number(r.patient_id),
  sessionId: r.session_id,
  t: r.t,
  pain: r.pain,
  satisfaction: r.satisfaction as Satisfaction | null,
  opioidMmePerDay: r.opioid_mme_per_day,
  note: r.note,
  by: r.by,
  at: r.at,
});

/** Patients, their weight/height history and follow-ups: the same queries on both stores. */
export class PatientRepo {
  constructor(private readonly store: Store) {}

  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T> {
    return this.store.transaction(fn);
  }

  async insert(p: NewPatient, trx: Tx = this.store.db): Promise<number> {
    const { id } = await trx
      .insertInto('patients')
      .values({
        site_patient_id: p.sitePatientId,
        year_of_birth: p.yearOfBirth,
        sex: p.sex,
        allergies: JSON.stringify(p.allergies),
        contraindications: JSON.stringify(p.contraindications),
        simulated: p.simulated ? 1 : 0,
        created_at: p.createdAt,
        created_by: p.createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(id);
  }

  async addMeasurement(patientId: number, m: PatientMeasurement, trx: Tx = this.store.db): Promise<void> {
    await trx.insertInto('patient_measurements').values({ patient_id: patientId, t: m.t, weight_kg: m.weightKg, height_cm: m.heightCm, by: m.by }).execute();
  }

  async setOnFile(patientId: number, onFile: { allergies?: string[]; contraindications?: string[] }, trx: Tx = this.store.db): Promise<void> {
    const set: { allergies?: string; contraindications?: string } = {};
    if (onFile.allergies) set.allergies = JSON.stringify(onFile.allergies);
    if (onFile.contraindications) set.contraindications = JSON.stringify(onFile.contraindications);
    if (Object.keys(set).length) await trx.updateTable('patients').set(set).where('id', '=', patientId).execute();
  }

  private async measurements(ids: number[], trx: Tx = this.store.db): Promise<Map<number, PatientMeasurement[]>> {
    const out = new Map<number, PatientMeasurement[]>();
    if (!ids.length) return out;
    const rows = await trx.selectFrom('patient_measurements').selectAll().where('patient_id', 'in', ids).orderBy('t').orderBy('id').execute();
    for (const r of rows) {
      const k = Number(r.patient_id);
      const l = out.get(k) ?? [];
      l.push({ t: r.t, weightKg: r.weight_kg, heightCm: r.height_cm, by: r.by });
      out.set(k, l);
    }
    return out;
  }

  async get(id: number, trx: Tx = this.store.db): Promise<Patient | null> {
    const r = await trx.selectFrom('patients').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return null;
    return toPatient(r as PatientRow, (await this.measurements([id], trx)).get(id) ?? []);
  }

  async bySiteId(sitePatientId: string, trx: Tx = this.store.db): Promise<Patient | null> {
    const r = await trx.selectFrom('patients').select('id').where('site_patient_id', '=', sitePatientId).executeTakeFirst();
    return r ? this.get(Number(r.id), trx) : null;
  }

  /**
   * Patients whose site id starts with `q` (all when empty), newest first; `simulatedOnly` for trainers.
   * Keyset paging on (created_at, id), the list's own order: `after` is the previous page's last patient.
   */
  async search(q: string, limit: number, simulatedOnly: boolean, after?: PatientCursor): Promise<Patient[]> {
    let query = this.store.db.selectFrom('patients').selectAll();
    if (after) query = query.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)])]));
    // A prefix match, case-insensitive, with LIKE's wildcards escaped (ESCAPE reads the same on both stores).
    if (q) query = query.where(sql<boolean>`upper(site_patient_id) LIKE ${`${q.toUpperCase().replace(/[!%_]/g, (c) => `!${c}`)}%`} ESCAPE '!'`);
    if (simulatedOnly) query = query.where('simulated', '=', 1);
    const rows = (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute()) as PatientRow[];
    const ms = await this.measurements(rows.map((r) => Number(r.id)));
    return rows.map((r) => toPatient(r, ms.get(Number(r.id)) ?? []));
  }

  async insertFollowUp(f: Omit<FollowUp, 'id'>, trx: Tx = this.store.db): Promise<FollowUp> {
    const { id } = await trx
      .insertInto('patient_followups')
      .values({ patient_id: f.patientId, session_id: f.sessionId, t: f.t, pain: f.pain, satisfaction: f.satisfaction, opioid_mme_per_day: f.opioidMmePerDay, note: f.note, by: f.by, at: f.at })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ...f, id: Number(id) };
  }

  async followUps(patientId: number): Promise<FollowUp[]> {
    const rows = await this.store.db.selectFrom('patient_followups').selectAll().where('patient_id', '=', patientId).orderBy('t').orderBy('id').execute();
    return rows.map((r) => toFollowUp(r as FollowUpRow));
  }
}
