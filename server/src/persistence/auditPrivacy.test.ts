import { describe, expect, it } from 'vitest';
import { redactAudit, type AuditRow } from './auditPrivacy';

const row = (over: Partial<AuditRow>): AuditRow => ({ id: 1, at: 0, actor: 'user:nurse', action: 'session.create', entity: 'session', entity_id: 's1', before: null, after: null, request_id: null, ...over });
const created = row({ after: JSON.stringify({ id: 's1', unit: 'ward-a', simulated: false, patientLabel: 'Bay 4', weightKg: 70, ageYears: 50, indication: 'CRPS' }) });
const escalation = row({ entity: 'escalation', entity_id: '5', action: 'escalation.acknowledge', after: JSON.stringify({ id: 5, sessionId: 's1', level: 1, message: 'SpO2 86 %' }) });
const login = row({ entity: 'user', entity_id: 'nurse', action: 'auth.login' });
const scopes: Record<string, { unit: string; simulated: boolean }> = { s1: { unit: 'ward-a', simulated: false }, sim: { unit: 'ward-a', simulated: true } };
const scopeOf = (id: string) => scopes[id] ?? null;
const after = (r: AuditRow) => JSON.parse(r.after!) as Record<string, unknown>;

describe('redactAudit', () => {
  it('hides patient fields from admins but keeps what happened to which session', () => {
    const [c, e, l] = redactAudit([created, escalation, login], { role: 'admin', units: ['*'] }, scopeOf);
    expect(after(c!)).toEqual({ id: 's1', unit: 'ward-a', simulated: false, patientLabel: '[redacted]', weightKg: '[redacted]', ageYears: '[redacted]', indication: '[redacted]' });
    expect(after(e!)).toEqual({ id: 5, sessionId: 's1', level: 1, message: '[redacted]' });
    expect(l).toBe(login);
  });

  it('shows them to a clinician of the session unit, not to one of another unit', () => {
    expect(redactAudit([created, escalation], { role: 'physician', units: ['ward-a'] }, scopeOf)).toEqual([created, escalation]);
    expect(after(redactAudit([created], { role: 'physician', units: ['ward-b'] }, scopeOf)[0]!).patientLabel).toBe('[redacted]');
  });

  it('shows trainers simulated sessions only, and redacts entries of unknown sessions for everyone', () => {
    const sim = row({ entity_id: 'sim', after: JSON.stringify({ patientLabel: 'Sim 1' }) });
    expect(redactAudit([sim, created], { role: 'trainer', units: ['*'] }, scopeOf).map((r) => after(r).patientLabel)).toEqual(['Sim 1', '[redacted]']);
    const unknown = row({ entity_id: 'gone', before: '"x"', after: JSON.stringify({ patientLabel: 'Bay 4' }) });
    const [r] = redactAudit([unknown], { role: 'physician', units: ['*'] }, scopeOf);
    expect([r!.before, after(r!).patientLabel]).toEqual(['"[redacted]"', '[redacted]']);
  });
});
