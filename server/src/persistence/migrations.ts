import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Numbered, append-only. A released migration is never edited: add the next one, here and in
 * `PG_MIGRATIONS` (pgMigrations.ts), whose test compares the two schemas.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'sessions, infusion events, vitals, alarms, alarm events, audit log',
    sql: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        patient_label TEXT NOT NULL,
        weight_kg REAL NOT NULL,
        age_years INTEGER NOT NULL,
        setting TEXT NOT NULL,
        indication TEXT NOT NULL,
        supervising_physician TEXT NOT NULL,
        nurse TEXT NOT NULL,
        location TEXT NOT NULL,
        unit TEXT NOT NULL,
        simulated INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active','ended')),
        created_at INTEGER NOT NULL,
        ended_at INTEGER,
        rule_set_id TEXT NOT NULL,
        rule_set_version INTEGER NOT NULL
      );
      CREATE INDEX sessions_active ON sessions(status) WHERE status = 'active';

      CREATE TABLE infusion_events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        type TEXT NOT NULL,
        t INTEGER NOT NULL,
        rate_mg_kg_h REAL,
        dose_mg REAL,
        note TEXT,
        by TEXT NOT NULL,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX infusion_events_session ON infusion_events(session_id, id);

      CREATE TABLE vitals (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        t INTEGER NOT NULL,
        hr REAL, sbp REAL, dbp REAL, map REAL, spo2 REAL, etco2 REAL, rr REAL,
        received_at INTEGER NOT NULL,
        simulated INTEGER NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX vitals_session_t ON vitals(session_id, t);

      CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        rule_set_version INTEGER NOT NULL,
        priority TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        condition_active INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        resolved_at INTEGER,
        simulated INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX alarms_unresolved ON alarms(state) WHERE state <> 'resolved';
      CREATE INDEX alarms_session ON alarms(session_id, id);

      CREATE TABLE alarm_events (
        id INTEGER PRIMARY KEY,
        alarm_id INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        transition TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT,
        simulated INTEGER NOT NULL,
        alarm TEXT NOT NULL
      );

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT,
        before TEXT,
        after TEXT,
        request_id TEXT
      );
      -- Append-only: the database itself refuses edits and deletes of audit rows.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'users, login sessions, device keys',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('nurse','physician','trainer','admin')),
        units TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      );
      -- Only a hash of the session token is stored: a copy of the database does not log anyone in.
      CREATE TABLE auth_sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX auth_sessions_user ON auth_sessions(user_id);
      CREATE TABLE devices (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at INTEGER,
        last_seen_at INTEGER
      );
    `,
  },
  {
    version: 3,
    name: 'device HL7 equipment ids and session bindings',
    sql: `
      ALTER TABLE devices ADD COLUMN hl7_id TEXT;
      ALTER TABLE devices ADD COLUMN bound_session_id TEXT REFERENCES sessions(id);
      CREATE UNIQUE INDEX devices_hl7_id ON devices(hl7_id) WHERE hl7_id IS NOT NULL;
    `,
  },
  {
    version: 4,
    name: 'escalations and the notification outbox',
    sql: `
      CREATE TABLE escalations (
        id INTEGER PRIMARY KEY,
        alarm_id INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        unit TEXT NOT NULL,
        state TEXT NOT NULL,
        level INTEGER NOT NULL,
        opened_at INTEGER NOT NULL,
        next_level_at INTEGER,
        simulated INTEGER NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX escalations_open ON escalations(state) WHERE state = 'open';
      CREATE INDEX escalations_alarm ON escalations(alarm_id);
      -- Every step of every escalation, with its time: the outbox a sender works from, kept as the log.
      CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        escalation_id INTEGER NOT NULL REFERENCES escalations(id),
        level INTEGER NOT NULL,
        channel TEXT NOT NULL,
        target TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX notifications_due ON notifications(next_attempt_at) WHERE status = 'pending';
    `,
  },
  {
    version: 5,
    name: 'observations, checklists, rescue doses, formulary and rule-set versions, session baseline and limits',
    sql: `
      CREATE TABLE observations (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        scale TEXT NOT NULL,
        score INTEGER NOT NULL,
        t INTEGER NOT NULL,
        note TEXT,
        by TEXT NOT NULL,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX observations_session ON observations(session_id, t);
      CREATE TABLE checklists (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        body TEXT NOT NULL,
        passed INTEGER NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        override TEXT
      );
      CREATE TABLE rescue_doses (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        alarm_id INTEGER,
        drug_id TEXT NOT NULL,
        drug TEXT NOT NULL,
        dose_mg REAL NOT NULL,
        route TEXT NOT NULL,
        t INTEGER NOT NULL,
        note TEXT,
        by TEXT NOT NULL,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX rescue_doses_session ON rescue_doses(session_id);
      CREATE TABLE formulary_versions (version INTEGER PRIMARY KEY, body TEXT NOT NULL, created_at INTEGER NOT NULL, created_by TEXT NOT NULL);
      CREATE TABLE rule_set_versions (
        rule_set_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (rule_set_id, version)
      );
      ALTER TABLE sessions ADD COLUMN patient_ref TEXT;
      ALTER TABLE sessions ADD COLUMN profile TEXT NOT NULL DEFAULT 'standard';
      ALTER TABLE sessions ADD COLUMN baseline TEXT;
      ALTER TABLE sessions ADD COLUMN limit_overrides TEXT;
      CREATE INDEX sessions_patient_ref ON sessions(patient_ref, created_at) WHERE patient_ref IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'device kinds, device-session assignments, per-device vitals seqs, HL7 message log',
    sql: `
      -- Real monitors and simulators are told apart when an admin registers them.
      ALTER TABLE devices ADD COLUMN simulator INTEGER NOT NULL DEFAULT 0;
      -- Which device may feed which session (and, for a gateway, which bed): the one binding concept.
      CREATE TABLE device_assignments (
        id INTEGER PRIMARY KEY,
        device_id INTEGER NOT NULL REFERENCES devices(id),
        session_id TEXT NOT NULL REFERENCES sessions(id),
        bed TEXT,
        assigned_at INTEGER NOT NULL,
        assigned_by TEXT NOT NULL,
        ended_at INTEGER,
        ended_by TEXT
      );
      CREATE INDEX device_assignments_open ON device_assignments(device_id) WHERE ended_at IS NULL;
      INSERT INTO device_assignments (device_id, session_id, assigned_at, assigned_by)
        SELECT d.id, d.bound_session_id, d.created_at, 'system:migration' FROM devices d
        JOIN sessions s ON s.id = d.bound_session_id WHERE s.status = 'active' AND d.revoked_at IS NULL;
      -- Several devices may feed one session: a seq is unique per (session, device). Rows stored
      -- before this version have no known device and keep device_id 0.
      CREATE TABLE vitals_v6 (
        session_id TEXT NOT NULL,
        device_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        t INTEGER NOT NULL,
        hr REAL, sbp REAL, dbp REAL, map REAL, spo2 REAL, etco2 REAL, rr REAL,
        received_at INTEGER NOT NULL,
        simulated INTEGER NOT NULL,
        PRIMARY KEY (session_id, device_id, seq)
      ) WITHOUT ROWID;
      INSERT INTO vitals_v6 (session_id, device_id, seq, t, hr, sbp, dbp, map, spo2, etco2, rr, received_at, simulated)
        SELECT session_id, 0, seq, t, hr, sbp, dbp, map, spo2, etco2, rr, received_at, simulated FROM vitals;
      DROP TABLE vitals;
      ALTER TABLE vitals_v6 RENAME TO vitals;
      CREATE INDEX vitals_session_t ON vitals(session_id, t);
      -- HL7 messages by equipment and control id (MSH-10): a resend gets the same answer, stored once.
      CREATE TABLE hl7_messages (
        device_id INTEGER NOT NULL,
        control_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        session_id TEXT,
        ack_code TEXT NOT NULL,
        ack_text TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, control_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'physician orders, soft-limit overrides on doses, guardrail events',
    sql: `
      CREATE TABLE orders (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        version INTEGER NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        PRIMARY KEY (session_id, version)
      );
      ALTER TABLE infusion_events ADD COLUMN override TEXT;
      ALTER TABLE rescue_doses ADD COLUMN override TEXT;
      ALTER TABLE rescue_doses ADD COLUMN dose_note TEXT;
      -- One row per limit crossed by a dosing action: alerted (soft, not confirmed), overridden, refused.
      CREATE TABLE guardrail_events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        unit TEXT NOT NULL,
        simulated INTEGER NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        limit_id TEXT NOT NULL,
        label TEXT NOT NULL,
        level TEXT NOT NULL,
        value REAL NOT NULL,
        lim REAL NOT NULL,
        unit_of_measure TEXT NOT NULL,
        reason TEXT
      );
      CREATE INDEX guardrail_events_unit ON guardrail_events(unit, at);
    `,
  },
  {
    version: 8,
    name: 'session height and sex (ideal and adjusted dosing weight)',
    sql: `
      ALTER TABLE sessions ADD COLUMN height_cm REAL;
      ALTER TABLE sessions ADD COLUMN sex TEXT;
    `,
  },
  {
    version: 9,
    name: 'physician responses to escalations (advice documented for the bedside)',
    sql: `
      CREATE TABLE physician_responses (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        escalation_id INTEGER,
        text TEXT NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        by_name TEXT NOT NULL,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX physician_responses_session ON physician_responses(session_id, at);
    `,
  },
  {
    version: 10,
    name: 'outbox claims (one node sends each notification)',
    sql: `
      -- A sender claims due rows in one UPDATE before sending; a claim that outlives its node lapses.
      ALTER TABLE notifications ADD COLUMN claimed_by TEXT;
      ALTER TABLE notifications ADD COLUMN claimed_until INTEGER;
    `,
  },
  {
    version: 11,
    name: 'session leases (one node evaluates a session\'s rules at a time)',
    sql: `
      CREATE TABLE session_leases (
        session_id TEXT PRIMARY KEY,
        node_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 12,
    name: 'id counters (alarm ids unique across nodes); rule engine state with the session lease',
    sql: `
      -- The holder's rule engine state (shared/src/rules/stored.ts), written with each renewal: a node
      -- taking the session over resumes each rule in its phase (a pending delay keeps its start).
      ALTER TABLE session_leases ADD COLUMN engine_state TEXT;
      -- The last id handed out per table, for ids needed before their row is written.
      CREATE TABLE id_counters (
        name TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL
      );
    `,
  },
  {
    version: 13,
    name: 'one escalation per alarm and level (a cluster pages an alarm once per level)',
    sql: `
      -- Two nodes may both decide to escalate one alarm (a lease handed over, an event missed): the
      -- second insert of the same step is refused here and taken as "already paged". Duplicates stored
      -- before this index keep the first escalation of their alarm and level; their outbox rows move to it.
      UPDATE notifications SET escalation_id = (
        SELECT MIN(k.id) FROM escalations k JOIN escalations d ON d.alarm_id = k.alarm_id AND d.level = k.level WHERE d.id = notifications.escalation_id
      ) WHERE escalation_id IN (SELECT e.id FROM escalations e WHERE EXISTS (SELECT 1 FROM escalations f WHERE f.alarm_id = e.alarm_id AND f.level = e.level AND f.id < e.id));
      DELETE FROM escalations WHERE EXISTS (SELECT 1 FROM escalations f WHERE f.alarm_id = escalations.alarm_id AND f.level = escalations.level AND f.id < escalations.id);
      CREATE UNIQUE INDEX escalations_alarm_level ON escalations(alarm_id, level);
    `,
  },
  {
    version: 14,
    name: 'session phases (pre-infusion, infusion, recovery, discharged, transferred, ended early) and discharge records',
    sql: `
      -- The course of care as explicit state. Sessions stored before it get the phase their infusion
      -- events imply; ended ones are marked ended early (they ended before discharge was recorded).
      ALTER TABLE sessions ADD COLUMN phase TEXT NOT NULL DEFAULT 'pre_infusion';
      ALTER TABLE sessions ADD COLUMN phase_at INTEGER NOT NULL DEFAULT 0;
      UPDATE sessions SET phase = CASE
        WHEN status = 'ended' THEN 'ended_early'
        WHEN (SELECT type FROM infusion_events e WHERE e.session_id = sessions.id AND e.type IN ('start', 'stop') ORDER BY e.id DESC LIMIT 1) = 'stop' THEN 'recovery'
        WHEN EXISTS (SELECT 1 FROM infusion_events e WHERE e.session_id = sessions.id AND e.type = 'start') THEN 'infusion'
        ELSE 'pre_infusion' END;
      -- Since when: the end, the last stop (recovery), the last start (infusion), else the creation.
      UPDATE sessions SET phase_at = COALESCE(CASE phase
        WHEN 'ended_early' THEN ended_at
        WHEN 'recovery' THEN (SELECT MAX(t) FROM infusion_events e WHERE e.session_id = sessions.id AND e.type = 'stop')
        WHEN 'infusion' THEN (SELECT MAX(t) FROM infusion_events e WHERE e.session_id = sessions.id AND e.type = 'start')
        END, created_at);
      -- Each phase entered: when, by whom, and the reason where one is required (ended early, transferred, override).
      CREATE TABLE session_phases (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        phase TEXT NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        reason TEXT,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX session_phases_session ON session_phases(session_id, at);
      -- The discharge: the criteria as assessed (JSON), and a physician's override when they were not met.
      CREATE TABLE discharges (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        body TEXT NOT NULL,
        met INTEGER NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL,
        override TEXT,
        simulated INTEGER NOT NULL
      );
    `,
  },
  {
    version: 15,
    name: 'patients (pseudonymous record, weight and height history), adverse effects, session responses, follow-ups',
    sql: `
      -- A patient is known by the site's pseudonymous id, unique per site; sessions belong to one.
      CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        site_patient_id TEXT NOT NULL UNIQUE,
        year_of_birth INTEGER,
        sex TEXT,
        allergies TEXT NOT NULL DEFAULT '[]',
        contraindications TEXT NOT NULL DEFAULT '[]',
        simulated INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      );
      -- Weight and height as documented over time (a new value is a new row, never an overwrite).
      CREATE TABLE patient_measurements (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        t INTEGER NOT NULL,
        weight_kg REAL,
        height_cm REAL,
        by TEXT NOT NULL
      );
      CREATE INDEX patient_measurements_patient ON patient_measurements(patient_id, t);
      ALTER TABLE sessions ADD COLUMN patient_id INTEGER REFERENCES patients(id);
      -- Sessions stored with a patientRef get a patient: one per ref, born in the year the first session's age gives.
      INSERT INTO patients (site_patient_id, year_of_birth, sex, simulated, created_at, created_by)
        SELECT patient_ref, MIN(CAST(strftime('%Y', created_at / 1000, 'unixepoch') AS INTEGER) - age_years), MAX(sex), MIN(simulated), MIN(created_at), 'system:migration'
        FROM sessions WHERE patient_ref IS NOT NULL GROUP BY patient_ref;
      UPDATE sessions SET patient_id = (SELECT p.id FROM patients p WHERE p.site_patient_id = sessions.patient_ref) WHERE patient_ref IS NOT NULL;
      INSERT INTO patient_measurements (patient_id, t, weight_kg, height_cm, by)
        SELECT patient_id, created_at, weight_kg, height_cm, 'system:migration' FROM sessions WHERE patient_id IS NOT NULL;
      CREATE INDEX sessions_patient ON sessions(patient_id, created_at) WHERE patient_id IS NOT NULL;
      CREATE TABLE adverse_effects (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        t INTEGER NOT NULL,
        note TEXT,
        rescue_dose_id INTEGER,
        alarm_id INTEGER,
        cadss_total INTEGER,
        by TEXT NOT NULL,
        at INTEGER NOT NULL,
        simulated INTEGER NOT NULL
      );
      CREATE INDEX adverse_effects_session ON adverse_effects(session_id, t);
      -- Satisfaction, opioid use and function for a session's response (the pain scores are observations).
      CREATE TABLE session_responses (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        body TEXT NOT NULL,
        at INTEGER NOT NULL,
        by TEXT NOT NULL
      );
      CREATE TABLE patient_followups (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients(id),
        session_id TEXT REFERENCES sessions(id),
        t INTEGER NOT NULL,
        pain INTEGER,
        satisfaction TEXT,
        opioid_mme_per_day REAL,
        note TEXT,
        by TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX patient_followups_patient ON patient_followups(patient_id, t);
    `,
  },
  {
    version: 16,
    name: 'training runs (trainer, trainee, scenario, seed, scenario clock) and their injected events and trainee actions',
    sql: `
      -- A training run in a training unit: its simulated session, the training host's device, and the
      -- scenario clock (scenario ms at the last state change + wall time of that change, speed), from
      -- which the current scenario time is derived after any restart.
      CREATE TABLE training_runs (
        id TEXT PRIMARY KEY,
        unit TEXT NOT NULL,
        trainer TEXT NOT NULL,
        trainee TEXT NOT NULL,
        scenario TEXT NOT NULL,
        seed INTEGER NOT NULL,
        session_id TEXT NOT NULL UNIQUE,
        device_id INTEGER NOT NULL,
        weight_kg REAL NOT NULL,
        state TEXT NOT NULL,
        speed INTEGER NOT NULL,
        clock_scenario_ms INTEGER NOT NULL,
        clock_wall_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        ended_at INTEGER
      );
      CREATE INDEX training_runs_unit ON training_runs (unit, created_at);
      CREATE INDEX training_runs_trainee ON training_runs (trainee, created_at);
      CREATE INDEX training_runs_device ON training_runs (device_id, state);
      -- The run's timeline: events the trainer injected and the trainee's actions, at their scenario time (body: JSON).
      CREATE TABLE training_run_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES training_runs(id),
        scenario_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX training_run_events_run ON training_run_events (run_id, id);
    `,
  },
  {
    version: 17,
    name: 'training debrief: a run keeps its scenario document and its clock history; each ended run\'s score per trainee',
    sql: `
      -- The scenario as the host offered it at the run's creation (JSON, shared/src/scenario.ts): its
      -- expected actions and alarms judge the run whether or not a host is connected later.
      ALTER TABLE training_runs ADD COLUMN scenario_doc TEXT;
      -- Every clock of a run (scenario ms at a wall time, speed, running), oldest first: wall times of
      -- alarms and actions map back to scenario time across pauses and speed changes.
      CREATE TABLE training_run_clocks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id TEXT NOT NULL REFERENCES training_runs(id),
        wall_at INTEGER NOT NULL,
        scenario_ms INTEGER NOT NULL,
        speed INTEGER NOT NULL,
        running INTEGER NOT NULL CHECK (running IN (0, 1))
      );
      CREATE INDEX training_run_clocks_run ON training_run_clocks (run_id, id);
      -- An ended run's score, computed at its end: a trainee's progress is one indexed read.
      CREATE TABLE training_scores (
        run_id TEXT PRIMARY KEY REFERENCES training_runs(id),
        trainee TEXT NOT NULL,
        unit TEXT NOT NULL,
        trainer TEXT NOT NULL,
        scenario TEXT NOT NULL,
        scenario_title TEXT NOT NULL,
        ended_at INTEGER NOT NULL,
        points REAL NOT NULL,
        max REAL NOT NULL,
        percent REAL,
        missed INTEGER NOT NULL,
        violated INTEGER NOT NULL,
        median_ack_s REAL,
        computed_at INTEGER NOT NULL
      );
      CREATE INDEX training_scores_trainee ON training_scores (trainee, ended_at);
    `,
  },
  {
    version: 18,
    name: 'patients list paged newest first: index on (created_at, id)',
    sql: `
      -- The patients list pages on (created_at, id), newest first (keyset paging, GET /api/patients?cursor=).
      CREATE INDEX patients_created ON patients(created_at, id);
    `,
  },
  {
    version: 19,
    name: 'training runs whose scripted nurse follows the plan',
    sql: `
      -- 1: the scripted nurse plays the scenario's plan (infusion steps, its drugs, sedation and pain scores) and documents it.
      ALTER TABLE training_runs ADD COLUMN scripted_nurse INTEGER NOT NULL DEFAULT 0;
    `,
  },  {
    version: 20,
    name: 'training runs carry their scenario title',
    sql: `
      -- 1: what trainees and the console read (a run is listed by its scenario's title even with no host connected).
      ALTER TABLE training_runs ADD COLUMN scenario_title TEXT;
      UPDATE training_runs SET scenario_title = json_extract(scenario_doc, '$.title') WHERE scenario_doc IS NOT NULL;
    `,
  },
];

export function migrate(db: Database.Database, now: number): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT MAX(version) v FROM schema_version').get() as { v: number | null }).v ?? 0;
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (current > latest) throw new Error(`database schema version ${current} is newer than this server (${latest})`);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now);
    })();
  }
  return latest;
}
