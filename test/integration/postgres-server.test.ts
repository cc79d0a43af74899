import type { Alarm, AlarmUpdate, IngestResult, Result, Session, SessionDetail, Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, device, passingChecklist, startServer, waitFor, writeOrder, type DashClient, type TestServer } from '../support/server';

/**
 * The whole server on PostgreSQL (this file runs in the integration-pg project, TEST_STORE=postgres):
 * what a bedside user does end to end, then a restart on the same database.
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('the server on PostgreSQL', () => {
  const open: { close(): unknown }[] = [];
  let dir: string | null = null;
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  const started = async (clock: ManualClock, d: string): Promise<TestServer> => {
    const s = await startServer({ clock, dir: d });
    open.push(s);
    return s;
  };
  const screen = async (s: TestServer, who = s.nurse): Promise<{ dash: DashClient; snap: Snapshot }> => {
    const dash = dashboard(who);
    open.push(dash);
    await connected(dash);
    const r = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!r.ok) throw new Error(r.error);
    return { dash, snap: r.data };
  };
  const send = async (s: { url: string; deviceKey: string }, clock: ManualClock, sessionId: string, seqs: number[], spo2: number): Promise<IngestResult> => {
    const dev = device(s);
    await connected(dev);
    clock.set(T0 + (seqs.at(-1) ?? 0) * 1000);
    const r = (await dev.emitWithAck('frames', seqs.map((seq) => ({ sessionId, seq, t: T0 + seq * 1000, hr: 80, sbp: 120, dbp: 75, spo2, rr: 14 })))) as Result<IngestResult>;
    dev.close();
    if (!r.ok) throw new Error(r.error);
    return r.data;
  };
  const detail = async (dash: DashClient, sessionId: string): Promise<SessionDetail> => {
    const r = (await dash.emitWithAck('session:detail', { sessionId })) as Result<SessionDetail>;
    if (!r.ok) throw new Error(r.error);
    return r.data;
  };

  it('monitors a session end to end, and a restart on the same database keeps the session, its infusion and its open alarm', async () => {
    dir = mkdtempSync(join(tmpdir(), 'infusion-pg-server-'));
    const clock = new ManualClock(T0);
    const s = await started(clock, dir);
    expect(s.app.store.kind).toBe('postgres');

    // Logged in (startServer logs every role in over HTTP); a nurse opens a session fed by the real device.
    const sess = await createSession(s.nurse);
    const { dash, snap } = await screen(s);
    expect(snap.sessions.map((x) => x.id)).toEqual([sess.id]);

    // Frames over the device socket: SpO2 below 88 for 10 s raises the high-priority alarm on the screen.
    const raised = waitFor<AlarmUpdate>(dash, 'alarm', (u) => u.transition === 'raised');
    const first = await send(s, clock, sess.id, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 85);
    expect(first.accepted).toHaveLength(11);
    const alarm = (await raised).alarm;
    expect(alarm).toMatchObject({ sessionId: sess.id, ruleId: 'spo2.low.high', state: 'active' });
    const ack = (await dash.emitWithAck('alarm:acknowledge', { alarmId: alarm.id })) as Result<Alarm>;
    expect(ack.ok && ack.data).toMatchObject({ id: alarm.id, state: 'acknowledged', acknowledgedAt: T0 + 11_000 });

    // The physician's order, the nurse's scores and checklist, then the start (its audit entry commits with it).
    const order = await writeOrder(s.physician, sess.id);
    expect(order.version).toBe(1);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 0 })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: 6 })).status).toBe(201);
    const checklist = await api<{ result: { passed: boolean } }>(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, passingChecklist(0.5));
    expect(checklist.body.data.result.passed).toBe(true);
    const start = await api<{ session: Session }>(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    expect(start.status).toBe(201);
    expect(start.body.data.session.infusion.status).toBe('running');

    // Read back: the screen's detail and the HTTP snapshot, from PostgreSQL.
    const d = await detail(dash, sess.id);
    expect(d.trend.length).toBeGreaterThan(0);
    expect(d.trend.some((p) => p.spo2 === 85)).toBe(true);
    expect(d.infusionEvents.map((e) => e.type)).toEqual(['start']);
    expect(d.alarms.map((a) => [a.id, a.state])).toEqual([[alarm.id, 'acknowledged']]);
    expect(d.observations).toHaveLength(2);
    expect(d.order?.version).toBe(1);
    const got = await api<SessionDetail>(s.nurse, 'GET', `/api/sessions/${sess.id}`);
    expect(got.status).toBe(200);
    expect(got.body.data.session.baseline).not.toBeNull();
    expect(got.body.data.trend.length).toBeGreaterThan(0);
    expect(got.body.data.order?.version).toBe(1);
    const actions = (await s.app.store.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['session.create', 'order.write', 'checklist.submit', 'infusion.start']));

    // Restart on the same database (same dir: the same PostgreSQL database).
    const deviceKey = s.deviceKey;
    await s.close();
    open.splice(open.indexOf(s), 1);
    const again = await started(clock, dir);
    const back = await screen(again);
    expect(back.snap.sessions.map((x) => [x.id, x.status, x.infusion.status])).toEqual([[sess.id, 'active', 'running']]);
    expect(back.snap.alarms.map((a) => [a.id, a.state])).toEqual([[alarm.id, 'acknowledged']]);
    // The device's seq window is read back: a resent seq is a duplicate, a new one is stored.
    const resent = await send({ url: again.url, deviceKey }, clock, sess.id, [11, 12], 85);
    expect(resent.duplicates).toEqual([11]);
    expect(resent.accepted).toEqual([12]);
    const after = await detail(back.dash, sess.id);
    expect(after.order?.version).toBe(1);
    expect(after.alarms.map((a) => [a.id, a.state])).toEqual([[alarm.id, 'acknowledged']]);
  });
});
