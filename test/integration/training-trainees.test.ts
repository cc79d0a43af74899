import type { TrainingRun, TrainingScenarioSummary, TrainingTraineeOption } from '@infusion/shared';
import { silentLogger, TrainingHost } from '@infusion/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, login, startServer, TEST_PASSWORD, type Caller, type TestServer } from '../support/server';
import { until } from '../support/until';

/**
 * The trainer console offers the training unit's clinicians as a run's trainee: exactly those a run
 * would accept (active, not an admin, assigned to the unit or to every unit), to trainers of that unit only.
 */
describe('GET /api/training/trainees', () => {
  let s: TestServer;
  let coach: Caller;
  let otherCoach: Caller;

  beforeAll(async () => {
    s = await startServer({ config: { LOG_LEVEL: 'error', TRAINING_UNITS: ['training', 'sim-lab'] } as never });
    const mk = async (username: string, role: 'nurse' | 'physician' | 'trainer' | 'admin', units: string[], disabled = false) => {
      const u = await s.app.users.create({ username, displayName: `Name of ${username}`, role, units, password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
      if (disabled) await s.app.users.update(u.id, { disabled: true }, { id: 'test' });
    };
    await mk('tt-coach', 'trainer', ['training']);
    await mk('tt-labcoach', 'trainer', ['sim-lab']);
    await mk('tt-nurse', 'nurse', ['training']);
    await mk('tt-phys', 'physician', ['*']);
    await mk('tt-labnurse', 'nurse', ['sim-lab']);
    await mk('tt-gone', 'nurse', ['training'], true);
    await mk('tt-admin', 'admin', ['training']);
    coach = await login(s.url, 'tt-coach');
    otherCoach = await login(s.url, 'tt-labcoach');
  });
  afterAll(async () => {
    await s?.close();
  });

  const names = (xs: TrainingTraineeOption[]) => xs.map((x) => x.username).filter((n) => n.startsWith('tt-'));

  it("lists the unit's active clinicians with their names and roles, as a run's create accepts them", async () => {
    const r = await api<TrainingTraineeOption[]>(coach, 'GET', '/api/training/trainees?unit=training');
    expect(r.status).toBe(200);
    // Not the disabled nurse, not the admin, not the other unit's nurse; the all-units physician is offered.
    expect(names(r.body.data)).toEqual(['tt-coach', 'tt-nurse', 'tt-phys']);
    expect(r.body.data.find((x) => x.username === 'tt-phys')).toEqual({ username: 'tt-phys', displayName: 'Name of tt-phys', role: 'physician' });
    // The other training unit lists its own.
    expect(names((await api<TrainingTraineeOption[]>(otherCoach, 'GET', '/api/training/trainees?unit=sim-lab')).body.data)).toEqual(['tt-labcoach', 'tt-labnurse', 'tt-phys']);
  });

  it('is refused outside the trainer\'s training units, naming the field', async () => {
    // A unit the trainer is not assigned to.
    expect((await api(coach, 'GET', '/api/training/trainees?unit=sim-lab')).status).toBe(403);
    // Not a training unit, or none given.
    const notTraining = await api(coach, 'GET', '/api/training/trainees?unit=infusion-suite');
    expect(notTraining.status).toBe(400);
    expect(JSON.stringify(notTraining.body)).toContain('"field":"unit"');
    const missing = await api(coach, 'GET', '/api/training/trainees');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('"field":"unit"');
    // Clinicians who are not trainers do not read the unit's directory.
    const nurse = await login(s.url, 'tt-nurse');
    expect((await api(nurse, 'GET', '/api/training/trainees?unit=training')).status).toBe(403);
  });

  it("names a run by its scenario's title for its trainee, also once no training host offers the scenario", async () => {
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    let scenarios: TrainingScenarioSummary[] = [];
    try {
      await until('the host offers its scenarios', async () => (scenarios = (await api<TrainingScenarioSummary[]>(coach, 'GET', '/api/training/scenarios')).body.data).some((x) => x.name === 'desaturation'));
      const created = await api<TrainingRun>(coach, 'POST', '/api/training/runs', { scenario: 'desaturation', seed: 3, trainee: 'tt-nurse', unit: 'training' });
      expect(created.status).toBe(201);
      const title = scenarios.find((x) => x.name === 'desaturation')!.title;
      expect(created.body.data.scenarioTitle).toBe(title);
    } finally {
      host.close();
    }
    // The trainee cannot read the scenarios list; their runs carry the title.
    const nurse = await login(s.url, 'tt-nurse');
    expect((await api(nurse, 'GET', '/api/training/scenarios')).status).toBe(403);
    await until('no host offers scenarios', async () => (await api<TrainingScenarioSummary[]>(coach, 'GET', '/api/training/scenarios')).body.data.length === 0);
    const runs = (await api<TrainingRun[]>(nurse, 'GET', '/api/training/runs')).body.data;
    expect(runs.map((r) => [r.scenario, r.scenarioTitle])).toEqual([['desaturation', scenarios.find((x) => x.name === 'desaturation')!.title]]);
  });
});
