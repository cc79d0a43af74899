import type { Session } from '@infusion/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/src/util/clock';
import { api, demoSession, startServer, type TestServer } from '../support/server';
import { countOf, dbOf, refuseRows } from '../support/storeSql';

/**
 * A session's creation stores the session, its audit entry and its device assignments together, or
 * nothing: a creation answered with an error must leave nothing behind, or the client's retry of the
 * same request meets its own session (409 on its label) and the session exists without its devices.
 */
describe('creating a session commits all of it or none of it', () => {
  let s: TestServer;
  afterEach(() => s.close());

  const stored = async (label: string) => ({
    sessions: await countOf(dbOf(s).selectFrom('sessions').where('patient_label', '=', label)),
    // The test server opens no session of its own: every creation entry is this test's.
    audit: await countOf(dbOf(s).selectFrom('audit_log').where('action', 'in', ['session.create', 'device.bind'])),
  });

  for (const [step, when] of [
    ['audit entry', "NEW.action = 'session.create'"],
    ['device assignment', "NEW.action = 'device.bind'"],
  ] as const) {
    it(`a creation whose ${step} cannot be written stores nothing, and the same request then succeeds`, async () => {
      s = await startServer();
      const body = demoSession({ patientLabel: `Atomic ${step}`, location: `Chair ${step}`, deviceIds: [s.deviceId] });
      const allow = await refuseRows(s, 'audit_log', when);
      const refused = await api(s.nurse, 'POST', '/api/sessions', body);
      expect(refused.status).toBeGreaterThanOrEqual(500);
      expect(await stored(body.patientLabel)).toEqual({ sessions: 0, audit: 0 });
      expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data.map((x) => x.patientLabel)).not.toContain(body.patientLabel);
      expect(s.app.assignments.allOpen(s.deviceId)).toEqual([]);

      await allow();
      const again = await api<Session>(s.nurse, 'POST', '/api/sessions', body);
      expect(again.status).toBe(201);
      expect(await stored(body.patientLabel)).toEqual({ sessions: 1, audit: 2 });
      expect(s.app.assignments.allOpen(s.deviceId).map((a) => a.sessionId)).toEqual([again.body.data.id]);
    });
  }

  it('a creation that waited past the device cache (a loaded machine) commits, and the server goes on answering', async () => {
    // The route checks the named devices, then the creation waits its turn in the assignment queue. Once
    // that wait passed the 5 s device cache, the check inside the creation's transaction read the device
    // through the store: on SQLite's one connection each waited for the other, and the creation and
    // every later storage access of the server hung. The clock moves here where the queue would have waited.
    const clock = new ManualClock(Date.now());
    s = await startServer({ clock });
    const actor = { id: 'user:nurse' };
    await s.app.assignments.check(s.deviceId, { id: '(new)', simulated: false }, null, () => true);
    clock.advance(6_000);
    const created = await s.app.assignments.withCreation([s.deviceId], actor, () => true, (within) =>
      s.app.sessions.create(demoSession({ patientLabel: 'Queued creation', location: 'Chair Q1' }), actor, within),
    );
    expect(s.app.assignments.allOpen(s.deviceId).map((a) => a.sessionId)).toEqual([created.id]);
    expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data.map((x) => x.patientLabel)).toContain('Queued creation');
  }, 20_000);
});
