import type { ColumnType, Generated } from 'kysely';

/**
 * The stored schema as the typed query builder sees it: every table and column of the migrations
 * (SQLite: `migrations.ts`; PostgreSQL: its own migrations against this same shape). One type serves
 * every store, so repositories are written once and rows need no hand casts.
 *
 * Conventions both stores keep: times are integer epoch milliseconds; flags are integers 0/1 (not
 * booleans: SQLite has none, and one row shape keeps one repository); JSON documents are text.
 */

/** 0 or 1. */
export type Flag = number;
/** An id the database allocates (INTEGER PRIMARY KEY / identity column): never set on insert. */
type Id = Generated<number>;
/** A column with a default: optional on insert. */
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface SchemaVersionTable {
  version: number;
  name: string;
  applied_at: number;
}

export interface SessionsTable {
  id: string;
  patient_label: string;
  weight_kg: number;
  age_years: number;
  setting: string;
  indication: string;
  supervising_physician: string;
  nurse: string;
  location: string;
  unit: string;
  simulated: Flag;
  status: 'active' | 'ended';
  created_at: number;
  ended_at: number | null;
  rule_set_id: string;
  rule_set_version: number;
  // 5
  patient_ref: string | null;
  profile: Defaulted<string>;
  /** JSON */
  baseline: string | null;
  /** JSON */
  limit_overrides: string | null;
  // 8
  height_cm: number | null;
  sex: string | null;
  // 14
  phase: Defaulted<string>;
  phase_at: Defaulted<number>;
  // 15: the patient record the session belongs to
  patient_id: Defaulted<number | null>;
}

export interface InfusionEventsTable {
  id: Id;
  session_id: string;
  type: string;
  t: number;
  rate_mg_kg_h: number | null;
  dose_mg: number | null;
  note: string | null;
  by: string;
  simulated: Flag;
  // 7: JSON of the confirmed soft limits
  override: string | null;
}

export interface VitalsTable {
  session_id: string;
  /** 0 for rows stored before devices were recorded (migration 6). */
  device_id: number;
  seq: number;
  t: number;
  hr: number | null;
  sbp: number | null;
  dbp: number | null;
  map: number | null;
  spo2: number | null;
  etco2: number | null;
  rr: number | null;
  received_at: number;
  simulated: Flag;
}

export interface AlarmsTable {
  id: Id;
  session_id: string;
  rule_id: string;
  rule_set_version: number;
  priority: string;
  kind: string;
  state: string;
  condition_active: Flag;
  started_at: number;
  resolved_at: number | null;
  simulated: Flag;
  /** JSON of the whole alarm */
  body: string;
}

export interface AlarmEventsTable {
  id: Id;
  alarm_id: number;
  session_id: string;
  transition: string;
  at: number;
  actor: string | null;
  simulated: Flag;
  /** JSON of the alarm after the transition */
  alarm: string;
}

export interface AuditLogTable {
  id: Id;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  /** JSON */
  before: string | null;
  /** JSON */
  after: string | null;
  request_id: string | null;
}

export interface UsersTable {
  id: Id;
  /** Unique, compared case-insensitively. */
  username: string;
  display_name: string;
  role: 'nurse' | 'physician' | 'trainer' | 'admin';
  /** JSON array of unit names */
  units: string;
  password_hash: string;
  must_change_password: Defaulted<Flag>;
  disabled: Defaulted<Flag>;
  created_at: number;
}

export interface AuthSessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface DevicesTable {
  id: Id;
  name: string;
  key_hash: string;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
  last_seen_at: number | null;
  // 3
  hl7_id: string | null;
  bound_session_id: string | null;
  // 6
  simulator: Defaulted<Flag>;
}

export interface EscalationsTable {
  id: Id;
  alarm_id: number;
  session_id: string;
  unit: string;
  state: string;
  level: number;
  opened_at: number;
  next_level_at: number | null;
  simulated: Flag;
  /** JSON */
  body: string;
}

