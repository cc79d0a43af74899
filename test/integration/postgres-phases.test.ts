import type { DischargeRecord, Session, SessionDetail } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, device, prepareStart, startServer, type TestServer } from '../support/server';

/**
 * Phases and discharge on PostgreSQL (integration-pg, TEST_STORE=postgres): migration 14's tables and
 * columns written and read back after a restart on the same database.
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const MIN = 60_000;

describe('phases and discharge on PostgreSQL', () => {
  const open: { close(): unknown }[] = [];
  let dir: string | null = null;
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('stores each phase, the recovery stop time and a physician-overridden discharge, and reads them back after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'infusion-pg-phases-'));
    const clock = new ManualClock(T0);
    const s: TestServer = await startServer({ clock, dir });
    open.push(s);
    expect(s.app.store.kind).toBe('postgres');

    const sess = await createSession(s.nurse);
    await prepareStart(s, s.nurse, sess.id, T0);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'wants to go home' })).status).toBe(409);
    clock.set(T0 + 10 * MIN);
    const stopped = await api<{ session: Session }>(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'stop' });
    expect(stopped.body.data.session).toMatchObject({ phase: 'recovery', phaseSince: T0 + 10 * MIN });
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [{ sessionId: sess.id, seq: 5, t: T0 + 10 * MIN, hr: 72, sbp: 120, dbp: 78, spo2: 98 }]);
    dev.close();

    // A restart on the same database: the session is still in recovery since the stop.
    await s.close();
    open.pop();
    const again = await startServer({ clock, dir });
    open.push(again);
    const listed = await api<Session[]>(again.nurse, 'GET', '/api/sessions');
    expect(listed.body.data.find((x) => x.id === sess.id)).toMatchObject({ phase: 'recovery', phaseSince: T0 + 10 * MIN });

    clock.set(T0 + 20 * MIN);
    const input = { aldrete: { activity: 2, respiration: 2, consciousness: 2 }, onSupplementalOxygen: false, finalSedation: { scale: 'RASS', score: 0 }, finalPain: 2, mentalStatusAtBaseline: true, escortPresent: true, noDrivingAgreed: true };
    const refused = await api(again.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, input);
    expect(refused.status).toBe(409);
    expect(refused.body.fields).toEqual([{ field: 'observation_time', reason: '10 min since the stop (minimum 30 min)' }]);
    const done = await api<{ discharge: DischargeRecord }>(again.physician, 'POST', `/api/sessions/${sess.id}/discharge`, { ...input, override: { reason: 'stable, reviewed by me; escort present' } });
    expect(done.status).toBe(200);

    const d = (await api<SessionDetail>(again.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data;
    expect(d.session).toMatchObject({ status: 'ended', phase: 'discharged', phaseSince: T0 + 20 * MIN });
    expect(d.phases?.map((p) => [p.phase, p.at, p.by, p.reason])).toEqual([
      ['pre_infusion', T0, 'user:nurse', null],
      ['infusion', T0, 'user:nurse', null],
      ['recovery', T0 + 10 * MIN, 'user:nurse', null],
      ['discharged', T0 + 20 * MIN, 'user:physician', 'stable, reviewed by me; escort present'],
    ]);
    expect(d.discharge).toMatchObject({ at: T0 + 20 * MIN, by: 'user:physician', assessment: { met: false, score: 10 }, override: { by: 'user:physician', at: T0 + 20 * MIN } });
  });
});
