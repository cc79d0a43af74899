import { defaultRuleSet, type Alarm, type Escalation, type IngestResult, type Result, type RuleSet, type Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, createSession, dashboard, device, login, startServer, waitFor, type DashClient, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
// The shipped set has both paths: HR > 150 (high, at once) and HR > 120 for 10 s (medium).
const RULES: RuleSet = defaultRuleSet;

describe('escalation to the supervising physician', () => {
  let s: TestServer;
  let clock: ManualClock;
  let hook: Server | null = null;
  const socks: DashClient[] = [];
  afterEach(async () => {
    socks.forEach((x) => x.close());
    socks.length = 0;
    hook?.close();
    hook = null;
    await s.close();
  });

  const start = async (config = {}) => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, ruleSet: RULES, config: { SESSION_IDLE_MS: 24 * 3_600_000, ...config } });
  };
  const sendHr = async (sessionId: string, seq: number, hr: number) => {
    const dev = device(s);
    await connected(dev);
    clock.set(T0 + seq * 1000);
    const r = (await dev.emitWithAck('frames', [{ sessionId, seq, t: T0 + seq * 1000, hr }])) as Result<IngestResult>;
    dev.close();
    expect(r.ok && r.data.accepted).toEqual([seq]);
  };
  const subscribed = async (who: 'nurse' | 'physician') => {
    const d = dashboard(s[who]);
    socks.push(d);
    await connected(d);
    const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    return { d, snap: snap.data };
  };

  it('pages the physicians at once for a high alarm, then every clinician after 120 s unacknowledged', async () => {
    await start();
    const sess = await createSession(s.nurse, { location: 'Chair 4' });
    const phys = await subscribed('physician');
    const nurse = await subscribed('nurse');
    const nurseEsc: Escalation[] = [];
    nurse.d.on('escalation', (e) => nurseEsc.push(e));

    const lvl1 = waitFor<Escalation>(phys.d, 'escalation');
    await sendHr(sess.id, 1, 165);
    const e1 = await lvl1;
    expect(e1).toMatchObject({ level: 1, state: 'open', priority: 'high', message: 'HR 165 > 150', location: 'Chair 4', openedAt: T0 + 1000, nextLevelAt: T0 + 1000 + 120_000 });
    expect(nurseEsc).toEqual([]);

    clock.set(T0 + 1000 + 119_000);
    s.app.escalations.tick();
    expect(nurseEsc).toEqual([]);
    const lvl2 = waitFor<Escalation>(nurse.d, 'escalation');
    clock.set(T0 + 1000 + 120_000);
    s.app.escalations.tick();
    expect(await lvl2).toMatchObject({ id: e1.id, level: 2, nextLevelAt: null });

    const ack = (await phys.d.emitWithAck('escalation:acknowledge', { escalationId: e1.id })) as Result<Escalation>;
    expect(ack.ok && ack.data).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'user:physician' });
    const byNurse = (await nurse.d.emitWithAck('escalation:acknowledge', { escalationId: e1.id })) as Result<Escalation>;
    expect(byNurse).toMatchObject({ ok: false, error: 'role nurse may not escalation.acknowledge' });

    // (HR 165 also broke the medium limit of 120: that alarm escalated on its own at 61 s.)
    const steps = await dbOf(s).selectFrom('notifications').select(['level', 'channel', 'target', 'status', 'created_at']).where('escalation_id', '=', e1.id).orderBy('id').execute();
    expect(steps).toEqual([
      { level: 1, channel: 'dashboard', target: 'physicians:infusion-suite', status: 'sent', created_at: T0 + 1000 },
      { level: 2, channel: 'dashboard', target: 'unit:infusion-suite', status: 'sent', created_at: T0 + 121_000 },
    ]);
  });

  it('escalates a medium alarm only when nobody acknowledges it within 60 s', async () => {
    await start();
    const a = await createSession(s.nurse);
    const b = await createSession(s.nurse);
    const phys = await subscribed('physician');
    const nurse = await subscribed('nurse');
    const got: Escalation[] = [];
    phys.d.on('escalation', (e) => got.push(e));

    const raisedA = waitFor<{ alarm: Alarm }>(nurse.d, 'alarm', (u) => u.alarm.sessionId === a.id && u.alarm.priority === 'medium');
    await sendHr(a.id, 1, 130);
    await sendHr(b.id, 2, 131);
    await sendHr(a.id, 11, 130); // 10 s above 120: the medium alarm fires
    await sendHr(b.id, 12, 131);
    const alarmA = (await raisedA).alarm;
    expect(alarmA.message).toBe('HR 130 > 120');
    clock.set(T0 + 40_000);
    await nurse.d.emitWithAck('alarm:acknowledge', { alarmId: alarmA.id });
    clock.set(T0 + 12_000 + 59_000);
    s.app.escalations.tick();
    // B's escalation is the barrier: anything the earlier ticks sent would arrive before it.
    const escalatedB = waitFor<Escalation>(phys.d, 'escalation', (e) => e.sessionId === b.id);
    clock.set(T0 + 12_000 + 60_000);
    s.app.escalations.tick();
    await escalatedB;
    expect(got.map((e) => [e.sessionId, e.level, e.priority])).toEqual([[b.id, 1, 'medium']]);
  });

  it('stops escalating when the alarm resolves, and offers open escalations in the physician snapshot', async () => {
    await start();
    const sess = await createSession(s.nurse);
    await sendHr(sess.id, 1, 170);
    const phys = await subscribed('physician');
    expect(phys.snap.escalations.map((e) => [e.level, e.message])).toEqual([[1, 'HR 170 > 150']]);
    const nurse = await subscribed('nurse');
    expect(nurse.snap.escalations).toEqual([]);
    const closed = waitFor<Escalation>(phys.d, 'escalation', (e) => e.state === 'closed');
    await sendHr(sess.id, 2, 140); // back inside the band (a jump to 90 in 1 s would be judged an artifact)
    const alarm = (await nurse.d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    const id = alarm.ok ? alarm.data.alarms.find((a) => a.ruleId === 'hr.high.high')!.id : -1;
    await nurse.d.emitWithAck('alarm:acknowledge', { alarmId: id });
    expect(await closed).toMatchObject({ closedReason: 'alarm resolved' });
    clock.advance(200_000);
    s.app.escalations.tick();
    expect(s.app.escalations.list()).toEqual([]);
  });

  it('lists escalations acknowledged in the last 12 hours in a new snapshot (the inbox after a reload), to their responders only', async () => {
    await start();
    const old = await createSession(s.nurse, { location: 'Chair 1' });
    await sendHr(old.id, 1, 170);
    const phys = await subscribed('physician');
    const [e1] = phys.snap.escalations;
    const acked = (await phys.d.emitWithAck('escalation:acknowledge', { escalationId: e1!.id })) as Result<Escalation>;
    expect(acked.ok).toBe(true);
    clock.set(T0 + 13 * 3_600_000);
    // A new shift: the clinicians log in again (their sessions of 13 h ago have expired).
    s.nurse = await login(s.url, 'nurse');
    s.physician = await login(s.url, 'physician');
    const recent = await createSession(s.nurse, { location: 'Chair 2' });
    await sendHr(recent.id, 13 * 3600 + 5, 171);
    const again = await subscribed('physician');
    const [e2] = again.snap.escalations;
    await again.d.emitWithAck('escalation:acknowledge', { escalationId: e2!.id });

    const reloaded = await subscribed('physician');
    expect(reloaded.snap.escalations).toEqual([]);
    // The one acknowledged 13 h ago has left the list; the one acknowledged now is on it, with who and when.
    expect(reloaded.snap.recentEscalations?.map((e) => [e.sessionId, e.state, e.acknowledgedBy])).toEqual([[recent.id, 'acknowledged', 'user:physician']]);
    const nurse = await subscribed('nurse');
    expect(nurse.snap.recentEscalations).toEqual([]);
  });

  it('sends every step to the paging webhook through the outbox, retrying until it answers', async () => {
    const received: unknown[] = [];
    let failuresLeft = 2;
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failuresLeft-- > 0) {
          res.statusCode = 503;
          res.end();
          return;
        }
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook!.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/page`;
    await start({ WEBHOOK_URLS: [url] });
    const sess = await createSession(s.nurse, { location: 'Bed 2' });
    await sendHr(sess.id, 1, 180);
    // The escalation step and its outbox row are written after the alarm that opened it.
    await s.app.escalations.idle();
    await s.app.outbox.tick(); // 503
    clock.advance(1000);
    await s.app.outbox.tick(); // 503 again
    clock.advance(1000);
    await s.app.outbox.tick(); // not due yet: backoff is 2 s after the second failure
    expect(received).toEqual([]);
    clock.advance(1000);
    await s.app.outbox.tick();
    expect(received).toEqual([expect.objectContaining({ level: 1, location: 'Bed 2', message: 'HR 180 > 150' })]);
    expect(await dbOf(s).selectFrom('notifications').select(['status', 'attempts', 'last_error']).where('channel', '=', 'webhook').execute()).toEqual([{ status: 'sent', attempts: 3, last_error: null }]);
  });

  it('pages each of 30 sessions raising a high alarm in the same second once, each escalation stored after its alarm', async () => {
    await start({ WEBHOOK_URLS: ['http://pager.invalid/page'] });
    const sessions = await Promise.all(Array.from({ length: 30 }, (_, i) => createSession(s.nurse, { location: `Chair ${i + 1}` })));
    const phys = await subscribed('physician');
    const got: Escalation[] = [];
    phys.d.on('escalation', (e) => got.push(e));
    // One device batch: the 30 alarms are written together, and their escalations follow together.
    const dev = device(s);
    await connected(dev);
    clock.set(T0 + 1000);
    const r = (await dev.emitWithAck('frames', sessions.map((x) => ({ sessionId: x.id, seq: 1, t: T0 + 1000, hr: 170 })))) as Result<IngestResult>;
    dev.close();
    expect(r.ok && r.data.accepted).toHaveLength(30);
    await s.app.escalations.idle();
    await expect.poll(() => got.filter((e) => e.level === 1 && e.priority === 'high').length).toBe(30);
    const high = got.filter((e) => e.priority === 'high');
    expect(new Set(high.map((e) => e.sessionId))).toEqual(new Set(sessions.map((x) => x.id)));
    // Each with its own session's location, as stored (the physician's inbox after a reload reads the same).
    for (const e of high) expect(e.location).toBe(sessions.find((x) => x.id === e.sessionId)!.location);
    const reloaded = await subscribed('physician');
    expect(reloaded.snap.escalations.filter((e) => e.priority === 'high').map((e) => e.id).sort()).toEqual(high.map((e) => e.id).sort());
    // One page each in the outbox, for its own escalation; the alarm it pages for was stored first.
    const pages = await dbOf(s)
      .selectFrom('notifications as n')
      .innerJoin('escalations as e', 'e.id', 'n.escalation_id')
      .innerJoin('alarms as a', 'a.id', 'e.alarm_id')
      .select(['e.id', 'e.alarm_id', 'e.body', 'n.payload'])
      .where('n.channel', '=', 'webhook')
      .where('a.priority', '=', 'high')
      .execute();
    expect(pages).toHaveLength(30);
    expect(new Set(pages.map((p) => Number(p.alarm_id))).size).toBe(30);
    const parsed = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Escalation;
    for (const p of pages) {
      expect(parsed(p.payload)).toMatchObject({ id: Number(p.id), alarmId: Number(p.alarm_id), level: 1 });
      // The stored body (every reader of the table parses it) is its own row's escalation.
      expect(parsed(p.body)).toMatchObject({ id: Number(p.id), alarmId: Number(p.alarm_id), level: 1, state: 'open' });
    }
  });
});