export interface NotificationsTable {
  id: Id;
  escalation_id: number;
  level: number;
  channel: string;
  target: string;
  /** JSON */
  payload: string;
  status: string;
  attempts: Defaulted<number>;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
  // 10: the node sending it, and until when its claim holds (a dead node's claim lapses)
  claimed_by: string | null;
  claimed_until: number | null;
}

export interface ObservationsTable {
  id: Id;
  session_id: string;
  scale: string;
  score: number;
  t: number;
  note: string | null;
  by: string;
  simulated: Flag;
}

export interface ChecklistsTable {
  session_id: string;
  /** JSON */
  body: string;
  passed: Flag;
  at: number;
  by: string;
  /** JSON */
  override: string | null;
}

export interface RescueDosesTable {
  id: Id;
  session_id: string;
  alarm_id: number | null;
  drug_id: string;
  drug: string;
  dose_mg: number;
  route: string;
  t: number;
  note: string | null;
  by: string;
  simulated: Flag;
  // 7
  override: string | null;
  dose_note: string | null;
}

export interface FormularyVersionsTable {
  version: number;
  /** JSON */
  body: string;
  created_at: number;
  created_by: string;
}

export interface RuleSetVersionsTable {
  rule_set_id: string;
  version: number;
  /** JSON */
  body: string;
  created_at: number;
  created_by: string;
}

export interface DeviceAssignmentsTable {
  id: Id;
  device_id: number;
  session_id: string;
  bed: string | null;
  assigned_at: number;
  assigned_by: string;
  ended_at: number | null;
  ended_by: string | null;
}

export interface Hl7MessagesTable {
  device_id: number;
  control_id: string;
  digest: string;
  session_id: string | null;
  ack_code: string;
  ack_text: string;
  received_at: number;
}

export interface OrdersTable {
  session_id: string;
  version: number;
  /** JSON */
  body: string;
  at: number;
  by: string;
}

export interface GuardrailEventsTable {
  id: Id;
  session_id: string;
  unit: string;
  simulated: Flag;
  at: number;
  by: string;
  action: string;
  outcome: string;
  limit_id: string;
  label: string;
  level: string;
  value: number;
  lim: number;
  unit_of_measure: string;
  reason: string | null;
}

export interface PhysicianResponsesTable {
  id: Id;
  session_id: string;
  escalation_id: number | null;
  text: string;
  at: number;
  by: string;
  by_name: string;
  simulated: Flag;
}

/** Written only by the recording-health probe (created on first use, not by a migration). */
export interface StorageProbeTable {
  id: number;
  at: number;
  pad: Uint8Array;
}

export interface Database {
  schema_version: SchemaVersionTable;
  sessions: SessionsTable;
  infusion_events: InfusionEventsTable;
  vitals: VitalsTable;
  alarms: AlarmsTable;
  alarm_events: AlarmEventsTable;
  audit_log: AuditLogTable;
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  devices: DevicesTable;
  escalations: EscalationsTable;
  notifications: NotificationsTable;
  observations: ObservationsTable;
  checklists: ChecklistsTable;
  rescue_doses: RescueDosesTable;
  formulary_versions: FormularyVersionsTable;
  rule_set_versions: RuleSetVersionsTable;
  device_assignments: DeviceAssignmentsTable;
  hl7_messages: Hl7MessagesTable;
  orders: OrdersTable;
  guardrail_events: GuardrailEventsTable;
  physician_responses: PhysicianResponsesTable;
  storage_probe: StorageProbeTable;
  session_leases: SessionLeasesTable;
  id_counters: IdCountersTable;
  session_phases: SessionPhasesTable;
  discharges: DischargesTable;
  patients: PatientsTable;
  patient_measurements: PatientMeasurementsTable;
  adverse_effects: AdverseEffectsTable;
  session_responses: SessionResponsesTable;
  patient_followups: PatientFollowupsTable;
  training_runs: TrainingRunsTable;
  training_run_events: TrainingRunEventsTable;
  training_run_clocks: TrainingRunClocksTable;
  training_scores: TrainingScoresTable;
}

/** 14: each phase a session entered (pre-infusion, infusion, recovery, discharged, transferred, ended early). */
export interface SessionPhasesTable {
  id: Id;
  session_id: string;
  phase: string;
  at: number;
  by: string;
  reason: string | null;
  simulated: Flag;
}

