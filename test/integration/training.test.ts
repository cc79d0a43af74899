import type { AlarmUpdate, Escalation, Session, TrainingRun } from '@infusion/shared';
import { replayPlan, SCENARIOS, SimulatedPatient, silentLogger, TrainingHost } from '@infusion/simulator';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endDemoSessions } from '../../server/src/auth/demoAccounts';
import { api, connected, createSession, dashboard, login, passingChecklist, startServer, TEST_PASSWORD, writeOrder, type Caller, type DashClient, type TestServer } from '../support/server';
import { until } from '../support/until';

/**
 * Training runs hosted by the product: the trainer API, the training host as a real device over
 * socket.io (in-process here), alarms only to the trainer and the trainee, restarts.
 */


const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

interface Fixture {
  s: TestServer;
  coach: Caller;
  trainee: Caller;
  other: Caller;
  /** A physician of every unit: never a training run's alarm. */
  allPhys: Caller;
}

async function users(s: TestServer): Promise<Fixture> {
  const mk = async (username: string, role: 'nurse' | 'physician' | 'trainer', units: string[]) => {
    if (!(await s.app.users.findByUsername(username))) await s.app.users.create({ username, displayName: username, role, units, password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    return login(s.url, username);
  };
  return { s, coach: await mk('coach', 'trainer', ['training']), trainee: await mk('trainee', 'nurse', ['training']), other: await mk('trainee2', 'nurse', ['training']), allPhys: await mk('allphys', 'physician', ['*']) };
}

type Frame = { seq: number; t: number; spo2: number | null; rr: number | null; etco2: number | null };
const frames = (s: TestServer, sessionId: string) => s.app.db.prepare('SELECT seq, t, spo2, rr, etco2 FROM vitals WHERE session_id = ? ORDER BY seq').all(sessionId) as Frame[];

async function subscribed(who: Caller): Promise<{ sock: DashClient; alarms: AlarmUpdate[]; escalations: Escalation[]; runs: TrainingRun[] }> {
  const sock = dashboard(who);
  const seen = { sock, alarms: [] as AlarmUpdate[], escalations: [] as Escalation[], runs: [] as TrainingRun[] };
  sock.on('alarm', (u) => seen.alarms.push(u));
  sock.on('escalation', (e) => seen.escalations.push(e));
  sock.on('trainingRun', (r) => seen.runs.push(r));
  await connected(sock);
  const r = await sock.emitWithAck('subscribe', {});
  if (!r.ok) throw new Error(r.error);
  return seen;
}

const post = async (who: Caller, path: string, body?: unknown) => {
  const r = await api<TrainingRun>(who, 'POST', path, body ?? {});
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
};

describe('training runs', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('runs a scenario at x60 through the host: frames at pace, alarms only to trainer and trainee, pause, resume, speed, inject, end', async () => {
    const s = await startServer({ config: { WEBHOOK_URLS: ['http://127.0.0.1:9/page'], LOG_LEVEL: 'error' } as never });
    cleanup.push(() => s.close());
    const f = await users(s);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(f.coach, 'GET', '/api/training/scenarios')).body.data.some((x) => x.name === 'desaturation'));

    // Only a trainer creates and drives runs.
    const body = { scenario: 'desaturation', seed: 7, trainee: 'trainee', unit: 'training' };
    expect((await api(s.nurse, 'POST', '/api/training/runs', body)).status).toBe(403);
    expect((await api(f.trainee, 'POST', '/api/training/runs', body)).status).toBe(403);
    expect((await api(f.coach, 'POST', '/api/training/runs', { ...body, unit: 'infusion-suite' })).status).toBe(400);
    const created = await post(f.coach, '/api/training/runs', body);
    expect(created).toMatchObject({ state: 'created', trainee: 'trainee', scenario: 'desaturation', simulated: true });
    expect((await api(s.nurse, 'POST', `/api/training/runs/${created.id}/start`)).status).toBe(403);

    const trainee = await subscribed(f.trainee);
    const coach = await subscribed(f.coach);
    const clinicalNurse = await subscribed(s.nurse);
    const allPhys = await subscribed(f.allPhys);
    const otherTrainee = await subscribed(f.other);
    cleanup.push(() => [trainee, coach, clinicalNurse, allPhys, otherTrainee].forEach((x) => x.sock.close()));

    await post(f.coach, `/api/training/runs/${created.id}/start`);
    const running = await post(f.coach, `/api/training/runs/${created.id}/speed`, { speed: 60 });
    expect(running.clock).toMatchObject({ speed: 60, running: true });
    await until('the trainee sees the run change', () => trainee.runs.some((r) => r.id === created.id && r.speed === 60));

    // x60: one frame per scenario second, i.e. ~60 frames per real second.
    await until('frames arrive', () => frames(s, created.sessionId).length >= 60);
    const n0 = frames(s, created.sessionId).length;
    const t0 = Date.now();
    await until('two more seconds of frames', () => Date.now() - t0 >= 2000 && frames(s, created.sessionId).length);
    const rate = (frames(s, created.sessionId).length - n0) / ((Date.now() - t0) / 1000);
    console.log(`training run at x60: ${rate.toFixed(1)} frames/s`);
    expect(rate).toBeGreaterThan(40);
    expect(rate).toBeLessThan(80);

    // An injected desaturation raises the SpO2 alarm, seen by the trainee and the trainer only.
    await post(f.coach, `/api/training/runs/${created.id}/events`, { event: { kind: 'excursion', label: 'Sudden desaturation', onsetMin: 0.5, holdMin: 30, recoverMin: 1, to: { spo2: 78 } } });
    expect((await api(f.coach, 'POST', `/api/training/runs/${created.id}/events`, { event: { kind: 'excursion', label: 'x' } })).status).toBe(400);
    await until('SpO2 falls in the frames', () => frames(s, created.sessionId).some((x) => x.spo2 !== null && x.spo2 < 85));
    const isRun = (u: AlarmUpdate) => u.alarm.sessionId === created.sessionId;
    await until('the trainee gets the SpO2 alarm', () => trainee.alarms.some((u) => isRun(u) && u.alarm.ruleId === 'spo2.low.high'));
    await until('the trainer gets it too', () => coach.alarms.some((u) => isRun(u) && u.alarm.ruleId === 'spo2.low.high'));
    await until('its escalation reaches the trainer', () => coach.escalations.some((e) => e.sessionId === created.sessionId));

    // Pause: the scenario clock stops, so does the stream (the last frame is the paused second's).
    const paused = await post(f.coach, `/api/training/runs/${created.id}/pause`);
    const lastSeq = Math.floor(paused.clock.scenarioMs / 1000) + 1;
    await until('frames up to the pause are stored', () => frames(s, created.sessionId).at(-1)!.seq === lastSeq);
    const resumed = await post(f.coach, `/api/training/runs/${created.id}/resume`);
    await until('frames after the resume', () => frames(s, created.sessionId).at(-1)!.seq > lastSeq + 5);
    const after = frames(s, created.sessionId).filter((x) => x.seq > lastSeq);
    // No frame was made for the paused time: the next one is stamped after the resume.
    expect(after[0]!.seq).toBe(lastSeq + 1);
    expect(after[0]!.t).toBeGreaterThanOrEqual(resumed.clock.wallAt);

    // Speed x10: ~10 frames per real second.
    await post(f.coach, `/api/training/runs/${created.id}/speed`, { speed: 10 });
    const m0 = frames(s, created.sessionId).length;
    const u0 = Date.now();
    await until('two seconds at x10', () => Date.now() - u0 >= 2000 && frames(s, created.sessionId).length);
    const slow = (frames(s, created.sessionId).length - m0) / ((Date.now() - u0) / 1000);
    console.log(`training run at x10: ${slow.toFixed(1)} frames/s`);
    expect(slow).toBeGreaterThan(5);
    expect(slow).toBeLessThan(16);

    const ended = await post(f.coach, `/api/training/runs/${created.id}/end`);
    expect(ended.state).toBe('ended');
    expect((await api<{ session: Session }>(f.coach, 'GET', `/api/sessions/${created.sessionId}`)).body.data.session).toMatchObject({ status: 'ended', simulated: true });
    await until('the host drops the run', () => host.stats.runs === 0);

    // Nobody else: no clinical screen, no physician of every unit, no other trainee, no pager.
    for (const x of [clinicalNurse, allPhys, otherTrainee]) {
      expect(x.alarms.filter(isRun)).toEqual([]);
      expect(x.escalations.filter((e) => e.sessionId === created.sessionId)).toEqual([]);
      expect(x.runs).toEqual([]);
    }
    const pages = s.app.db
      .prepare("SELECT n.channel FROM notifications n JOIN escalations e ON e.id = n.escalation_id WHERE e.session_id = ? AND n.channel = 'webhook'")
      .all(created.sessionId);
    expect(pages).toEqual([]);
    // The rows are marked simulated.
    expect(s.app.db.prepare('SELECT COUNT(*) n FROM vitals WHERE session_id = ? AND simulated = 0').get(created.sessionId)).toEqual({ n: 0 });
    expect(s.app.db.prepare('SELECT COUNT(*) n FROM alarms WHERE session_id = ? AND simulated = 0').get(created.sessionId)).toEqual({ n: 0 });

    // Reads: the trainee sees own runs, another trainee none, the trainer their unit's.
    expect((await api<TrainingRun[]>(f.trainee, 'GET', '/api/training/runs')).body.data.map((r) => r.id)).toEqual([created.id]);
    expect((await api<TrainingRun[]>(f.other, 'GET', '/api/training/runs')).body.data).toEqual([]);
    expect((await api(f.other, 'GET', `/api/training/runs/${created.id}`)).status).toBe(404);
    // Its session too: another clinician of the training unit does not read it; the trainee does.
    expect((await api(f.other, 'GET', `/api/sessions/${created.sessionId}`)).status).toBe(404);
    expect((await api(f.trainee, 'GET', `/api/sessions/${created.sessionId}`)).status).toBe(200);
    expect((await api<TrainingRun[]>(s.trainer, 'GET', '/api/training/runs')).body.data).toEqual([]);
    const read = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${created.id}`)).body.data;
    expect(read.events.map((e) => e.kind)).toEqual(['inject']);
    const audit = s.app.db.prepare("SELECT action FROM audit_log WHERE entity = 'training_run' AND entity_id = ? ORDER BY id").all(created.id) as { action: string }[];
    expect(audit.map((a) => a.action)).toEqual(['training.create', 'training.start', 'training.speed', 'training.inject', 'training.pause', 'training.resume', 'training.speed', 'training.end']);
  }, 90_000);

  it('a server restart mid-run: the run resumes with no gap and no duplicate rows, and the demo start-up leaves it running', async () => {
    const port = await freePort();
    let s = await startServer({ port });
    const dir = s.dir;
    cleanup.push(() => s.close());
    let f = await users(s);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(f.coach, 'GET', '/api/training/scenarios')).body.data.length > 0);
    const run = await post(f.coach, '/api/training/runs', { scenario: 'stable', seed: 3, trainee: 'trainee', unit: 'training' });
    await post(f.coach, `/api/training/runs/${run.id}/start`);
    await post(f.coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    await until('frames before the restart', () => frames(s, run.sessionId).length >= 120);

    // The server stops and comes back on the same port and database; the host keeps running.
    await s.app.close();
    const stoppedAt = Date.now();
    s = await startServer({ port, dir });
    const restartedAt = Date.now();
    cleanup.splice(0, 1, () => s.close());
    f = await users(s);
    // A demo start-up ends the demo simulator's sessions, never a training run's.
    const demo = await createSession(s.trainer, { simulated: true });
    expect(await endDemoSessions(s.app)).toBe(1);
    expect(s.app.sessions.getLive(demo.id)).toBeUndefined();
    expect(s.app.sessions.getLive(run.sessionId)).toBeDefined();

    await until('frames after the restart', () => frames(s, run.sessionId).some((x) => x.t > stoppedAt + 2000));
    const all = frames(s, run.sessionId);
    const seqs = all.map((x) => x.seq);
    // Every scenario second once: contiguous seqs (the stable scenario has no monitor disconnect), no duplicates.
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBe(seqs.length);
    // One frame per scenario second at x60 throughout (after the first, stamped before the speed change): no hole in time either.
    const gaps = all.slice(2).map((x, i) => x.t - all[i + 1]!.t);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(18);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(16);
    const firstAfter = s.app.db.prepare('SELECT MIN(received_at) r FROM vitals WHERE session_id = ? AND received_at >= ?').get(run.sessionId, restartedAt) as { r: number };
    const backlog = s.app.db.prepare('SELECT COUNT(*) n FROM vitals WHERE session_id = ? AND received_at >= ? AND t < ?').get(run.sessionId, restartedAt, restartedAt) as { n: number };
    console.log(`restart: server down ${restartedAt - stoppedAt} ms; first frame stored ${firstAfter.r - restartedAt} ms after it was back; ${backlog.n} frames of the outage sent from the host's outbox; largest step between frames ${Math.max(...gaps)} ms`);
    const got = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${run.id}`)).body.data;
    expect(got.state).toBe('running');
  }, 60_000);

  it('a restart of the host: it re-simulates the run to the first frame not stored and continues with the same patient, no gap, no duplicate', async () => {
    const s = await startServer();
    cleanup.push(() => s.close());
    const f = await users(s);
    let host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(f.coach, 'GET', '/api/training/scenarios')).body.data.length > 0);
    const run = await post(f.coach, '/api/training/runs', { scenario: 'desaturation', seed: 11, trainee: 'trainee', unit: 'training' });
    await post(f.coach, `/api/training/runs/${run.id}/start`);
    await post(f.coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    await post(f.coach, `/api/training/runs/${run.id}/events`, { event: { kind: 'excursion', label: 'Hypertensive surge', onsetMin: 1, holdMin: 5, recoverMin: 1, delta: { sbp: 40, dbp: 20 } } });
    await until('frames from the first host', () => frames(s, run.sessionId).length >= 90);
    await host.drain(5_000);
    host.close();
    const before = frames(s, run.sessionId).length;

    host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.splice(1, 1, () => host.close());
    await until('frames from the second host', () => frames(s, run.sessionId).length >= before + 120);
    const all = frames(s, run.sessionId);
    const seqs = all.map((x) => x.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBe(seqs.length);
    // The second host started where storage was: it did not send what was stored again.
    expect(host.deviceStats.duplicates).toBe(0);

    // Every stored frame, before and after the restart, is the run's re-simulation from its seed and timeline.
    const read = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${run.id}`)).body.data;
    const plan = replayPlan(SCENARIOS.desaturation, read.events);
    const patient = new SimulatedPatient({ scenario: plan.scenario, weightKg: read.weightKg, seed: read.seed, followPlan: false });
    const expected = new Map<number, number | null>();
    for (let sec = 0; sec < seqs.at(-1)!; sec++) {
      const x = patient.advanceTo(sec / 60);
      if (x.reading.connected) expected.set(sec + 1, x.reading.values.sbp ?? null);
    }
    const sbp = s.app.db.prepare('SELECT seq, sbp FROM vitals WHERE session_id = ? ORDER BY seq').all(run.sessionId) as { seq: number; sbp: number | null }[];
    expect(sbp.map((x) => [x.seq, x.sbp])).toEqual(sbp.map((x) => [x.seq, expected.get(x.seq) ?? null]));
    // The injected surge is in the frames.
    expect(Math.max(...sbp.map((x) => x.sbp ?? 0))).toBeGreaterThan(Math.min(...sbp.filter((x) => x.seq < 30).map((x) => x.sbp ?? 999)) + 25);
  }, 60_000);

  it('the trainee\'s midazolam, given through the normal rescue route, deepens respiratory depression against the same run without it', async () => {
    const s = await startServer();
    cleanup.push(() => s.close());
    const f = await users(s);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(f.coach, 'GET', '/api/training/scenarios')).body.data.length > 0);
    const runs: TrainingRun[] = [];
    for (const k of [1, 2]) runs.push(await post(f.coach, '/api/training/runs', { scenario: 'stable', seed: 5, trainee: 'trainee', unit: 'training', patientLabel: `PD ${k}`, location: `PD chair ${k}` }));
    const [withMz, without] = runs as [TrainingRun, TrainingRun];
    for (const r of runs) {
      await post(f.coach, `/api/training/runs/${r.id}/start`);
      await until('baseline frames', () => frames(s, r.sessionId).length >= 3);
      await writeOrder(f.coach, r.sessionId, { setting: SCENARIOS.stable.setting, rateMinMgKgH: 0.5, rateMaxMgKgH: 1 });
      await api(f.trainee, 'POST', `/api/sessions/${r.sessionId}/observations`, { scale: 'RASS', score: 0 });
      await api(f.trainee, 'POST', `/api/sessions/${r.sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
      const c = await api<{ result: { passed: boolean } }>(f.trainee, 'PUT', `/api/sessions/${r.sessionId}/checklist`, passingChecklist(1));
      expect(c.body.data.result.passed).toBe(true);
    }
    // Both clocks re-based at once: the trainee's actions land at nearly the same scenario time in both runs.
    for (const r of runs) await post(f.coach, `/api/training/runs/${r.id}/pause`);
    for (const r of runs) {
      const started = await api(f.trainee, 'POST', `/api/sessions/${r.sessionId}/infusion`, { type: 'start', rateMgKgH: 1 });
      expect(started.status).toBe(201);
    }
    // Midazolam 0.05 mg/kg: the formulary's published example (Green et al., Ann Emerg Med 2011), drawn up to 0.1 mg below.
    const doseMg = Math.floor(0.05 * withMz.weightKg * 10) / 10;
    const given = await api(f.trainee, 'POST', `/api/sessions/${withMz.sessionId}/rescue`, { drugId: 'midazolam', doseMg, route: 'IV', confirm: { reason: 'training run: scenario dose' } });
    expect(given.status).toBe(201);
    await until('the actions are on both timelines', async () => {
      const [a, b] = await Promise.all(runs.map(async (r) => (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${r.id}`)).body.data));
      const actions = (r: TrainingRun) => r.events.filter((e) => e.kind === 'action').length;
      return actions(a!) === 2 && actions(b!) === 1;
    });
    // The trainee's scores are on the timeline beside what the patient's virtual assessor scored then
    // (its own noise: the scripted scores of a re-simulation stay as they were).
    const scored = await until('both scores beside the assessor\'s', async () => {
      const x = (await api<TrainingRun>(f.coach, 'GET', `/api/training/runs/${withMz.id}`)).body.data.events.flatMap((e) => (e.kind === 'assessment' ? [e] : []));
      return x.length === 2 && x;
    });
    expect(scored.map((e) => [e.assessment.scale, e.assessment.traineeScore, e.by])).toEqual([
      ['RASS', 0, 'user:trainee'],
      ['NRS_PAIN', 6, 'user:trainee'],
    ]);
    for (const e of scored) expect(e.assessment.assessorScore).toEqual(expect.any(Number));
    for (const r of runs) await post(f.coach, `/api/training/runs/${r.id}/speed`, { speed: 60 });
    for (const r of runs) await post(f.coach, `/api/training/runs/${r.id}/resume`);
    const fromSeq = Math.max(...runs.map((r) => frames(s, r.sessionId).at(-1)!.seq));
    // 15 scenario minutes after the doses.
    await until('15 scenario minutes in both runs', () => runs.every((r) => frames(s, r.sessionId).at(-1)!.seq >= fromSeq + 900), 60_000);
    const window = (r: TrainingRun) => frames(s, r.sessionId).filter((x) => x.seq > fromSeq + 300 && x.seq <= fromSeq + 900);
    const mean = (xs: Frame[], k: 'rr' | 'etco2' | 'spo2') => xs.reduce((a, x) => a + (x[k] ?? 0), 0) / xs.length;
    const a = window(withMz);
    const b = window(without);
    console.log(`PD: RR ${mean(a, 'rr').toFixed(1)} vs ${mean(b, 'rr').toFixed(1)} /min, EtCO2 ${mean(a, 'etco2').toFixed(1)} vs ${mean(b, 'etco2').toFixed(1)} mmHg (midazolam vs none)`);
    // Ventilation falls (Greco interaction with the ketamine on board, simulator/src/pd): EtCO2 rises, RR slows.
    expect(mean(a, 'etco2')).toBeGreaterThan(mean(b, 'etco2') + 1.5);
    expect(mean(a, 'rr')).toBeLessThan(mean(b, 'rr'));
  }, 90_000);
});
