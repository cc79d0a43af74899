import type { Alarm, InfusionEvent, Observation, RescueDose, TrainingRun } from '@infusion/shared';
import { SCENARIOS, silentLogger, TrainingHost } from '@infusion/simulator';
import { describe, it } from 'vitest';
import { api, login, startServer, TEST_PASSWORD, type Caller, type TestServer } from '../support/server';
import { until as waitUntil } from '../support/until';

/**
 * A training session lives on its scenario clock: every shipped scenario, run at x60 by the real
 * training host against the real server with its scripted nurse, raises the alarms it is written to
 * raise (rule delays, no data and observations due counted in scenario seconds), and what the
 * scenario does on its own (the plan's steps, a colleague's drug, the nurse's scores) is documented
 * as the scenario's, not the trainee's.
 */

/** The runs take minutes of scenario time: a longer deadline, polled less often. */
const until = <T>(what: string | (() => string), f: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 120_000, everyMs = 250) => waitUntil(what, f, ms, everyMs);

const post = async (who: Caller, path: string, body?: unknown) => {
  const r = await api<TrainingRun>(who, 'POST', path, body ?? {});
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
};

interface Detail {
  alarms: Alarm[];
  infusionEvents: InfusionEvent[];
  rescueDoses: RescueDose[];
  observations: Observation[];
}
const detail = async (who: Caller, sessionId: string) => (await api<Detail>(who, 'GET', `/api/sessions/${sessionId}`)).body.data;

