import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createSession, startServer, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

// Values that identify or describe the patient; none may reach an admin (docs/roles.md).
const PATIENT = { patientLabel: 'Privacy-Bay-9', weightKg: 83.4, ageYears: 61, indication: 'Treatment-resistant depression, course 2' };
const leaks = (text: string) => [PATIENT.patientLabel, PATIENT.indication, String(PATIENT.weightKg), /ageYears"+:61/].filter((v) => (typeof v === 'string' ? text.includes(v) : v.test(text)));

describe('audit log privacy', () => {
  let s: TestServer;
  let sessionId: string;
  beforeAll(async () => {
    s = await startServer();
    sessionId = (await createSession(s.nurse, PATIENT)).id;
  });
  afterAll(() => s.close());

  it('shows admins the session entries without patient fields, in the list, the newest-first pages and both exports', async () => {
    const list = await api<{ action: string; entity_id: string; after: string }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    expect(list.status).toBe(200);
    const created = list.body.data.find((r) => r.action === 'session.create' && r.entity_id === sessionId)!;
    // What happened, to which session, stays visible; who the patient is does not.
    expect(JSON.parse(created.after)).toMatchObject({ id: sessionId, unit: 'infusion-suite', simulated: false, patientLabel: '[redacted]', weightKg: '[redacted]', ageYears: '[redacted]', indication: '[redacted]' });
    expect(leaks(JSON.stringify(list.body))).toEqual([]);

    const newest = await api(s.admin, 'GET', '/api/audit?order=desc&limit=1000');
    expect(newest.status).toBe(200);
    expect(leaks(JSON.stringify(newest.body))).toEqual([]);

    for (const format of ['json', 'csv']) {
      const res = await fetch(`${s.url}/api/audit/export?format=${format}`, { headers: s.admin.headers });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain(sessionId);
      expect(leaks(text)).toEqual([]);
    }
  });

  it('keeps the patient fields in the stored audit log', async () => {
    const row = await dbOf(s).selectFrom('audit_log').select('after').where('action', '=', 'session.create').where('entity_id', '=', sessionId).executeTakeFirstOrThrow();
    expect(JSON.parse(row.after!)).toMatchObject(PATIENT);
  });
});
