import type { IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, device, login, startServer, TEST_PASSWORD, type TestServer } from '../support/server';
import { countOf, dbOf, refuseRows } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const frame = (sessionId: string, seq: number, over: Record<string, unknown> = {}) => ({
  sessionId,
  seq,
  t: T0 + seq * 1000,
  hr: 72,
  sbp: 122,
  dbp: 78,
  spo2: 98,
  etco2: 38,
  rr: 14,
  ...over,
});

describe('ingest', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0 + 3_600_000);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  const stored = (sessionId: string, seq: number) => dbOf(s).selectFrom('vitals').selectAll().where('session_id', '=', sessionId).where('seq', '=', seq).executeTakeFirst();
  const rowCount = (sessionId: string) => countOf(dbOf(s).selectFrom('vitals').where('session_id', '=', sessionId));

  it('acknowledges socket frames only after they are committed to the store', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    const res = (await dev.emitWithAck('frames', [frame(sess.id, 1), frame(sess.id, 2)])) as Result<IngestResult>;
    expect(res).toEqual({ ok: true, data: { accepted: [1, 2], duplicates: [], rejected: [], conflicts: [] } });
    // Read from a separate connection: the rows are durable at ack time.
    expect(await rowCount(sess.id)).toBe(2);
    dev.close();
  });

  it('keeps the good frames of a batch and names the field and reason of each bad one', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    const batch = [
      frame(sess.id, 1),
      frame(sess.id, 2, { spo2: 140 }),
      frame(sess.id, 3, { hr: 'fast' }),
      'not a frame',
      frame(sess.id, 5, { t: T0 + 3_600_000 + 10 * 60_000 }),
      frame('s_nobody', 6),
      frame(sess.id, 7, { sbp: 80, dbp: 120 }),
      frame(sess.id, 8, { Spo2: 97 }),
      frame(sess.id, 9, { seq: -1 }),
      frame(sess.id, 10),
    ];
    const res = (await dev.emitWithAck('frames', batch)) as Result<IngestResult>;
    if (!res.ok) throw new Error(res.error);
    expect(res.data.accepted).toEqual([1, 10]);
    const byIndex = Object.fromEntries(res.data.rejected.map((r) => [r.index, r.errors]));
    expect(byIndex[1]).toEqual([{ field: 'spo2', reason: expect.stringMatching(/above the physiological range/) }]);
    expect(byIndex[2]).toEqual([{ field: 'hr', reason: expect.stringMatching(/must be a number/) }]);
    expect(byIndex[3]![0]!.field).toBe('(root)');
    expect(byIndex[4]).toEqual([{ field: 't', reason: expect.stringMatching(/ahead of the server clock/) }]);
    expect(byIndex[5]).toEqual([{ field: 'sessionId', reason: 'unknown session' }]);
    expect(byIndex[6]).toEqual([{ field: 'dbp', reason: 'diastolic 120 exceeds systolic 80' }]);
    expect(byIndex[7]).toEqual([{ field: 'Spo2', reason: 'unknown field(s): Spo2' }]);
    expect(byIndex[8]![0]!.field).toBe('seq');
    expect(res.data.rejected.find((r) => r.index === 1)).toMatchObject({ sessionId: sess.id, seq: 2 });
    expect(await rowCount(sess.id)).toBe(2);
    dev.close();
  });

  it('treats an identical resend as a duplicate and a resend with other values as a conflict that never overwrites', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [frame(sess.id, 1), frame(sess.id, 2)]);
    const again = (await dev.emitWithAck('frames', [frame(sess.id, 2), frame(sess.id, 1, { hr: 99 }), frame(sess.id, 3)])) as Result<IngestResult>;
    expect(again).toEqual({
      ok: true,
      data: { accepted: [3], duplicates: [2], rejected: [], conflicts: [{ index: 1, sessionId: sess.id, seq: 1, errors: [{ field: 'hr', reason: 'seq already stored with hr 72, resent with 99' }] }] },
    });
    // Duplicates and conflicts in the same batch too.
    const same = (await dev.emitWithAck('frames', [frame(sess.id, 4), frame(sess.id, 4), frame(sess.id, 4, { spo2: 90 })])) as Result<IngestResult>;
    if (!same.ok) throw new Error(same.error);
    expect(same.data).toMatchObject({ accepted: [4], duplicates: [4], conflicts: [{ index: 2, seq: 4, errors: [{ field: 'spo2' }] }] });
    expect(await rowCount(sess.id)).toBe(4);
    expect(await stored(sess.id, 1)).toMatchObject({ hr: 72 });
    dev.close();
  });

  it('evaluates only what was stored: a frame the database refuses raises no alarm and is accepted when resent', async () => {
    const sess = await createSession(s.nurse);
    // A storage failure on one row (a trigger in the real database refuses it).
    const allow = await refuseRows(s, 'vitals', 'NEW.sbp = 200');
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(sess.id, 2), frame(sess.id, 3, { sbp: 200 })]);
    expect(r.body.data.accepted).toEqual([2]);
    expect(r.body.data.rejected).toEqual([{ index: 1, sessionId: sess.id, seq: 3, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] }]);
    expect(s.app.alarms.unresolved().filter((a) => a.sessionId === sess.id).map((a) => a.ruleId)).not.toContain('sbp.high.high');
    expect(s.app.sessions.getLive(sess.id)!.latest).toMatchObject({ sbp: 122 });
    await allow();
    const again = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(sess.id, 3, { sbp: 200 })]);
    expect(again.body.data.accepted).toEqual([3]);
    expect(s.app.alarms.unresolved().filter((a) => a.sessionId === sess.id).map((a) => a.ruleId)).toContain('sbp.high.high');
  });

  it('never answers duplicate for a resend whose original, still queued, then fails to be stored', async () => {
    await s.close();
    s = await startServer({ clock, config: { WRITE_FLUSH_MS: 100 } });
    const sess = await createSession(s.nurse);
    await refuseRows(s, 'vitals', 'NEW.sbp = 200');
    const dev = device(s);
    await connected(dev);
    // Both batches reach the server before the write queue commits (100 ms): the second sees the first's seq taken.
    const [first, resend] = (await Promise.all([dev.emitWithAck('frames', [frame(sess.id, 5, { sbp: 200 })]), dev.emitWithAck('frames', [frame(sess.id, 5, { sbp: 200 })])])) as Result<IngestResult>[];
    dev.close();
    for (const r of [first!, resend!]) {
      if (!r.ok) throw new Error(r.error);
      expect(r.data).toMatchObject({ accepted: [], duplicates: [], rejected: [{ seq: 5, errors: [{ field: '(storage)' }] }] });
    }
  });

  it('keeps a seq namespace per device: two devices feeding one session may both send seq 1', async () => {
    const sess = await createSession(s.nurse);
    const second = await s.app.devices.create({ name: 'capnograph' }, { id: 'test' });
    expect((await api(s.nurse, 'POST', `/api/devices/${second.device.id}/bind`, { sessionId: sess.id })).status).toBe(200);
    const a = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(sess.id, 1, { etco2: undefined })]);
    const b = await api<IngestResult>({ url: s.url, headers: { authorization: `Bearer ${second.key}` } }, 'POST', '/api/ingest/frames', [{ sessionId: sess.id, seq: 1, t: T0 + 1000, etco2: 41 }]);
    expect(a.body.data.accepted).toEqual([1]);
    expect(b.body.data).toEqual({ accepted: [1], duplicates: [], rejected: [], conflicts: [] });
    expect(await rowCount(sess.id)).toBe(2);
  });

  it('refuses frames for an ended session with the reason', async () => {
    const sess = await createSession(s.nurse);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed by the nurse' });
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: [frame(sess.id, 1)] });
    expect(r.status).toBe(200);
    expect(r.body.data.rejected[0]!.errors[0]).toEqual({ field: 'sessionId', reason: expect.stringMatching(/^session ended at /) });
  });

  it('takes the same frames as an HTTP batch', async () => {
    const sess = await createSession(s.nurse);
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: [frame(sess.id, 1), frame(sess.id, 2, { rr: 500 })] });
    expect(r.status).toBe(200);
    expect(r.body.data.accepted).toEqual([1]);
    expect(r.body.data.rejected[0]!.errors[0]!.field).toBe('rr');
    expect(await rowCount(sess.id)).toBe(1);
  });

  it('answers malformed JSON, a wrong body shape and an oversized batch with 400s, and stays up', async () => {
    const bad = await api(s.deviceHttp, 'POST', '/api/ingest/frames', undefined, '{"frames": [');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/malformed JSON/);
    const shape = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frame: {} });
    expect(shape.status).toBe(400);
    expect(shape.body.fields![0]!.field).toBe('frames');
    const notArray = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: 'x' });
    expect(notArray.status).toBe(400);
    const huge = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: Array.from({ length: 1001 }, () => ({})) });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(/at most 1000/);
    expect((await fetch(s.url + '/api/health')).status).toBe(200);
  });

  it('survives socket abuse: no ack callback, non-array payloads, garbage', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    // No ack callback: nothing to answer, nothing crashes.
    (dev as unknown as { emit(ev: string, data: unknown): void }).emit('frames', [frame(sess.id, 1)]);
    for (const junk of [null, 42, 'x', { frames: [] }]) {
      const r = (await dev.emitWithAck('frames', junk)) as Result<IngestResult>;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.fields?.[0]?.field).toBe('frames');
    }
    const good = (await dev.emitWithAck('frames', [frame(sess.id, 2)])) as Result<IngestResult>;
    expect(good.ok).toBe(true);
    dev.close();
  });
});

