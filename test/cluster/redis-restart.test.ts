import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterNode } from '../support/cluster';
import { lowSpo2, openOn, postFrames, provisionCluster, raised, screen, until, type ClusterUsers } from '../support/clusterClient';

/** Two node processes sharing one SQLite file (see failover.test.ts for what that does and does not prove). */
describe('Redis restarts while frames stream', () => {
  let cluster: Cluster;
  let u: ClusterUsers;
  let other: ClusterNode;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, env: { LIVE_PUSH_MS: '100' } });
    u = await provisionCluster(cluster);
    other = cluster.nodes.find((n) => n !== u.lbNode)!;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('frames keep being acknowledged and stored; an alarm raised while Redis was away reaches the other node\'s screen once it is back; live vitals resume', async () => {
    const load = await openOn(u, other);
    const sess = await openOn(u, other);
    const dash = screen(cluster, u);
    await until('first snapshot', () => dash.snapshots.length === 1);

    // A device streaming to the node the screen is not on, 20 frames a second, throughout.
    const accepted: number[] = [];
    let refused = 0;
    let streaming = true;
    const stream = (async () => {
      let seq = 1;
      while (streaming) {
        const r = await postFrames(u, other, [{ sessionId: load.id, seq: seq++ }]);
        accepted.push(...r.accepted);
        refused += r.rejected.length;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    try {
      await until('live vitals before the restart', () => dash.vitals.some((v) => v.sessionId === load.id));

      await cluster.redis.stop();
      // Committed while no event can cross: the screen's node learns of it only from the database.
      await lowSpo2(u, other, sess.id, 1);
      await new Promise((res) => setTimeout(res, 1_000));
      expect(raised(dash.alarms, sess.id, 'spo2.low.high')).toEqual([]);
      const restartedAt = Date.now();
      await cluster.redis.start();

      await until('the alarm raised while Redis was away', () => raised(dash.alarms, sess.id, 'spo2.low.high').length === 1, 15_000);
      console.log(`alarm raised during the Redis outage reached the other node's screen ${Date.now() - restartedAt} ms after Redis was back`);
      const seen = dash.vitals.length;
      await until('live vitals after the restart', () => dash.vitals.slice(seen).some((v) => v.sessionId === load.id), 15_000);
    } finally {
      streaming = false;
      await stream;
    }
    // The screen's own connection never depended on Redis: no reconnect was needed.
    expect(dash.snapshots).toHaveLength(1);
    expect(refused).toBe(0);
    expect(accepted.length).toBeGreaterThan(20);
    const db = new Database(join(cluster.dir, 'infusion.db'), { readonly: true });
    const stored = (db.prepare('SELECT seq FROM vitals WHERE session_id = ? ORDER BY seq').all(load.id) as { seq: number }[]).map((r) => r.seq);
    db.close();
    // Every acknowledged frame is stored.
    expect(accepted.filter((s) => !stored.includes(s))).toEqual([]);
    dash.socket.close();
  });
});
