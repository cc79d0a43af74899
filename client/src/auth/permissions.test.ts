import { describe, expect, it } from 'vitest';
import { ROLES } from '@infusion/shared';
import { adminSections, homeFor, mayAcknowledge, seesOnlySimulated } from './permissions';

describe('role-aware page', () => {
  it('the acknowledge button: clinicians and trainers, not admins, never without a user', () => {
    expect(mayAcknowledge('nurse')).toBe(true);
    expect(mayAcknowledge('physician')).toBe(true);
    expect(mayAcknowledge('trainer')).toBe(true);
    expect(mayAcknowledge('admin')).toBe(false);
    expect(mayAcknowledge(null)).toBe(false);
    expect(mayAcknowledge(undefined)).toBe(false);
  });

  it('admins get the admin page with every section and no dashboard', () => {
    expect(homeFor('admin')).toBe('admin');
    expect(adminSections('admin')).toEqual(['users', 'devices', 'audit', 'formulary', 'ruleset']);
  });

  it('clinical roles get the monitor and no admin section', () => {
    for (const r of ['nurse', 'physician', 'trainer'] as const) {
      expect(homeFor(r)).toBe('monitor');
      expect(adminSections(r)).toEqual([]);
    }
  });

  it('only the trainer page is marked as training (simulated sessions only)', () => {
    expect(ROLES.filter(seesOnlySimulated)).toEqual(['trainer']);
  });
});