describe('ingest identity: a device feeds only the sessions it is assigned to', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0 + 3_600_000);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  const audit = (deviceId: number) =>
    dbOf(s)
      .selectFrom('audit_log')
      .select(['action', 'actor', 'after', 'before'])
      .where('entity', '=', 'device')
      .where('entity_id', '=', String(deviceId))
      .where('action', 'like', 'device.%bind')
      .orderBy('id')
      .execute();

  it('refuses, per frame and naming sessionId, frames for a session the device is not assigned to; keeps the others', async () => {
    const mine = await createSession(s.nurse);
    const other = await createSession(s.nurse, { deviceIds: [] });
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(other.id, 1), frame(mine.id, 1)]);
    expect(r.body.data.accepted).toEqual([1]);
    expect(r.body.data.rejected).toEqual([{ index: 0, sessionId: other.id, seq: 1, errors: [{ field: 'sessionId', reason: `device ${s.deviceId} is not assigned to session ${other.id}` }] }]);
    // Over Socket.IO too.
    const dev = device(s);
    await connected(dev);
    const sock = (await dev.emitWithAck('frames', [frame(other.id, 2)])) as Result<IngestResult>;
    expect(sock.ok && sock.data.rejected[0]!.errors[0]!.field).toBe('sessionId');
    dev.close();
  });

  it('never lets a real device feed a simulated session, nor a simulator a real one', async () => {
    const real = await createSession(s.nurse);
    const sim = await createSession(s.trainer, { simulated: true });
    const fromReal = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(sim.id, 1)]);
    expect(fromReal.body.data.rejected[0]!.errors).toEqual([{ field: 'sessionId', reason: `device ${s.deviceId} is a real device: it never feeds a simulated session` }]);
    const fromSim = await api<IngestResult>(s.simDeviceHttp, 'POST', '/api/ingest/frames', [frame(real.id, 1)]);
    expect(fromSim.body.data.rejected[0]!.errors).toEqual([{ field: 'sessionId', reason: `device ${s.simDeviceId} is a simulator: it never feeds a real session` }]);
    expect((await api<IngestResult>(s.simDeviceHttp, 'POST', '/api/ingest/frames', [frame(sim.id, 1)])).body.data.accepted).toEqual([1]);
    // Nor can such an assignment be made, at session start or later.
    const bad = await api(s.trainer, 'POST', '/api/sessions', { ...demo(), simulated: true, deviceIds: [s.deviceId] });
    expect(bad.status).toBe(409);
    expect(bad.body.error).toBe(`device ${s.deviceId} is a real device: it never feeds a simulated session`);
    expect((await api(s.trainer, 'POST', `/api/devices/${s.deviceId}/bind`, { sessionId: sim.id })).status).toBe(409);
    expect((await api(s.nurse, 'POST', `/api/devices/${s.simDeviceId}/bind`, { sessionId: real.id })).status).toBe(409);
  });

  it('assigns devices named at session start, audits each assignment, and releases them when the session ends', async () => {
    const sess = await createSession(s.nurse);
    expect((await audit(s.deviceId)).at(-1)).toMatchObject({ action: 'device.bind', actor: 'user:nurse', after: JSON.stringify({ sessionId: sess.id, bed: null }) });
    expect((await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(sess.id, 1)])).body.data.accepted).toEqual([1]);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed by the nurse' });
    const devices = await api<{ id: number; assignments: unknown[] }[]>(s.admin, 'GET', '/api/devices');
    expect(devices.body.data.find((d) => d.id === s.deviceId)!.assignments).toEqual([]);
    // An unknown device refuses the whole session start, and nothing is created.
    const before = (await api<unknown[]>(s.nurse, 'GET', '/api/sessions')).body.data.length;
    expect((await api(s.nurse, 'POST', '/api/sessions', { ...demo(), deviceIds: [9999] })).status).toBe(404);
    expect((await api<unknown[]>(s.nurse, 'GET', '/api/sessions')).body.data.length).toBe(before);
  });

  it('lets a clinician bind only a device not feeding a session outside their rights, and a trainer never a real monitor', async () => {
    const here = await createSession(s.nurse);
    await api(s.admin, 'POST', '/api/users', { username: 'nurse-b', displayName: 'Ward B nurse', role: 'nurse', units: ['ward-b'], password: TEST_PASSWORD, mustChangePassword: false });
    const nurseB = await login(s.url, 'nurse-b');
    const theirs = await createSession(nurseB, { unit: 'ward-b', deviceIds: [] });
    const taken = await api(nurseB, 'POST', `/api/devices/${s.deviceId}/bind`, { sessionId: theirs.id });
    expect(taken.status).toBe(403);
    expect(taken.body.error).toMatch(/assigned to a session outside your rights/);
    // Nor at session start, nor by unbinding it there.
    expect((await api(nurseB, 'POST', '/api/sessions', { ...demo(), unit: 'ward-b', deviceIds: [s.deviceId] })).status).toBe(403);
    expect((await api(nurseB, 'POST', `/api/devices/${s.deviceId}/unbind`, { sessionId: here.id })).status).toBe(404);
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [frame(theirs.id, 1)]);
    expect(r.body.data.rejected[0]!.errors[0]!.field).toBe('sessionId');
    // Once unbound by someone with rights over its session, the device may go.
    expect((await api(s.nurse, 'POST', `/api/devices/${s.deviceId}/unbind`, { sessionId: here.id })).status).toBe(200);
    expect((await api(nurseB, 'POST', `/api/devices/${s.deviceId}/bind`, { sessionId: theirs.id })).status).toBe(200);
    expect((await audit(s.deviceId)).map((a) => [a.action, a.actor])).toEqual([
      ['device.bind', 'user:nurse'],
      ['device.unbind', 'user:nurse'],
      ['device.bind', 'user:nurse-b'],
    ]);
  });
});

