import { defaultRuleSet, type AlarmUpdate, type Escalation, type IngestResult, type Result, type SessionDetail, type Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connected, createSession, dashboard, device, deviceKeyFor, startServer, waitFor, type DashClient, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/**
 * Simulated sessions are for training: their alarms and escalations reach trainers and the screens
 * showing them, never a real physician's pager or "every clinician of the unit".
 */
describe('simulated escalations stay in training', () => {
  let s: TestServer;
  let hook: Server;
  const socks: DashClient[] = [];
  afterEach(async () => {
    socks.forEach((x) => x.close());
    socks.length = 0;
    hook?.close();
    await s.close();
  });

  it('reach trainers and the open page of the simulated session only, never physicians, the unit or the webhook', async () => {
    const paged: Escalation[] = [];
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        paged.push(JSON.parse(body) as Escalation);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/page`;
    const clock = new ManualClock(T0);
    s = await startServer({ clock, ruleSet: defaultRuleSet, config: { SESSION_IDLE_MS: 24 * 3_600_000, WEBHOOK_URLS: [url] } });
    const sim = await createSession(s.trainer, { simulated: true, patientLabel: 'SIM-1', location: 'Sim lab 1' });
    const real = await createSession(s.nurse, { patientLabel: 'Bay-2', location: 'Chair 2' });

    const open = async (who: 'nurse' | 'physician' | 'trainer') => {
      const d = dashboard(s[who]);
      socks.push(d);
      await connected(d);
      const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
      if (!snap.ok) throw new Error(snap.error);
      const esc: Escalation[] = [];
      const alarms: AlarmUpdate[] = [];
      d.on('escalation', (e) => esc.push(e));
      d.on('alarm', (u) => alarms.push(u));
      return { d, esc, alarms };
    };
    const nurse = await open('nurse');
    const physician = await open('physician');
    const trainer = await open('trainer');
    // A physician's screen showing the simulated session's page (a teaching round).
    const viewer = await open('physician');
    const detail = (await viewer.d.emitWithAck('session:detail', { sessionId: sim.id })) as Result<SessionDetail>;
    expect(detail.ok).toBe(true);

    const admin = dashboard(s.admin);
    socks.push(admin);
    await expect(connected(admin)).rejects.toThrow('role admin has no dashboard');

    const sendHr = async (sessionId: string, seq: number, hr: number) => {
      const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
      await connected(dev);
      clock.set(T0 + seq * 1000);
      const r = (await dev.emitWithAck('frames', [{ sessionId, seq, t: T0 + seq * 1000, hr }])) as Result<IngestResult>;
      dev.close();
      expect(r.ok && r.data.accepted).toEqual([seq]);
    };

    // Simulated high alarm: level 1 at once.
    const trainerLvl1 = waitFor<Escalation>(trainer.d, 'escalation', (e) => e.sessionId === sim.id && e.level === 1);
    const viewerLvl1 = waitFor<Escalation>(viewer.d, 'escalation', (e) => e.sessionId === sim.id && e.level === 1);
    await sendHr(sim.id, 1, 165);
    expect(await trainerLvl1).toMatchObject({ simulated: true, message: 'HR 165 > 150' });
    await viewerLvl1;
    // The alarm itself is shown wherever the simulated session is shown (marked SIMULATED there).
    await expect.poll(() => nurse.alarms.some((u) => u.alarm.sessionId === sim.id && u.alarm.simulated)).toBe(true);

    // Its level 2 ("every clinician of the unit") goes to the trainers, not to the unit.
    const trainerLvl2 = waitFor<Escalation>(trainer.d, 'escalation', (e) => e.sessionId === sim.id && e.level === 2);
    clock.set(T0 + 1000 + 120_000);
    s.app.escalations.tick();
    await trainerLvl2;

    // A real high alarm after it: the physicians get level 1, later the nurse level 2. Events reach each
    // screen in order, so once the real ones are in, any simulated escalation would be there too.
    const physReal = waitFor<Escalation>(physician.d, 'escalation', (e) => e.sessionId === real.id && e.level === 1);
    await sendHr(real.id, 200, 170);
    await physReal;
    clock.set(T0 + 200_000 + 120_000);
    s.app.escalations.tick();
    const hasRealLevel2 = (x: { esc: Escalation[] }) => x.esc.some((e) => e.sessionId === real.id && e.level === 2);
    await expect.poll(() => hasRealLevel2(nurse) && hasRealLevel2(physician) && hasRealLevel2(viewer)).toBe(true);

    expect(physician.esc.filter((e) => e.simulated)).toEqual([]);
    expect(nurse.esc.filter((e) => e.simulated)).toEqual([]);
    expect(trainer.esc.filter((e) => !e.simulated)).toEqual([]);
    expect(trainer.alarms.filter((u) => !u.alarm.simulated)).toEqual([]);

    // Fresh snapshots agree with the live routing.
    const snapOf = async (d: DashClient) => {
      const r = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
      if (!r.ok) throw new Error(r.error);
      return r.data.escalations.map((e) => [e.sessionId, e.simulated]);
    };
    expect(await snapOf(physician.d)).not.toContainEqual([sim.id, true]);
    expect(await snapOf(nurse.d)).not.toContainEqual([sim.id, true]);
    expect(await snapOf(trainer.d)).toEqual([[sim.id, true]]);

    // The pager hears only of the real patient.
    await s.app.outbox.tick();
    expect(paged.length).toBeGreaterThan(0);
    expect(paged.filter((e) => e.simulated || e.sessionId === sim.id)).toEqual([]);
    const simRows = await dbOf(s)
      .selectFrom('notifications as n')
      .innerJoin('escalations as e', 'e.id', 'n.escalation_id')
      .select(['n.channel', 'n.target', 'n.level'])
      .where('e.session_id', '=', sim.id)
      .orderBy('n.id')
      .execute();
    expect(simRows).toEqual([
      { channel: 'dashboard', target: 'trainers:infusion-suite', level: 1 },
      { channel: 'dashboard', target: 'trainers:infusion-suite', level: 2 },
    ]);
  });
});
