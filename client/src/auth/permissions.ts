import { ALL_UNITS, can, canSeeSession, type Permission, type Role } from '@infusion/shared';

/**
 * What the page offers a role, read from the shared permission table the server enforces.
 * Hiding is only for clarity: the server refuses anything a role may not do.
 */

export type Home = 'monitor' | 'admin' | 'noAccess';

export type AdminSection = 'users' | 'devices' | 'audit' | 'formulary' | 'ruleset';

const ADMIN_SECTIONS: { section: AdminSection; permission: Permission }[] = [
  { section: 'users', permission: 'users.manage' },
  { section: 'devices', permission: 'devices.manage' },
  { section: 'audit', permission: 'audit.view' },
  { section: 'formulary', permission: 'formulary.manage' },
  { section: 'ruleset', permission: 'ruleset.manage' },
];

/** The admin page sections a role may use, in page order. */
export const adminSections = (role: Role): AdminSection[] => ADMIN_SECTIONS.filter((x) => can(role, x.permission)).map((x) => x.section);

/** The monitor for roles that may view sessions; the admin page for roles that manage; otherwise nothing. */
export function homeFor(role: Role): Home {
  if (can(role, 'session.view')) return 'monitor';
  if (adminSections(role).length > 0) return 'admin';
  return 'noAccess';
}

/** Whether the Acknowledge button is shown (no user: never). */
export const mayAcknowledge = (role: Role | null | undefined): boolean => !!role && can(role, 'alarm.acknowledge');

/** Roles that may view sessions but never a real patient's (trainers): the page is marked as training. */
export const seesOnlySimulated = (role: Role): boolean =>
  can(role, 'session.view') && !canSeeSession({ role, units: [ALL_UNITS] }, { unit: ALL_UNITS, simulated: false });

export const TRAINING_MARKER_TEXT = 'TRAINING — simulated data only';