describe('ingest after a restart (same database)', () => {
  it('answers a resend of the seq just below the restored window from the database: duplicate if identical, conflict if not, never accepted', async () => {
    const clock = new ManualClock(T0 + 3_600_000);
    const first = await startServer({ clock });
    const dir = first.dir;
    const key = first.deviceKey;
    const sess = await createSession(first.nurse);
    clock.set(T0 + 5_100_000);
    for (let from = 1; from <= 5000; from += 1000) {
      const r = await api<IngestResult>(first.deviceHttp, 'POST', '/api/ingest/frames', Array.from({ length: 1000 }, (_, i) => frame(sess.id, from + i)));
      expect(r.body.data.accepted).toHaveLength(1000);
    }
    await first.app.close();

    // The window reloads the highest 4096 seqs (905..5000): 904 is just below it.
    const again = await startServer({ clock, dir });
    try {
      const http = { url: again.url, headers: { authorization: `Bearer ${key}` } };
      const r = await api<IngestResult>(http, 'POST', '/api/ingest/frames', [frame(sess.id, 904, { spo2: 80 }), frame(sess.id, 904), frame(sess.id, 5001)]);
      expect(r.body.data).toEqual({
        accepted: [5001],
        duplicates: [904],
        rejected: [],
        conflicts: [{ index: 0, sessionId: sess.id, seq: 904, errors: [{ field: 'spo2', reason: 'seq already stored with spo2 98, resent with 80' }] }],
      });
      const row = await dbOf(again).selectFrom('vitals').select('spo2').where('session_id', '=', sess.id).where('seq', '=', 904).execute();
      expect(row).toEqual([{ spo2: 98 }]);
      // What the engine saw is what is stored: the refused SpO2 80 is not the latest value.
      expect(again.app.sessions.getLive(sess.id)!.latest).toMatchObject({ spo2: 98 });
    } finally {
      await again.close();
    }
  });
});

const demo = () => ({ patientLabel: 'Bay-7 pt', weightKg: 70, ageYears: 45, setting: 'clinic', indication: 'CRPS', supervisingPhysician: 'Dr S', nurse: 'RN I', location: 'Chair 3' });
