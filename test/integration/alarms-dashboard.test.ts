import type { Alarm, AlarmUpdate, IngestResult, LiveVitals, Result, Session, Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, device, deviceKeyFor, startServer, waitFor, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('alarms reach the dashboard', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  const send = async (sessionId: string, seqs: number[], over: (seq: number) => Record<string, number>) => {
    // A simulated session is fed by the simulator device, a real one by the real device.
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
    await connected(dev);
    const frames = seqs.map((seq) => ({ sessionId, seq, t: T0 + seq * 1000, hr: 80, sbp: 120, dbp: 75, spo2: 97, rr: 14, ...over(seq) }));
    clock.set(T0 + (seqs.at(-1) ?? 0) * 1000);
    const r = (await dev.emitWithAck('frames', frames)) as Result<IngestResult>;
    dev.close();
    if (!r.ok) throw new Error(r.error);
    return r.data;
  };

  /**
   * Everything the server pushed to this screen before now has arrived: a device's ack waits for the
   * alarms its frames raised, and one socket's messages arrive in order, so the answer to a request sent
   * after the ack comes after any alarm those frames raised.
   */
  const deliveredSoFar = async (dash: ReturnType<typeof dashboard>, sessionId: string) => {
    const r = (await dash.emitWithAck('session:detail', { sessionId })) as Result<unknown>;
    if (!r.ok) throw new Error(r.error);
  };

  it('raises "SpO2 < 88 for 10 s" only after 10 s of event time, stores it, then pushes it; ack is stored with who and when', async () => {
    const sess = await createSession(s.nurse, { simulated: true });
    const dash = dashboard(s.nurse);
    await connected(dash);
    const snap = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(snap.ok && snap.data.sessions.map((x) => x.id)).toEqual([sess.id]);

    const updates: AlarmUpdate[] = [];
    dash.on('alarm', (u) => updates.push(u));
    // 9 s below 88: still pending, nothing raised.
    await send(sess.id, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], () => ({ spo2: 86 }));
    await deliveredSoFar(dash, sess.id);
    expect(updates).toEqual([]);
    // The 11th second (10 s after the first low reading) fires it.
    const raised = waitFor<AlarmUpdate>(dash, 'alarm');
    await send(sess.id, [11], () => ({ spo2: 85 }));
    const u = await raised;
    expect(u.transition).toBe('raised');
    expect(u.alarm).toMatchObject({ ruleId: 'spo2.low.high', priority: 'high', state: 'active', message: 'SpO2 85 < 88', value: 85, limit: 88, startedAt: T0 + 11_000, simulated: true });
    expect(u.alarm.source).toMatch(/ASRA\/AAPM\/ASA 2018/);

    // Stored before it was emitted.
    expect(await dbOf(s).selectFrom('alarms').select(['state', 'simulated']).where('id', '=', u.alarm.id).executeTakeFirst()).toEqual({ state: 'active', simulated: 1 });

    clock.set(T0 + 20_000);
    const ack = (await dash.emitWithAck('alarm:acknowledge', { alarmId: u.alarm.id })) as Result<Alarm>;
    expect(ack.ok && ack.data).toMatchObject({ state: 'acknowledged', acknowledgedAt: T0 + 20_000, conditionActive: true });
    const twice = (await dash.emitWithAck('alarm:acknowledge', { alarmId: u.alarm.id })) as Result<Alarm>;
    expect(twice).toMatchObject({ ok: false, error: expect.stringMatching(/already acknowledged/) });
    const missing = (await dash.emitWithAck('alarm:acknowledge', { alarmId: 999 })) as Result<Alarm>;
    expect(missing).toMatchObject({ ok: false, error: 'alarm 999 not found' });

    // Recovery past the hysteresis band (88 + 2) clears the condition; the alarm resolves once it has
    // stayed clear for the re-arm interval (15 s), so a flapping value cannot raise a string of new alarms.
    const cleared = waitFor<AlarmUpdate>(dash, 'alarm', (x) => x.transition === 'condition_cleared');
    await send(sess.id, [30], () => ({ spo2: 95 }));
    expect((await cleared).alarm).toMatchObject({ state: 'acknowledged', conditionActive: false });
    clock.set(T0 + 44_000);
    s.app.alarms.tick();
    const resolved = waitFor<AlarmUpdate>(dash, 'alarm', (x) => x.transition === 'resolved');
    clock.set(T0 + 45_000);
    s.app.alarms.tick();
    expect((await resolved).alarm.state).toBe('resolved');
    const events = await dbOf(s).selectFrom('alarm_events').select('transition').where('alarm_id', '=', u.alarm.id).orderBy('id').execute();
    expect(events.map((e) => e.transition)).toEqual(['raised', 'acknowledged', 'condition_cleared', 'resolved']);
    dash.close();
  });

  it('latches a high alarm after its condition clears until it is acknowledged', async () => {
    const sess = await createSession(s.nurse);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const raised = waitFor<AlarmUpdate>(dash, 'alarm');
    await send(sess.id, [1], () => ({ sbp: 195, dbp: 100 }));
    const a = (await raised).alarm;
    expect(a.message).toBe('SBP 195 > 180');
    const cleared = waitFor<AlarmUpdate>(dash, 'alarm');
    await send(sess.id, [2], () => ({ sbp: 150 }));
    const c = await cleared;
    expect(c.transition).toBe('condition_cleared');
    expect(c.alarm).toMatchObject({ state: 'active', conditionActive: false });
    // Still shown in a fresh snapshot.
    const snap = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(snap.ok && snap.data.alarms.map((x) => x.id)).toEqual([a.id]);
    const ack = (await dash.emitWithAck('alarm:acknowledge', { alarmId: a.id })) as Result<Alarm>;
    expect(ack.ok && ack.data.state).toBe('resolved');
    dash.close();
  });

  it('re-arms the same alarm when a value flaps across the band within the re-arm interval, and reminds after 5 min', async () => {
    const sess = await createSession(s.nurse);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const updates: AlarmUpdate[] = [];
    dash.on('alarm', (u) => updates.push(u));
    // HR 160 / 140 / 160: out of the band and back in 2 s, then acknowledged.
    await send(sess.id, [1], () => ({ hr: 160 }));
    await send(sess.id, [2], () => ({ hr: 140 }));
    await send(sess.id, [3], () => ({ hr: 160 }));
    await deliveredSoFar(dash, sess.id);
    expect(new Set(updates.map((u) => u.alarm.id)).size).toBe(1);
    expect(updates.map((u) => u.transition)).toEqual(['raised', 'condition_cleared', 'raised']);
    const id = updates[0]!.alarm.id;
    clock.set(T0 + 10_000);
    await dash.emitWithAck('alarm:acknowledge', { alarmId: id });
    clock.set(T0 + 10_000 + 299_000);
    s.app.alarms.tick();
    const reminder = waitFor<AlarmUpdate>(dash, 'alarm', (u) => u.transition === 'reminder');
    clock.set(T0 + 10_000 + 300_000);
    s.app.alarms.tick();
    expect((await reminder).alarm).toMatchObject({ id, state: 'active', conditionActive: true });
    dash.close();
  });

  it('pauses audio for the disclosed 120 s, and a new high alarm ends the pause', async () => {
    const sess = await createSession(s.nurse);
    const paused = await api<Session>(s.nurse, 'POST', `/api/sessions/${sess.id}/audio-pause`);
    expect(paused.body.data.audioPausedUntil).toBe(T0 + 120_000);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const unpaused = waitFor<Session>(dash, 'session', (x) => x.id === sess.id && x.audioPausedUntil === null);
    await send(sess.id, [5], () => ({ sbp: 200, dbp: 100 }));
    await unpaused;
    dash.close();
  });

  it('does not re-raise within the hysteresis band (no flapping)', async () => {
    const sess = await createSession(s.nurse);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const updates: AlarmUpdate[] = [];
    dash.on('alarm', (u) => updates.push(u));
    // HR oscillating 151/148 around the 150 limit: 148 is inside the 5-beat band, so one alarm, no clears.
    await send(sess.id, [1, 2, 3, 4, 5, 6], (q) => ({ hr: q % 2 ? 151 : 148 }));
    await deliveredSoFar(dash, sess.id);
    expect(updates.map((u) => u.transition)).toEqual(['raised']);
    dash.close();
  });

  it('sends a snapshot with sessions, latest trend and active alarms, then coalesced live vitals', async () => {
    const sess = await createSession(s.nurse);
    await send(sess.id, [1, 2, 3], () => ({ hr: 155 }));
    const dash = dashboard(s.nurse);
    await connected(dash);
    const snap = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    expect(snap.data.trends[sess.id]!.map((p) => p.hr)).toEqual([155, 155, 155]);
    expect(snap.data.alarms).toHaveLength(1);
    expect(snap.data.lastAlarmEventId).toBe(1);
    expect(snap.data.missedAlarmUpdates).toEqual([]);

    // Listening before the frames are sent, so no push can slip by; what the snapshot already holds is not counted.
    const batches: LiveVitals[][] = [];
    const afterSnapshot = () => batches.flat().filter((b) => b.sessionId === sess.id).flatMap((b) => b.samples).filter((x) => x.t > T0 + 3000);
    const allFive = new Promise<void>((resolve) =>
      dash.on('vitals', (b) => {
        batches.push(b);
        if (afterSnapshot().length >= 5) resolve();
      }),
    );
    await send(sess.id, [4, 5, 6, 7, 8], () => ({ hr: 90 }));
    await allFive;
    expect(afterSnapshot().map((x) => x.t)).toEqual([4, 5, 6, 7, 8].map((q) => T0 + q * 1000));
    const pushes = batches.filter((b) => b.some((x) => x.sessionId === sess.id && x.samples.some((y) => y.t > T0 + 3000)));
    // Five frames arrived in one burst: coalesced into fewer pushes than frames.
    expect(pushes.length).toBeLessThan(5);
    dash.close();
  });

  it('replays what a reconnecting dashboard missed, from the last alarm id it saw', async () => {
    const sess = await createSession(s.nurse);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const first = waitFor<AlarmUpdate>(dash, 'alarm');
    await send(sess.id, [1], () => ({ hr: 160 }));
    const seen = (await first).eventId;
    dash.close();

    // While disconnected: HR clears (latched), SBP alarm fires.
    await send(sess.id, [2], () => ({ hr: 100 }));
    await send(sess.id, [3], () => ({ sbp: 200, dbp: 90 }));

    const again = dashboard(s.nurse);
    await connected(again);
    const snap = (await again.emitWithAck('subscribe', { lastAlarmEventId: seen })) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    expect(snap.data.missedAlarmUpdates.map((u) => [u.eventId, u.transition, u.alarm.ruleId])).toEqual([
      [seen + 1, 'condition_cleared', 'hr.high.high'],
      [seen + 2, 'raised', 'sbp.high.high'],
    ]);
    expect(snap.data.lastAlarmEventId).toBe(seen + 2);
    again.close();
  });

  it('resolves a session\'s alarms when the session ends', async () => {
    const sess = await createSession(s.nurse);
    await send(sess.id, [1], () => ({ hr: 170 }));
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const resolved = waitFor<AlarmUpdate>(dash, 'alarm', (u) => u.transition === 'resolved');
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed by the nurse' });
    expect((await resolved).alarm.sessionId).toBe(sess.id);
    const snap = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(snap.ok && snap.data.alarms).toEqual([]);
    dash.close();
  });
});
