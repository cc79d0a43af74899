import type { TrainingRun } from '@infusion/shared';
import { silentLogger, TrainingHost } from '@infusion/simulator';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHILD_ADMIN_PASSWORD } from '../support/child';
import { startCluster, type Cluster, type ClusterNode } from '../support/cluster';
import { until } from '../support/clusterClient';
import { api, connected, dashboard, login, TEST_PASSWORD, type Caller, type DashClient } from '../support/server';

/**
 * Training runs across two node processes (one SQLite file, Redis, nginx): a run created on one node
 * is driven from the other, its trainee's screen on the other node follows it, and its training host,
 * connected to the other node, simulates it.
 */
describe('a training run created on one node is followed by the other', () => {
  let cluster: Cluster;
  let a: ClusterNode;
  let b: ClusterNode;
  let hostKey: string;
  const coach: { a?: Caller; b?: Caller } = {};
  let traineeOnB: Caller;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, env: { LIVE_PUSH_MS: '100' } });
    [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
    const admin = await login(a.url, 'admin', CHILD_ADMIN_PASSWORD);
    for (const [username, role] of [['coach', 'trainer'], ['trainee', 'nurse']] as const) {
      const r = await api(admin, 'POST', '/api/users', { username, displayName: username, role, units: ['training'], password: TEST_PASSWORD, mustChangePassword: false });
      expect(r.status).toBe(201);
    }
    const dev = await api<{ key: string }>(admin, 'POST', '/api/devices', { name: 'training host', simulator: true });
    hostKey = dev.body.data.key;
    coach.a = await login(a.url, 'coach');
    coach.b = await login(b.url, 'coach');
    traineeOnB = await login(b.url, 'trainee');
  });
  afterAll(async () => {
    for (const c of closers) c();
    await cluster?.stop();
  });

  const post = (who: Caller, path: string, body: unknown = {}) => api<TrainingRun>(who, 'POST', path, body);
  const runOn = async (who: Caller, id: string) => (await api<TrainingRun>(who, 'GET', `/api/training/runs/${id}`)).body.data;
  const frames = (sessionId: string) => {
    const db = new Database(join(cluster.dir, 'infusion.db'), { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM vitals WHERE session_id = ?').get(sessionId) as { n: number }).n;
    } finally {
      db.close();
    }
  };
  async function screenOf(who: Caller): Promise<{ sock: DashClient; runs: TrainingRun[] }> {
    const sock = dashboard(who);
    closers.push(() => sock.close());
    const runs: TrainingRun[] = [];
    sock.on('trainingRun', (r) => runs.push(r));
    await connected(sock);
    const r = await sock.emitWithAck('subscribe', {});
    if (!r.ok) throw new Error(r.error);
    return { sock, runs };
  }

  it('a trainer on node B drives a run created on node A; the trainee on B follows it; the host on B simulates it; a stale change is refused', async () => {
    // The training host is connected to node B only; node A learns its scenarios from B.
    const host = new TrainingHost({ url: b.url, deviceKey: hostKey, log: silentLogger });
    closers.push(() => host.close());
    for (const end = Date.now() + 10_000; ; ) {
      const offered = await api<{ name: string }[]>(coach.a!, 'GET', '/api/training/scenarios');
      if (offered.body.data.some((s) => s.name === 'desaturation')) break;
      if (Date.now() > end) throw new Error('node A never offered the scenarios of the host connected to node B');
      await new Promise((r) => setTimeout(r, 100));
    }
    const trainee = await screenOf(traineeOnB);
    const trainerOnB = await screenOf(coach.b!);

    const created = await post(coach.a!, '/api/training/runs', { scenario: 'desaturation', seed: 11, trainee: 'trainee', unit: 'training' });
    expect(created.status).toBe(201);
    const run = created.body.data;
    // Node B follows the run: its trainee and its trainer screens get it, its host simulates it.
    await until('the trainee on node B gets the new run', () => trainee.runs.some((r) => r.id === run.id && r.state === 'created'));
    await until('the trainer on node B gets the new run', () => trainerOnB.runs.some((r) => r.id === run.id));
    await until('the host on node B has the run', () => host.stats.runs === 1);

    // The trainer on node B starts it and sets x60.
    expect((await post(coach.b!, `/api/training/runs/${run.id}/start`)).status).toBe(200);
    const fast = await post(coach.b!, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    expect(fast.status).toBe(200);
    expect(fast.body.data).toMatchObject({ state: 'running', speed: 60 });
    await until('the trainee on node B sees it running at x60', () => trainee.runs.some((r) => r.id === run.id && r.state === 'running' && r.speed === 60));
    // Node A follows too, and the host streams the run's frames.
    for (const end = Date.now() + 10_000; (await runOn(coach.a!, run.id)).speed !== 60; ) {
      if (Date.now() > end) throw new Error('node A never saw the speed set on node B');
      await new Promise((r) => setTimeout(r, 100));
    }
    await until('frames of the run are stored', () => frames(run.sessionId) >= 30, 15_000);

    // Paused on node A: node B's trainee sees it and the host stops.
    const paused = await post(coach.a!, `/api/training/runs/${run.id}/pause`);
    expect(paused.status).toBe(200);
    await until('the trainee on node B sees it paused', () => trainee.runs.some((r) => r.id === run.id && r.state === 'paused'));
    expect((await runOn(coach.b!, run.id)).state).toBe('paused');

    // Without Redis node B misses node A's resume: node B's change, judged on a run it believes
    // paused, is refused (409) instead of overwriting the stored one, and node B reads the run again.
    await cluster.redis.stop();
    try {
      expect((await post(coach.a!, `/api/training/runs/${run.id}/resume`)).status).toBe(200);
      const stale = await post(coach.b!, `/api/training/runs/${run.id}/speed`, { speed: 10 });
      expect(stale.status).toBe(409);
      expect(stale.body.error).toMatch(/changed meanwhile on another node \(now running, x60\)/);
      expect(await runOn(coach.b!, run.id)).toMatchObject({ state: 'running', speed: 60 });
      // Its next change is built on the stored run.
      const slow = await post(coach.b!, `/api/training/runs/${run.id}/speed`, { speed: 10 });
      expect(slow.status).toBe(200);
      expect(slow.body.data).toMatchObject({ state: 'running', speed: 10 });
    } finally {
      await cluster.redis.start();
    }
    const db = new Database(join(cluster.dir, 'infusion.db'), { readonly: true });
    const audit = db.prepare("SELECT action FROM audit_log WHERE entity = 'training_run' AND entity_id = ? ORDER BY id").all(run.id);
    db.close();
    expect(audit.map((x) => (x as { action: string }).action)).toEqual(['training.create', 'training.start', 'training.speed', 'training.pause', 'training.resume', 'training.speed']);
  });
});
