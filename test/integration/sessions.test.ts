import { defaultRuleSet, type InfusionEvent, type Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, createSession, demoSession, login, prepareStart, startServer, TEST_PASSWORD, writeOrder, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('sessions and infusion events over REST', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    // Hours of infusion pass on the fake clock: keep the test users' logins alive through them.
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000, SESSION_TTL_MS: 7 * 24 * 3_600_000 } });
  });
  afterEach(() => s.close());

  it('creates, lists, gets and ends a session', async () => {
    const created = await createSession(s.nurse, { simulated: true });
    expect(created.id).toMatch(/^s_/);
    expect(created.status).toBe('active');
    expect(created.simulated).toBe(true);
    expect(created.ruleSetVersion).toBe(defaultRuleSet.version);
    expect(created.infusion.status).toBe('not_started');

    const list = await api<Session[]>(s.nurse, 'GET', '/api/sessions');
    expect(list.body.data.map((x) => x.id)).toEqual([created.id]);

    const got = await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${created.id}`);
    expect(got.body.data.session.patientLabel).toBe(created.patientLabel);

    const ended = await api<Session>(s.nurse, 'POST', `/api/sessions/${created.id}/end`, { reason: 'session closed by the nurse' });
    expect(ended.status).toBe(200);
    expect(ended.body.data.status).toBe('ended');
    expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data).toEqual([]);
    // Ending twice is refused with the reason.
    const again = await api(s.nurse, 'POST', `/api/sessions/${created.id}/end`, { reason: 'session closed by the nurse' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/ended at/);
  });

  it('refuses an invalid session naming each bad field', async () => {
    const r = await api(s.nurse, 'POST', '/api/sessions', { ...demoSession(), weightKg: -3, setting: 'garage', extra: 1 });
    expect(r.status).toBe(400);
    const fields = r.body.fields!.map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['weightKg', 'setting']));
    expect(r.body.fields!.some((f) => /unknown field/.test(f.reason) && /extra/.test(f.reason))).toBe(true);
  });

  it('refuses a second active session with the same chair or patient label in one unit (409 naming the field)', async () => {
    const first = await createSession(s.nurse, { patientLabel: 'Bay-7 pt', location: 'Chair 3' });
    const sameChair = await api(s.nurse, 'POST', '/api/sessions', demoSession({ patientLabel: 'Bay-8 pt', location: 'chair  3' }));
    expect(sameChair.status).toBe(409);
    expect(sameChair.body.fields).toEqual([{ field: 'location', reason: 'Chair 3 already has an active session in this unit' }]);
    const sameLabel = await api(s.nurse, 'POST', '/api/sessions', demoSession({ patientLabel: 'Bay-7 pt', location: 'Chair 4' }));
    expect(sameLabel.status).toBe(409);
    expect(sameLabel.body.fields?.map((f) => f.field)).toEqual(['patientLabel']);
    // Nothing half-made: still one active session.
    expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data.map((x) => x.id)).toEqual([first.id]);
    // Another unit has its own Chair 3; an ended session frees its chair and label.
    await api(s.admin, 'POST', '/api/users', { username: 'nurse-b', displayName: 'Ward B nurse', role: 'nurse', units: ['ward-b'], password: TEST_PASSWORD, mustChangePassword: false });
    const nurseB = await login(s.url, 'nurse-b');
    expect((await api(nurseB, 'POST', '/api/sessions', demoSession({ patientLabel: 'Bay-7 pt', location: 'Chair 3', unit: 'ward-b' }))).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${first.id}/end`, { reason: 'session closed by the nurse' })).status).toBe(200);
    expect((await createSession(s.nurse, { patientLabel: 'Bay-7 pt', location: 'Chair 3' })).status).toBe('active');
  });

  it('keeps the running cumulative dose in mg and mg/kg through rate changes, a bolus, pause and stop', async () => {
    const sess = await createSession(s.physician, { weightKg: 80 });
    // A physician: the bolus is the physician's decision.
    const post = (body: unknown) => api<{ session: Session; event: InfusionEvent }>(s.physician, 'POST', `/api/sessions/${sess.id}/infusion`, body);
    await writeOrder(s.physician, sess.id);
    await prepareStart(s, s.physician, sess.id, T0);
    expect((await post({ type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    clock.advance(60 * 60_000); // 1 h at 0.5 mg/kg/h x 80 kg = 40 mg
    const changed = await post({ type: 'rate_change', rateMgKgH: 1 });
    expect(changed.body.data.session.infusion.cumulativeMg).toBeCloseTo(40, 6);
    clock.advance(30 * 60_000); // 30 min at 1 mg/kg/h x 80 kg = 40 mg
    await post({ type: 'bolus', doseMg: 10 });
    await post({ type: 'pause' });
    clock.advance(60 * 60_000); // paused: nothing given
    await post({ type: 'resume' });
    clock.advance(15 * 60_000); // 15 min at 1 mg/kg/h x 80 kg = 20 mg
    const stopped = await post({ type: 'stop' });
    const inf = stopped.body.data.session.infusion;
    expect(inf.status).toBe('stopped');
    expect(inf.cumulativeMg).toBeCloseTo(110, 6);
    expect(inf.cumulativeMgPerKg).toBeCloseTo(110 / 80, 6);

    const detail = await api<{ infusionEvents: InfusionEvent[] }>(s.physician, 'GET', `/api/sessions/${sess.id}`);
    expect(detail.body.data.infusionEvents.map((e) => e.type)).toEqual(['start', 'rate_change', 'bolus', 'pause', 'resume', 'stop']);
  });

  it('refuses infusion events that do not fit the infusion state or the input limits', async () => {
    const sess = await createSession(s.nurse);
    const post = (body: unknown) => api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, body);
    const pause = await post({ type: 'pause' });
    expect(pause.status).toBe(409);
    expect(pause.body.error).toBe('cannot pause an infusion that is not started');
    const silly = await post({ type: 'start', rateMgKgH: 50 });
    expect(silly.status).toBe(400);
    expect(silly.body.fields![0]!.field).toBe('rateMgKgH');
    const unknownType = await post({ type: 'flush' });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.fields![0]!.field).toBe('type');
    expect((await api(s.nurse, 'POST', '/api/sessions/s_missing/infusion', { type: 'stop' })).status).toBe(404);
  });

  it('writes an audit row for every change and refuses to edit the audit log', async () => {
    const sess = await createSession(s.nurse);
    await prepareStart(s, s.nurse, sess.id, T0);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'stop' });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed by the nurse' });
    const db = dbOf(s);
    const rows = await db.selectFrom('audit_log').select(['action', 'entity_id', 'actor']).where('entity', '=', 'session').orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['session.create', 'observation.record', 'observation.record', 'checklist.submit', 'session.phase', 'infusion.start', 'session.phase', 'infusion.stop', 'session.end']);
    expect(rows.every((r) => r.entity_id === sess.id)).toBe(true);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set(['user:nurse']));
    // The database itself refuses (a trigger), whoever connects to it.
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('audit_log').set({ actor: 'x' }).execute()).rejects.toThrow(/append-only/);
    expect(await countOf(db.selectFrom('audit_log').where('actor', '=', 'x'))).toBe(0);
  });
});