async function users(s: TestServer) {
  const mk = async (username: string, role: 'nurse' | 'trainer', units: string[]) => {
    if (!(await s.app.users.findByUsername(username))) await s.app.users.create({ username, displayName: username, role, units, password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    return login(s.url, username);
  };
  return { coach: await mk('coach', 'trainer', ['training']), trainee: await mk('trainee', 'nurse', ['training']) };
}

/** What a test opened, closed when it ends, last opened first (the tests run side by side: each its own). */
function closer(onTestFinished: (fn: () => Promise<void>) => void): (f: () => Promise<void> | void) => void {
  const opened: (() => Promise<void> | void)[] = [];
  onTestFinished(async () => {
    for (const f of opened.splice(0).reverse()) await f();
  });
  return (f) => void opened.push(f);
}

/**
 * A server of the test's own with its trainer and trainee, and a training host connected to it that
 * offers scenarios (`ready`: all of them, or at least one), all closed when the test ends.
 */
async function serverWithHost(onTestFinished: (fn: () => Promise<void>) => void, ready: (offered: number) => boolean) {
  const cleanup = closer(onTestFinished);
  const s = await startServer({ config: { LOG_LEVEL: 'error' } as never });
  cleanup(() => s.close());
  const f = await users(s);
  const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
  cleanup(() => host.close());
  await until('the host offers its scenarios', async () => ready((await api<{ name: string }[]>(f.coach, 'GET', '/api/training/scenarios')).body.data.length), 30_000, 50);
  return { s, f, host };
}

// Side by side: each test has its own server and host, and mostly waits on scenario time.
describe.concurrent('training runs on scenario time', () => {

  it('every shipped scenario raises its expected alarms at x60 through the real host and server, its own steps documented as the scenario', async ({ expect, onTestFinished }) => {
    const { s, f, host } = await serverWithHost(onTestFinished, (n) => n === Object.keys(SCENARIOS).length);

    // All of them at once in one server: the longest (artifacts' monitor disconnect at minute 34) sets the pace.
    const started = Date.now();
    const runs = await Promise.all(
      Object.values(SCENARIOS).map(async (sc) => {
        const run = await post(f.coach, '/api/training/runs', { scenario: sc.name, seed: 7, trainee: 'trainee', unit: 'training', scriptedNurse: true });
        await post(f.coach, `/api/training/runs/${run.id}/start`);
        await post(f.coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
        return { run, expected: sc.expectedAlarms };
      }),
    );
    const missing = new Map(runs.map((r) => [r.run.sessionId, new Set(r.expected)]));
    await until(
      () => `the expected alarms (${[...missing].filter(([, m]) => m.size).map(([id, m]) => `${runs.find((r) => r.run.sessionId === id)!.run.scenario}: ${[...m].join(', ')}`).join('; ')})`,
      async () => {
        for (const [sessionId, m] of missing) {
          if (!m.size) continue;
          for (const a of (await detail(f.coach, sessionId)).alarms) m.delete(a.ruleId);
        }
        return [...missing.values()].every((m) => m.size === 0);
      },
      150_000,
      500,
    );
    const wallS = (Date.now() - started) / 1000;
    console.log(`all ${runs.length} scenarios raised their expected alarms at x60 in ${wallS.toFixed(1)} s`);

    // Escalation runs on the scenario clock too: nobody acknowledges the high SpO2 alarm, and the
    // unit is called 120 scenario seconds after the physicians (2 s of wall time at x60, not 120 s).
    const desatSession = runs.find((r) => r.run.scenario === 'desaturation')!.run.sessionId;
    const levels = await until('the SpO2 alarm escalates to the unit', () => {
      const rows = s.app.db
        .prepare("SELECT n.level, MIN(n.created_at) at FROM notifications n JOIN escalations e ON e.id = n.escalation_id JOIN alarms a ON a.id = e.alarm_id WHERE a.session_id = ? AND a.rule_id = 'spo2.low.high' AND n.channel = 'dashboard' GROUP BY n.level ORDER BY n.level")
        .all(desatSession) as { level: number; at: number }[];
      return rows.length >= 2 && rows;
    }, 60_000);
    const unitAfterS = (levels[1]!.at - levels[0]!.at) / 1000;
    console.log(`unit escalation ${unitAfterS.toFixed(1)} s (wall) after the physicians at x60`);
    expect(unitAfterS).toBeGreaterThan(0.5);
    expect(unitAfterS).toBeLessThan(20);

    // The desaturation scenario: the colleague's midazolam (minute 20, whatever the trainee does) and
    // the scripted nurse's plan are on the session record as the scenario's, not the trainee's.
    const desat = runs.find((r) => r.run.scenario === 'desaturation')!.run;
    await host.documented();
    const d = await detail(f.coach, desat.sessionId);
    expect(d.rescueDoses).toEqual([expect.objectContaining({ drugId: 'midazolam', by: 'scenario:desaturation' })]);
    expect(d.infusionEvents.map((e) => [e.type, e.by])).toEqual(expect.arrayContaining([['start', 'scenario:desaturation'], ['rate_change', 'scenario:desaturation']]));
    expect(d.observations.some((o) => o.scale === 'RASS' && o.by === 'scenario:desaturation')).toBe(true);
    // Not on the run's timeline as an action: the host does not give the colleague's dose a second time.
    const timeline = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${desat.id}`)).body.data.events;
    expect(timeline.filter((e) => e.kind === 'action')).toEqual([]);
    // Audited as the scenario.
    const audit = s.app.db.prepare("SELECT actor FROM audit_log WHERE action = 'rescue.document' AND entity_id = ?").all(desat.sessionId) as { actor: string }[];
    expect(audit.map((a) => a.actor)).toEqual(['scenario:desaturation']);
  }, 240_000);

  it("with the trainee at the pump (no scripted nurse), a colleague's scripted midazolam is still on the record as the scenario's, and given once", async ({ expect, onTestFinished }) => {
    const { f } = await serverWithHost(onTestFinished, (n) => n > 0);
    const run = await post(f.coach, '/api/training/runs', { scenario: 'desaturation', seed: 11, trainee: 'trainee', unit: 'training' });
    expect(run.scriptedNurse).toBe(false);
    const limitsChanged = async () => (await api<{ session: { limitsChanged: string[] } }>(f.trainee, 'GET', `/api/sessions/${run.sessionId}`)).body.data.session.limitsChanged;
    expect(await limitsChanged()).toEqual([]);
    await post(f.coach, `/api/training/runs/${run.id}/start`);
    await post(f.coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    // The script gives it at scenario minute 20: 20 s of wall time at x60.
    const doses = await until('the colleague\'s midazolam on the session record', async () => {
      const d = await detail(f.trainee, run.sessionId);
      return d.rescueDoses.length > 0 && d;
    }, 90_000);
    expect(doses.rescueDoses).toEqual([expect.objectContaining({ drugId: 'midazolam', by: 'scenario:desaturation', note: expect.stringContaining('given in the scenario') })]);
    // Nobody ran the plan: the infusion is the trainee's, and nothing was started for them.
    expect(doses.infusionEvents).toEqual([]);
    // Not the trainee's action: the host gives the patient the scripted dose once, from the scenario.
    const timeline = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${run.id}`)).body.data.events;
    expect(timeline).toEqual([]);
    // The rules see it: a sedative on board tightens the respiratory limits on the session.
    expect((await limitsChanged()).length).toBeGreaterThan(0);
  }, 150_000);
});
