/** Roles and what each may do. The server enforces this on every route and socket event; the
 * dashboard reads the same table to show only what a user may use. Documented in docs/roles.md. */
export const ROLES = ['nurse', 'physician', 'trainer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** View sessions, trends and alarms (within the user's units; trainers: simulated sessions only). */
  'session.view': ['nurse', 'physician', 'trainer'],
  /** Export a session's record (PDF, CSV, FHIR): the clinicians who may see it (trainers: simulated sessions). */
  'session.export': ['nurse', 'physician', 'trainer'],
  'session.create': ['nurse', 'physician', 'trainer'],
  /** End a session other than by discharge (ended early, transferred), with a reason; never while the infusion runs. */
  'session.end': ['nurse', 'physician', 'trainer'],
  /** Discharge from recovery when the site's discharge criteria are met. */
  'session.discharge': ['nurse', 'physician', 'trainer'],
  /** Discharge before the criteria are met, with a recorded reason: the physician's decision. */
  'discharge.override': ['physician', 'trainer'],
  /** Start, change rate, pause, resume, stop, on the physician's order (guideline Q6). */
  'infusion.document': ['nurse', 'physician', 'trainer'],
  /**
   * A bolus is the physician's decision (guideline Q6): a nurse may administer and document one only
   * when the physician's order allows it (checked against the order, like every dose).
   */
  'infusion.bolus': ['nurse', 'physician', 'trainer'],
  /** Write or change the session's order (drug, rate range, boluses, cumulative maximum): the physician's. */
  'order.write': ['physician', 'trainer'],
  'alarm.acknowledge': ['nurse', 'physician', 'trainer'],
  /** Acknowledge an escalation as the supervising physician (trainers: in simulated sessions). */
  'escalation.acknowledge': ['physician', 'trainer'],
  /** Respond to an escalation or a session with documented advice for the bedside (trainers: simulated sessions). */
  'response.record': ['physician', 'trainer'],
  /** Sedation and pain scores on validated scales. */
  'observation.record': ['nurse', 'physician', 'trainer'],
  'checklist.submit': ['nurse', 'physician', 'trainer'],
  /** Start despite a failed checklist item, with a recorded reason: the physician's decision. */
  'checklist.override': ['physician', 'trainer'],
  'rescue.document': ['nurse', 'physician', 'trainer'],
  /** Patient records (pseudonymous): list, read with their sessions (trainers: simulated patients only). */
  'patient.view': ['nurse', 'physician', 'trainer'],
  /** Create a patient, add weight or height, change allergies and contraindications on file. */
  'patient.manage': ['nurse', 'physician', 'trainer'],
  /** Adverse effects with time and severity (Table 4: psychomimetic, vision, nausea, headache; Q6: hemodynamic), linked to rescue doses and alarms. */
  'adverse.document': ['nurse', 'physician', 'trainer'],
  /** The session's response (satisfaction, opioid use, function) and follow-ups on the patient record (Q8). */
  'outcome.document': ['nurse', 'physician', 'trainer'],
  'formulary.view': ['nurse', 'physician', 'trainer', 'admin'],
  'formulary.manage': ['admin'],
  /** Patient-specific alarm limits: the physician's decision, audited and always shown. */
  'limits.override': ['physician', 'trainer'],
  'ruleset.view': ['nurse', 'physician', 'trainer', 'admin'],
  'ruleset.manage': ['admin'],
  /** Alarm and guardrail statistics per unit (no patient identities). */
  'report.view': ['physician', 'admin'],
  /** Connect a bedside monitor (HL7 device) to a session it is watching. */
  'device.bind': ['nurse', 'physician', 'trainer'],
  /** Create and drive training runs (scenario, seed, trainee; start, pause, resume, speed, inject, end) in a training unit. */
  'training.run': ['trainer'],
  /** See training runs: the trainer those of their units, a trainee their own. */
  'training.view': ['nurse', 'physician', 'trainer'],
  'users.manage': ['admin'],
  'devices.manage': ['admin'],
  'audit.view': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, p: Permission): boolean {
  return (PERMISSIONS[p] as readonly Role[]).includes(role);
}

/** The unit wildcard: a user assigned to '*' sees every unit. */
export const ALL_UNITS = '*';

export interface SessionScope {
  unit: string;
  simulated: boolean;
}

export interface UserScope {
  role: Role;
  units: string[];
}

/** Who may see a session: clinicians of its unit; trainers only simulated sessions of their units; admins none. */
export function canSeeSession(u: UserScope, s: SessionScope): boolean {
  if (u.role === 'admin') return false;
  if (!u.units.includes(ALL_UNITS) && !u.units.includes(s.unit)) return false;
  return u.role !== 'trainer' || s.simulated;
}

export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  units: string[];
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: number;
}
