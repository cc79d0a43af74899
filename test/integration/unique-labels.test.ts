import type { Session } from '@infusion/shared';
import { runSimulation, silentLogger, type SimulationHandle } from '@infusion/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { api, createSession, login, startServer, TEST_PASSWORD, type TestServer } from '../support/server';

/**
 * Every screen names a session by its chair and patient label, so no two active sessions of a unit
 * may share either: two simulator runs once gave two tiles both called "SIM-01 Chair 1".
 */
describe('chair and patient label identify one active session', () => {
  let s: TestServer;
  const runs: SimulationHandle[] = [];
  afterEach(async () => {
    for (const r of runs.splice(0)) await r.stop();
    await s.close();
  });

  const simulate = async (sessions: number) => {
    const h = await runSimulation({ url: s.url, sessions, headers: s.trainer.headers, auth: { deviceKey: s.simDeviceKey }, log: silentLogger, frameIntervalMs: 1000 });
    runs.push(h);
    return h;
  };

  it('a second simulator run, and a real patient in Chair 1, get chairs and labels no active session uses', async () => {
    s = await startServer();
    await createSession(s.nurse, { patientLabel: 'Bay-1 pt', location: 'Chair 1' });
    await simulate(2);
    await simulate(2);
    const active = (await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data;
    const names = active.map((x) => `${x.location} ${x.patientLabel}`);
    expect(names).toEqual(['Chair 1 Bay-1 pt', 'Chair 2 SIM-02', 'Chair 3 SIM-03', 'Chair 4 SIM-04', 'Chair 5 SIM-05']);
    // What the dashboard shows stays one patient per line.
    expect(new Set(active.map((x) => x.location)).size).toBe(active.length);
    expect(new Set(active.map((x) => x.patientLabel)).size).toBe(active.length);
  });

  it('two load runs started at once in one unit (--unit, --scenario) get labels and chairs that never collide', async () => {
    s = await startServer();
    await s.app.users.create({ username: 'loadtrainer', displayName: 'Load trainer', role: 'trainer', units: ['ward-b'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    const who = await login(s.url, 'loadtrainer');
    const start = () => runSimulation({ url: s.url, sessions: 50, unit: 'ward-b', scenarios: ['desaturation'], headers: who.headers, auth: { deviceKey: s.simDeviceKey }, log: silentLogger, frameIntervalMs: 1000 });
    const both = await Promise.all([start(), start()]);
    runs.push(...both);
    const active = (await api<Session[]>(who, 'GET', '/api/sessions')).body.data;
    expect(active.length).toBe(100);
    expect(active.every((x) => x.unit === 'ward-b' && x.simulated)).toBe(true);
    expect(new Set(active.map((x) => x.patientLabel)).size).toBe(100);
    expect(new Set(active.map((x) => x.location)).size).toBe(100);
    expect(new Set(both.flatMap((h) => h.sessions.map((x) => x.scenario)))).toEqual(new Set(['desaturation']));
  }, 60_000);
});
