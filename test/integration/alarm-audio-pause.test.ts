import type { AlarmUpdate, IngestResult, Result, Session, Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, device, deviceKeyFor, startServer, waitFor, type DashClient, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/**
 * Pausing the sound of one alarm (IEC 60601-1-8): for the fixed, disclosed AUDIO_PAUSE_MS, audited,
 * shown to every screen of the session, and only by a role that may acknowledge, on an alarm it sees.
 */
describe('audio pause of one alarm', () => {
  let s: TestServer;
  let clock: ManualClock;
  const screens: DashClient[] = [];
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock });
  });
  afterEach(async () => {
    for (const d of screens.splice(0)) d.close();
    await s.close();
  });

  const screen = async (who: TestServer['nurse']) => {
    const d = dashboard(who);
    screens.push(d);
    await connected(d);
    const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    return d;
  };

  const send = async (sessionId: string, seqs: number[], over: Record<string, number>) => {
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
    await connected(dev);
    clock.set(T0 + (seqs.at(-1) ?? 0) * 1000);
    const r = (await dev.emitWithAck('frames', seqs.map((seq) => ({ sessionId, seq, t: T0 + seq * 1000, hr: 80, sbp: 120, dbp: 75, spo2: 97, rr: 14, ...over })))) as Result<IngestResult>;
    dev.close();
    if (!r.ok) throw new Error(r.error);
  };

  /** A high SpO2 alarm on a fresh session, seen by `on`. */
  const lowSpo2Alarm = async (on: DashClient) => {
    const sess = await createSession(s.nurse);
    const raised = waitFor<AlarmUpdate>(on, 'alarm', (u) => u.transition === 'raised' && u.alarm.sessionId === sess.id);
    await send(sess.id, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { spo2: 85 });
    return { sess, alarm: (await raised).alarm };
  };

  it('pauses one alarm for the disclosed time, tells every screen, and records who did it', async () => {
    const nurse = await screen(s.nurse);
    const physician = await screen(s.physician);
    const { sess, alarm } = await lowSpo2Alarm(nurse);
    const seen = waitFor<Session>(physician, 'session', (x) => x.id === sess.id && (x.alarmAudioPauses ?? []).length > 0);
    clock.set(T0 + 20_000);
    const r = (await nurse.emitWithAck('alarm:audioPause', { alarmId: alarm.id })) as Result<Session>;
    expect(r.ok && r.data.alarmAudioPauses).toEqual([{ alarmId: alarm.id, until: T0 + 20_000 + 120_000 }]);
    // The session's own pause stays off: the session's other alarms still sound.
    expect(r.ok && r.data.audioPausedUntil).toBeNull();
    expect((await seen).alarmAudioPauses).toEqual([{ alarmId: alarm.id, until: T0 + 140_000 }]);

    const audit = await api<{ action: string; actor: string; entity: string; entity_id: string; after: string }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    const row = audit.body.data.find((a) => a.action === 'alarm.audio_pause' && a.entity === 'alarm');
    expect(row).toMatchObject({ actor: 'user:nurse', entity_id: String(alarm.id) });
    expect(JSON.parse(row!.after)).toEqual({ sessionId: sess.id, until: T0 + 140_000 });

    // A new screen learns of the pause from its snapshot; once the time is up it is gone from the session.
    const late = dashboard(s.nurse);
    screens.push(late);
    await connected(late);
    const snap = (await late.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(snap.ok && snap.data.sessions.find((x) => x.id === sess.id)?.alarmAudioPauses).toEqual([{ alarmId: alarm.id, until: T0 + 140_000 }]);
    // With the pause's fixed duration, so no screen counts down from more than it.
    expect(snap.ok && snap.data.audioPauseMs).toBe(120_000);
    clock.set(T0 + 140_001);
    expect((await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.session.alarmAudioPauses).toEqual([]);
  });

  it('ends the pause when the alarm resolves', async () => {
    const nurse = await screen(s.nurse);
    const { sess, alarm } = await lowSpo2Alarm(nurse);
    await nurse.emitWithAck('alarm:acknowledge', { alarmId: alarm.id });
    await nurse.emitWithAck('alarm:audioPause', { alarmId: alarm.id });
    const dropped = waitFor<Session>(nurse, 'session', (x) => x.id === sess.id && (x.alarmAudioPauses ?? []).length === 0);
    await send(sess.id, [30], { spo2: 97 });
    clock.set(T0 + 46_000);
    s.app.alarms.tick();
    await dropped;
  });

  it('refuses an alarm the user does not see (a trainer and a real session), an unknown alarm, and bad requests, naming the field', async () => {
    const nurse = await screen(s.nurse);
    const { alarm } = await lowSpo2Alarm(nurse);
    // Trainers see simulated sessions only: a real session's alarm is not found for them.
    const trainer = await screen(s.trainer);
    expect(await trainer.emitWithAck('alarm:audioPause', { alarmId: alarm.id })).toMatchObject({ ok: false, error: `alarm ${alarm.id} not found or already resolved` });
    expect(await nurse.emitWithAck('alarm:audioPause', { alarmId: 9999 })).toMatchObject({ ok: false, error: 'alarm 9999 not found or already resolved' });
    const bad = (await nurse.emitWithAck('alarm:audioPause', { alarmId: 'x' } as never)) as Result<Session>;
    expect(bad).toMatchObject({ ok: false, error: 'invalid alarm:audioPause request', fields: [{ field: 'alarmId' }] });
    const extra = (await nurse.emitWithAck('alarm:audioPause', { alarmId: alarm.id, forMs: 3_600_000 } as never)) as Result<Session>;
    expect(extra).toMatchObject({ ok: false, error: 'invalid alarm:audioPause request' });
  });
});
