import { defaultRuleSet, type Escalation, type IngestResult, type PhysicianResponse, type Result, type SessionDetail, type Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, device, login, startServer, waitFor, TEST_PASSWORD, type DashClient, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** A physician's response to an escalation: stored, audited, role- and unit-checked, shown at the bedside. */
describe('physician response to an escalation', () => {
  let s: TestServer;
  let clock: ManualClock;
  const socks: DashClient[] = [];
  afterEach(async () => {
    socks.forEach((x) => x.close());
    socks.length = 0;
    await s.close();
  });
  const start = async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, ruleSet: defaultRuleSet, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
  };
  const open = async (who: 'nurse' | 'physician' | 'trainer') => {
    const d = dashboard(s[who]);
    socks.push(d);
    await connected(d);
    const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    return { d, snap: snap.data };
  };
  const hrHigh = async (sessionId: string, key = s.deviceKey) => {
    const dev = device({ url: s.url, deviceKey: key });
    await connected(dev);
    clock.set(T0 + 1000);
    const r = (await dev.emitWithAck('frames', [{ sessionId, seq: 1, t: T0 + 1000, hr: 165 }])) as Result<IngestResult>;
    dev.close();
    expect(r.ok && r.data.accepted).toEqual([1]);
  };

  it('stores the response, acknowledges the escalation it answers, audits it and shows it at the bedside', async () => {
    await start();
    const sess = await createSession(s.nurse, { location: 'Chair 4', patientLabel: 'J.D. 1961' });
    const phys = await open('physician');
    const nurse = await open('nurse');
    const escalated = waitFor<Escalation>(phys.d, 'escalation', (e) => e.sessionId === sess.id && e.state === 'open');
    await hrHigh(sess.id);
    const esc = await escalated;

    const atBedside = waitFor<PhysicianResponse>(nurse.d, 'response');
    const acked = waitFor<Escalation>(phys.d, 'escalation', (e) => e.id === esc.id && e.state === 'acknowledged');
    clock.set(T0 + 30_000);
    const r = (await phys.d.emitWithAck('response:record', { sessionId: sess.id, escalationId: esc.id, text: '  reduce to 0.3 mg/kg/h ' })) as Result<PhysicianResponse>;
    expect(r).toMatchObject({ ok: true, data: { sessionId: sess.id, escalationId: esc.id, text: 'reduce to 0.3 mg/kg/h', at: T0 + 30_000, by: 'physician', byName: 'Test physician' } });
    expect(await atBedside).toMatchObject({ text: 'reduce to 0.3 mg/kg/h', byName: 'Test physician' });
    expect(await acked).toMatchObject({ acknowledgedBy: 'user:physician', acknowledgedAt: T0 + 30_000 });

    // Advice, not a dose: the infusion is untouched.
    expect(await countOf(dbOf(s).selectFrom('infusion_events').where('session_id', '=', sess.id))).toBe(0);

    // The nurse's session page and a fresh snapshot (the tile) both carry it.
    const detail = (await nurse.d.emitWithAck('session:detail', { sessionId: sess.id })) as Result<SessionDetail>;
    expect(detail.ok && detail.data.responses?.map((x) => x.text)).toEqual(['reduce to 0.3 mg/kg/h']);
    const again = await open('nurse');
    expect(again.snap.responses?.map((x) => [x.sessionId, x.text])).toEqual([[sess.id, 'reduce to 0.3 mg/kg/h']]);
    const listed = await api<PhysicianResponse[]>(s.nurse, 'GET', `/api/sessions/${sess.id}/responses`);
    expect(listed.body.data.map((x) => x.text)).toEqual(['reduce to 0.3 mg/kg/h']);

    const audit = await api<{ action: string; actor: string; entity_id: string }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    expect(audit.body.data.filter((a) => a.action === 'response.record').map((a) => [a.actor, a.entity_id])).toEqual([['user:physician', sess.id]]);
    expect(audit.body.data.filter((a) => a.action === 'escalation.acknowledge').map((a) => a.actor)).toEqual(['user:physician']);
  });

  it('refuses nurses, physicians of another unit, trainers on real sessions, and says which field is wrong', async () => {
    await start();
    const sess = await createSession(s.nurse);
    const sim = await createSession(s.nurse, { simulated: true });
    await s.app.users.create({ username: 'elsewhere', displayName: 'Dr Elsewhere', role: 'physician', units: ['day-unit'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    const other = await login(s.url, 'elsewhere');

    const nurse = await open('nurse');
    const byNurse = (await nurse.d.emitWithAck('response:record', { sessionId: sess.id, text: 'stop' })) as Result<PhysicianResponse>;
    expect(byNurse).toMatchObject({ ok: false, error: 'role nurse may not response.record' });
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/responses`, { text: 'stop' })).status).toBe(403);

    expect((await api(other, 'POST', `/api/sessions/${sess.id}/responses`, { text: 'stop' })).status).toBe(404);
    const otherSock = dashboard(other);
    socks.push(otherSock);
    await connected(otherSock);
    expect(await otherSock.emitWithAck('response:record', { sessionId: sess.id, text: 'stop' })).toMatchObject({ ok: false, error: `session ${sess.id} not found` });

    expect((await api(s.trainer, 'POST', `/api/sessions/${sess.id}/responses`, { text: 'stop' })).status).toBe(404);
    const trainer = await open('trainer');
    const onSim = (await trainer.d.emitWithAck('response:record', { sessionId: sim.id, text: 'stop' })) as Result<PhysicianResponse>;
    expect(onSim).toMatchObject({ ok: true, data: { text: 'stop', by: 'trainer' } });

    const empty = await api(s.physician, 'POST', `/api/sessions/${sess.id}/responses`, { text: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.fields).toEqual([{ field: 'text', reason: 'must not be empty' }]);
    const long = await api(s.physician, 'POST', `/api/sessions/${sess.id}/responses`, { text: 'x'.repeat(201) });
    expect(long.body.fields).toEqual([{ field: 'text', reason: 'must be at most 200 characters' }]);
    const phys = await open('physician');
    const wrongEsc = (await phys.d.emitWithAck('response:record', { sessionId: sess.id, escalationId: 999, text: 'stop' })) as Result<PhysicianResponse>;
    expect(wrongEsc).toMatchObject({ ok: false, fields: [{ field: 'escalationId', reason: "escalation 999 is not one of this session's" }] });

    // An ended session takes no more advice.
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed by the nurse' })).status).toBe(200);
    const ended = await api(s.physician, 'POST', `/api/sessions/${sess.id}/responses`, { text: 'stop' });
    expect(ended.body.fields).toEqual([{ field: 'sessionId', reason: 'the session has ended' }]);

    const stored = await dbOf(s).selectFrom('physician_responses').select(['session_id', 'by']).orderBy('id').execute();
    expect(stored).toEqual([{ session_id: sim.id, by: 'trainer' }]);
  });
});
