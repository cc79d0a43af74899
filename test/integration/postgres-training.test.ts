import type { TrainingRun } from '@infusion/shared';
import { silentLogger, TrainingHost } from '@infusion/simulator';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { api, login, startServer, TEST_PASSWORD, type TestServer } from '../support/server';
import { until } from '../support/until';

/**
 * Training runs on PostgreSQL (integration-pg project, TEST_STORE=postgres): migrations 16 and 20: the run's
 * clock (with its history) and timeline survive a restart on the same database, and the host resumes the run.
 */

describe('training runs on PostgreSQL', () => {
  const open: { close(): unknown }[] = [];
  let dir: string | null = null;
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('stores a run with its clock and injected event, and resumes it after a restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-training-'));
    let s: TestServer = await startServer({ dir });
    const people = async (srv: TestServer) => {
      for (const [username, role] of [['coach', 'trainer'], ['trainee', 'nurse']] as const)
        if (!(await srv.app.users.findByUsername(username))) await srv.app.users.create({ username, displayName: username, role, units: ['training'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
      return login(srv.url, 'coach');
    };
    let coach = await people(s);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    open.push(host);
    await until('the host offers its scenarios', async () => (await api<unknown[]>(coach, 'GET', '/api/training/scenarios')).body.data.length > 0);
    const run = (await api<TrainingRun>(coach, 'POST', '/api/training/runs', { scenario: 'stable', seed: 9, trainee: 'trainee', unit: 'training' })).body.data;
    expect((await api(coach, 'POST', `/api/training/runs/${run.id}/start`)).status).toBe(200);
    expect((await api(coach, 'POST', `/api/training/runs/${run.id}/speed`, { speed: 60 })).status).toBe(200);
    expect((await api(coach, 'POST', `/api/training/runs/${run.id}/events`, { event: { kind: 'prompt', label: 'Patient asks', text: 'Is this normal?' } })).status).toBe(200);
    await until('frames stored', async () => (await api<{ trend: unknown[] }>(coach, 'GET', `/api/sessions/${run.sessionId}`)).body.data.trend.length > 0);
    const paused = (await api<TrainingRun>(coach, 'POST', `/api/training/runs/${run.id}/pause`)).body.data;
    expect(paused.clock.scenarioMs).toBeGreaterThan(0);

    host.close();
    await s.app.close();
    open.splice(0);
    s = await startServer({ dir });
    open.push(s);
    coach = await people(s);
    const back = (await api<TrainingRun>(coach, 'GET', `/api/training/runs/${run.id}`)).body.data;
    expect(back).toMatchObject({ state: 'paused', speed: 60, seed: 9, clock: { scenarioMs: paused.clock.scenarioMs, running: false } });
    expect(back.events).toMatchObject([{ kind: 'inject', event: { kind: 'prompt', label: 'Patient asks' } }]);
    // The clock's history is back (migration 17): the session is judged on scenario time from the run's
    // creation, e.g. the instant of the pause maps to the scenario time it had then.
    const time = s.app.training.timeOf(run.sessionId);
    expect(time?.at(paused.clock.wallAt)).toBe(run.createdAt + paused.clock.scenarioMs);
    expect(time?.at(paused.clock.wallAt + 3_600_000)).toBe(run.createdAt + paused.clock.scenarioMs);
    expect(time?.wallOf(run.createdAt + paused.clock.scenarioMs)).toBe(paused.clock.wallAt);
    expect((await api<TrainingRun[]>(await login(s.url, 'trainee'), 'GET', '/api/training/runs')).body.data.map((r) => r.id)).toEqual([run.id]);
    const resumed = (await api<TrainingRun>(coach, 'POST', `/api/training/runs/${run.id}/resume`)).body.data;
    expect(resumed.clock.running).toBe(true);
  });
});
