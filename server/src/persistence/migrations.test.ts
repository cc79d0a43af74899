import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS } from './migrations';

describe('migration 6 (device kinds, assignments, per-device vitals seqs)', () => {
  it('keeps every stored frame (device 0: unknown), turns a binding to an active session into an assignment, and makes devices real', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 5)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const session = (id: string, status: string) =>
      db.prepare(`INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication, supervising_physician, nurse, location, unit, simulated, status, created_at, rule_set_id, rule_set_version)
        VALUES (?, 'p', 70, 40, 'clinic', 'x', 'd', 'n', 'c', 'u', 0, ?, 1, 'default', 1)`).run(id, status);
    session('s_a', 'active');
    session('s_b', 'ended');
    db.prepare("INSERT INTO devices (id, name, key_hash, created_at, created_by, hl7_id, bound_session_id) VALUES (1, 'm', 'h', 5, 'a', 'EQ1', 's_a'), (2, 'n', 'h', 5, 'a', 'EQ2', 's_b')").run();
    db.prepare("INSERT INTO vitals (session_id, seq, t, hr, received_at, simulated) VALUES ('s_a', 1, 1000, 72, 1000, 0), ('s_a', 2, 2000, 73, 2000, 0)").run();

    expect(migrate(db, 10)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT session_id, device_id, seq, t, hr FROM vitals ORDER BY seq').all()).toEqual([
      { session_id: 's_a', device_id: 0, seq: 1, t: 1000, hr: 72 },
      { session_id: 's_a', device_id: 0, seq: 2, t: 2000, hr: 73 },
    ]);
    expect(db.prepare('SELECT device_id, session_id, bed, ended_at FROM device_assignments').all()).toEqual([{ device_id: 1, session_id: 's_a', bed: null, ended_at: null }]);
    expect(db.prepare('SELECT id, simulator FROM devices ORDER BY id').all()).toEqual([
      { id: 1, simulator: 0 },
      { id: 2, simulator: 0 },
    ]);
    // Two devices may now store the same seq in one session.
    db.prepare("INSERT INTO vitals (session_id, device_id, seq, t, received_at, simulated) VALUES ('s_a', 1, 1, 1000, 1000, 0)").run();
    expect(() => db.prepare("INSERT INTO vitals (session_id, device_id, seq, t, received_at, simulated) VALUES ('s_a', 1, 1, 1000, 1000, 0)").run()).toThrow(/UNIQUE/);
    db.close();
  });
});

describe('migration 7 (session height and sex)', () => {
  it('keeps sessions stored before it, with no height or sex (their dosing weight is the actual weight)', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version <= 7)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version VALUES (?, ?, 0)').run(m.version, m.name);
    }
    db.prepare(`INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication, supervising_physician, nurse, location, unit, simulated, status, created_at, rule_set_id, rule_set_version)
      VALUES ('s_a', 'p', 70, 40, 'clinic', 'x', 'd', 'n', 'c', 'u', 0, 'active', 1, 'default', 3)`).run();
    expect(migrate(db, 10)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT weight_kg, height_cm, sex FROM sessions').all()).toEqual([{ weight_kg: 70, height_cm: null, sex: null }]);
  });
});

describe('migration 14 (session phases and discharges)', () => {
  it('gives sessions stored before it the phase their infusion events imply; ended ones are ended early', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 14)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const session = (id: string, status: string, ended: number | null) =>
      db.prepare(`INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication, supervising_physician, nurse, location, unit, simulated, status, created_at, ended_at, rule_set_id, rule_set_version)
        VALUES (?, 'p', 70, 40, 'clinic', 'x', 'd', 'n', ?, 'u', 0, ?, 100, ?, 'default', 4)`).run(id, `c-${id}`, status, ended);
    const event = (sessionId: string, type: string, t: number) => db.prepare("INSERT INTO infusion_events (session_id, type, t, by, simulated) VALUES (?, ?, ?, 'n', 0)").run(sessionId, type, t);
    session('s_new', 'active', null);
    session('s_running', 'active', null);
    event('s_running', 'start', 200);
    session('s_stopped', 'active', null);
    event('s_stopped', 'start', 200);
    event('s_stopped', 'stop', 300);
    session('s_restarted', 'active', null);
    event('s_restarted', 'start', 200);
    event('s_restarted', 'stop', 300);
    event('s_restarted', 'start', 400);
    session('s_done', 'ended', 500);
    expect(migrate(db, 10)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT id, phase, phase_at FROM sessions ORDER BY id').all()).toEqual([
      { id: 's_done', phase: 'ended_early', phase_at: 500 },
      { id: 's_new', phase: 'pre_infusion', phase_at: 100 },
      { id: 's_restarted', phase: 'infusion', phase_at: 400 },
      { id: 's_running', phase: 'infusion', phase_at: 200 },
      { id: 's_stopped', phase: 'recovery', phase_at: 300 },
    ]);
    expect(db.prepare('SELECT COUNT(*) n FROM session_phases').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 20 (training runs carry their scenario title)', () => {
  it('gives runs stored before it the title of the scenario document they were created with', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((x) => x.version < 20)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const run = (id: string, doc: string | null) =>
      db.prepare(`INSERT INTO training_runs (id, unit, trainer, trainee, scenario, seed, session_id, device_id, weight_kg, state, speed, clock_scenario_ms, clock_wall_at, created_at, updated_at, scenario_doc)
        VALUES (?, 'training', 'coach', 'kim', 'desaturation', 1, ?, 1, 70, 'ended', 1, 0, 0, 0, 0, ?)`).run(id, `s-${id}`, doc);
    run('with-doc', JSON.stringify({ name: 'desaturation', title: 'Desaturation after midazolam' }));
    run('without-doc', null);
    expect(migrate(db, 10)).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.prepare('SELECT id, scenario_title FROM training_runs ORDER BY id').all()).toEqual([
      { id: 'with-doc', scenario_title: 'Desaturation after midazolam' },
      { id: 'without-doc', scenario_title: null },
    ]);
    db.close();
  });
});
