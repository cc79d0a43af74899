import type { Session, TrainingRun } from '@infusion/shared';
import { SCENARIOS, silentLogger, TrainingHost } from '@infusion/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, login, passingChecklist, startServer, TEST_PASSWORD, writeOrder, type Caller, type DashClient } from '../support/server';
import { until } from '../support/until';

/**
 * A training run's session is its trainee's and its unit's trainers' only: another clinician of the
 * training unit does not find it in the session list, the dashboard snapshot or the session events.
 */


async function screen(who: Caller): Promise<{ sock: DashClient; snapshot: string[]; sessionEvents: Session[] }> {
  const sock = dashboard(who);
  const seen = { sock, snapshot: [] as string[], sessionEvents: [] as Session[] };
  sock.on('session', (s) => seen.sessionEvents.push(s));
  await connected(sock);
  const r = await sock.emitWithAck('subscribe', {});
  if (!r.ok) throw new Error(r.error);
  seen.snapshot = r.data.sessions.map((s) => s.id);
  return seen;
}

describe('training run visibility', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('lists, snapshots and sends a run\'s session only to its trainee and the unit\'s trainers', async () => {
    const s = await startServer();
    cleanup.push(() => s.close());
    const mk = async (username: string, role: 'nurse' | 'physician' | 'trainer', units: string[]) => {
      await s.app.users.create({ username, displayName: username, role, units, password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
      return login(s.url, username);
    };
    const coach = await mk('coach', 'trainer', ['training']);
    const trainee = await mk('trainee', 'nurse', ['training']);
    // A nurse of the training unit who also works a clinical unit.
    const colleague = await mk('colleague', 'nurse', ['training', 'infusion-suite']);
    const unitPhysician = await mk('unitphys', 'physician', ['training']);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(coach, 'GET', '/api/training/scenarios')).body.data.length > 0);
    const created = await api<TrainingRun>(coach, 'POST', '/api/training/runs', { scenario: 'stable', seed: 3, trainee: 'trainee', unit: 'training' });
    expect(created.status).toBe(201);
    const run = created.body.data;
    await api(coach, 'POST', `/api/training/runs/${run.id}/start`, {});

    const listed = async (who: Caller) => (await api<Session[]>(who, 'GET', '/api/sessions')).body.data.map((x) => x.id);
    expect(await listed(trainee)).toContain(run.sessionId);
    expect(await listed(coach)).toContain(run.sessionId);
    expect(await listed(colleague)).not.toContain(run.sessionId);
    expect(await listed(unitPhysician)).not.toContain(run.sessionId);

    const screens = { trainee: await screen(trainee), coach: await screen(coach), colleague: await screen(colleague), unitPhysician: await screen(unitPhysician) };
    cleanup.push(() => Object.values(screens).forEach((x) => x.sock.close()));
    expect(screens.trainee.snapshot).toContain(run.sessionId);
    expect(screens.coach.snapshot).toContain(run.sessionId);
    expect(screens.colleague.snapshot).not.toContain(run.sessionId);
    expect(screens.unitPhysician.snapshot).not.toContain(run.sessionId);

    // A change of the session (its infusion started) reaches the trainee and the trainer, nobody else.
    await until('baseline frames', async () => (await api<{ trend: unknown[] }>(trainee, 'GET', `/api/sessions/${run.sessionId}`)).body.data.trend.length > 0);
    await writeOrder(coach, run.sessionId, { setting: SCENARIOS.stable.setting, rateMinMgKgH: 0.5, rateMaxMgKgH: 1 });
    await api(trainee, 'POST', `/api/sessions/${run.sessionId}/observations`, { scale: 'RASS', score: 0 });
    await api(trainee, 'POST', `/api/sessions/${run.sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
    await api(trainee, 'PUT', `/api/sessions/${run.sessionId}/checklist`, passingChecklist(1));
    const start = await api(trainee, 'POST', `/api/sessions/${run.sessionId}/infusion`, { type: 'start', rateMgKgH: 1 });
    expect(start.status, JSON.stringify(start.body)).toBe(201);
    const started = (x: { sessionEvents: Session[] }) => x.sessionEvents.some((e) => e.id === run.sessionId && e.infusion.status === 'running');
    await until('the trainee and the trainer see it start', () => started(screens.trainee) && started(screens.coach));
    // A clinical session opened after it reaches the colleague: their screen was listening all along.
    const clinical = await createSession(colleague, { unit: 'infusion-suite', patientLabel: 'C-1', location: 'Bay 1' });
    await until('the colleague sees the clinical session', () => screens.colleague.sessionEvents.some((e) => e.id === clinical.id));
    expect(screens.colleague.sessionEvents.filter((e) => e.id === run.sessionId)).toEqual([]);
    expect(screens.unitPhysician.sessionEvents.filter((e) => e.id === run.sessionId)).toEqual([]);
    // Its record answers 404, as a session of another unit would.
    expect((await api(colleague, 'GET', `/api/sessions/${run.sessionId}`)).status).toBe(404);
  }, 60_000);
});
