import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../server/src/persistence/migrations';
import { migratePg, PG_MIGRATIONS } from '../../server/src/persistence/pgMigrations';
import { freshDatabase } from '../support/postgres';

/**
 * Migration 15 on a database that already holds sessions: each patientRef becomes one patient (year of
 * birth from the first session's age, its sessions linked, their weights in the history); sessions
 * without one stay without a patient. The same on SQLite and PostgreSQL.
 */
const T2025 = Date.UTC(2025, 5, 1);
const T2026 = Date.UTC(2026, 2, 1);
const SESSIONS: [string, string | null, number, number, number, string | null][] = [
  // id, patient_ref, created_at, age, weight, sex
  ['s1', 'MRN-1', T2025, 50, 70, 'female'],
  ['s2', 'MRN-1', T2026, 51, 68, 'female'],
  ['s3', 'MRN-2', T2026, 30, 90, null],
  ['s4', null, T2026, 40, 80, null],
];
const insert = (i: number) =>
  `INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication, supervising_physician, nurse, location, unit, simulated, status, created_at, ended_at, rule_set_id, rule_set_version, patient_ref, sex)
   VALUES ('${SESSIONS[i]![0]}', 'P${i}', ${SESSIONS[i]![4]}, ${SESSIONS[i]![3]}, 'clinic', 'x', 'Dr', 'RN', 'Chair ${i}', 'u', 0, 'ended', ${SESSIONS[i]![2]}, ${SESSIONS[i]![2] + 1}, 'default', 1, ${SESSIONS[i]![1] ? `'${SESSIONS[i]![1]}'` : 'NULL'}, ${SESSIONS[i]![5] ? `'${SESSIONS[i]![5]}'` : 'NULL'})`;

const expected = {
  patients: [
    { site_patient_id: 'MRN-1', year_of_birth: 1975, sex: 'female', simulated: 0, created_by: 'system:migration' },
    { site_patient_id: 'MRN-2', year_of_birth: 1996, sex: null, simulated: 0, created_by: 'system:migration' },
  ],
  links: [
    ['s1', 'MRN-1'],
    ['s2', 'MRN-1'],
    ['s3', 'MRN-2'],
    ['s4', null],
  ],
  weights: [
    ['MRN-1', 70],
    ['MRN-1', 68],
    ['MRN-2', 90],
  ],
};
const LINKS = 'SELECT s.id, p.site_patient_id FROM sessions s LEFT JOIN patients p ON p.id = s.patient_id ORDER BY s.id';
const WEIGHTS = 'SELECT p.site_patient_id, m.weight_kg FROM patient_measurements m JOIN patients p ON p.id = m.patient_id ORDER BY m.t, p.site_patient_id';
const PATIENTS = 'SELECT site_patient_id, year_of_birth, sex, simulated, created_by FROM patients ORDER BY site_patient_id';

describe('migration 15: patients from existing sessions', () => {
  it('on SQLite', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 15)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version VALUES (?, ?, 0)').run(m.version, m.name);
    }
    SESSIONS.forEach((_s, i) => db.exec(insert(i)));
    migrate(db, 1);
    expect(db.prepare(PATIENTS).all()).toEqual(expected.patients);
    expect((db.prepare(LINKS).all() as { id: string; site_patient_id: string | null }[]).map((r) => [r.id, r.site_patient_id])).toEqual(expected.links);
    expect((db.prepare(WEIGHTS).all() as { site_patient_id: string; weight_kg: number }[]).map((r) => [r.site_patient_id, r.weight_kg])).toEqual(expected.weights);
  });

  describe('on PostgreSQL', () => {
    let fresh: Awaited<ReturnType<typeof freshDatabase>> | null = null;
    let pool: pg.Pool | null = null;
    afterAll(async () => {
      await pool?.end();
      await fresh?.release();
    });
    it('gives the same patients', async () => {
      fresh = await freshDatabase();
      pool = new pg.Pool({ connectionString: fresh.url, max: 2 });
      await migratePg(pool, 0, PG_MIGRATIONS.filter((x) => x.version < 15));
      for (let i = 0; i < SESSIONS.length; i++) await pool.query(insert(i));
      await migratePg(pool, 1);
      expect((await pool.query(PATIENTS)).rows).toEqual(expected.patients);
      expect((await pool.query<{ id: string; site_patient_id: string | null }>(LINKS)).rows.map((r) => [r.id, r.site_patient_id])).toEqual(expected.links);
      expect((await pool.query<{ site_patient_id: string; weight_kg: number }>(WEIGHTS)).rows.map((r) => [r.site_patient_id, r.weight_kg])).toEqual(expected.weights);
    }, 60_000);
  });
});