/** 14: a session's discharge (the assessed criteria as JSON) and a physician's override (JSON) when not met. */
export interface DischargesTable {
  session_id: string;
  body: string;
  met: Flag;
  at: number;
  by: string;
  override: string | null;
  simulated: Flag;
}

/** 15: a pseudonymous patient record (the site's patient id, unique per site). */
export interface PatientsTable {
  id: Id;
  site_patient_id: string;
  year_of_birth: number | null;
  sex: string | null;
  /** JSON array of text */
  allergies: Defaulted<string>;
  /** JSON array of text */
  contraindications: Defaulted<string>;
  simulated: Flag;
  created_at: number;
  created_by: string;
}

/** 15: weight and height as documented over time. */
export interface PatientMeasurementsTable {
  id: Id;
  patient_id: number;
  t: number;
  weight_kg: number | null;
  height_cm: number | null;
  by: string;
}

/** 15: adverse effects of a session (type and severity as in shared/src/course/adverseEffects.ts). */
export interface AdverseEffectsTable {
  id: Id;
  session_id: string;
  type: string;
  severity: string;
  t: number;
  note: string | null;
  rescue_dose_id: number | null;
  alarm_id: number | null;
  cadss_total: number | null;
  by: string;
  at: number;
  simulated: Flag;
}

/** 15: the session's response besides its pain scores (JSON of the response input). */
export interface SessionResponsesTable {
  session_id: string;
  body: string;
  at: number;
  by: string;
}

/** 15: follow-ups on the patient record (Q8). */
export interface PatientFollowupsTable {
  id: Id;
  patient_id: number;
  session_id: string | null;
  t: number;
  pain: number | null;
  satisfaction: string | null;
  opioid_mme_per_day: number | null;
  note: string | null;
  by: string;
  at: number;
}

/** 11: the node that evaluates a session's rules, until its lease expires. */
export interface SessionLeasesTable {
  session_id: string;
  node_id: string;
  expires_at: number;
  /** 12: the holder's rule engine state (JSON, shared/src/rules/stored.ts), written with each renewal. */
  engine_state: Defaulted<string | null>;
}

/** 12: the last id handed out per table (alarm ids needed before their row is written). */
export interface IdCountersTable {
  name: string;
  last_id: number;
}

/** 16: a training run (shared/src/training.ts); the scenario clock as of its last state change. */
export interface TrainingRunsTable {
  id: string;
  unit: string;
  trainer: string;
  trainee: string;
  scenario: string;
  seed: number;
  session_id: string;
  device_id: number;
  weight_kg: number;
  state: string;
  speed: number;
  clock_scenario_ms: number;
  clock_wall_at: number;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  /** 17: the scenario document offered at creation (JSON, shared/src/scenario.ts); null for runs created before. */
  scenario_doc: Defaulted<string | null>;
  /** 20: 1 when the scripted nurse plays the scenario's plan. */
  scripted_nurse: Generated<number>;
  /** The scenario's title (migration 20; null only for runs whose stored scenario had none). */
  scenario_title: Defaulted<string | null>;
}

/** 16: an injected event or a trainee's action of a training run (body: JSON). */
export interface TrainingRunEventsTable {
  id: Id;
  run_id: string;
  scenario_ms: number;
  kind: string;
  body: string;
  actor: string;
  at: number;
}

/** 17: one clock of a training run (shared/src/training.ts ScenarioClock), written with each state or speed change. */
export interface TrainingRunClocksTable {
  id: Id;
  run_id: string;
  wall_at: number;
  scenario_ms: number;
  speed: number;
  running: Flag;
}

/** 17: an ended training run's score (shared/src/trainingDebrief.ts TraineeRunScore), computed at its end. */
export interface TrainingScoresTable {
  run_id: string;
  trainee: string;
  unit: string;
  trainer: string;
  scenario: string;
  scenario_title: string;
  ended_at: number;
  points: number;
  max: number;
  percent: number | null;
  missed: number;
  violated: number;
  median_ack_s: number | null;
  computed_at: number;
}
