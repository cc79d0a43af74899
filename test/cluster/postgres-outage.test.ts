import type { IngestResult, Session } from '@infusion/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterNode } from '../support/cluster';
import { openOn, provisionCluster, screen, until, type ClusterUsers, type Screen } from '../support/clusterClient';
import { startPostgres, type PgServer } from '../support/postgres';

const SESSIONS = 20;
/** How long PostgreSQL stays down, as the issue asks. */
const OUTAGE_MS = 10_000;
const RESEND = 'could not be stored; resend';

type Frame = { sessionId: string; seq: number; t: number; hr: number; sbp: number; dbp: number; spo2: number; rr: number };

/**
 * Two nodes on one PostgreSQL server (with Redis and the load balancer) while devices stream to both;
 * the PostgreSQL server is SIGKILLed and kept down 10 s. A device is told to resend what could not be
 * stored and is never acknowledged a frame that was not; each node's screens show "recording failed";
 * once PostgreSQL is back each node recovers by itself, the resent frames are stored and rules are
 * evaluated again.
 */
describe('PostgreSQL down for 10 s under two nodes', () => {
  let pgServer: PgServer;
  let databaseUrl: string;
  let cluster: Cluster;
  let u: ClusterUsers;

  beforeAll(async () => {
    pgServer = await startPostgres();
    databaseUrl = await pgServer.createDatabase();
    cluster = await startCluster({ nodes: 2, store: { kind: 'url', databaseUrl }, env: { LIVE_PUSH_MS: '100' } });
    u = await provisionCluster(cluster);
  });
  afterAll(async () => {
    await cluster?.stop();
    await pgServer?.stop();
  });

  it('frames are refused (never acknowledged) during the outage, screens show recording failed, and every node resumes by itself afterwards', async () => {
    // Half the sessions on each node, each device posting straight to the node its session was opened on.
    const sessions: { s: Session; node: ClusterNode }[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const node = cluster.nodes[i % 2]!;
      sessions.push({ s: await openOn(u, node), node });
    }
    // One screen on each node: each shows its own node's recording status.
    const screens: Screen[] = cluster.nodes.map((n) => screen(cluster, u, n.url));
    await until('first snapshots', () => screens.every((d) => d.snapshots.length === 1));
    expect(screens.every((d) => d.snapshots[0]!.storage.recording === 'ok')).toBe(true);

    let hr = 80;
    const acked = new Map<string, Set<number>>(sessions.map(({ s }) => [s.id, new Set()]));
    const nextSeq = new Map<string, number>(sessions.map(({ s }) => [s.id, 1]));
    const pending = new Map<string, Frame[]>(sessions.map(({ s }) => [s.id, []]));
    /** Every answer: when its request was sent and answered, and how many frames it acknowledged and refused for storage. */
    const answers: { node: string; sentAt: number; answeredAt: number; acked: number; refused: number }[] = [];
    let streaming = true;
    const post = async (node: ClusterNode, frames: Frame[]): Promise<void> => {
      const sentAt = Date.now();
      let answer: IngestResult | null = null;
      try {
        const res = await fetch(node.url + '/api/ingest/frames', {
          method: 'POST',
          headers: { authorization: `Bearer ${u.deviceKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ frames }),
        });
        if (res.status === 200) answer = ((await res.json()) as { data: IngestResult }).data;
      } catch {
        // No answer: nothing acknowledged; sent again below.
      }
      const refusedKeys = new Set((answer?.rejected ?? []).filter((r) => r.errors.some((e) => e.reason === RESEND)).map((r) => `${r.sessionId}|${r.seq}`));
      const other = (answer?.rejected ?? []).filter((r) => !r.errors.some((e) => e.reason === RESEND));
      expect(other, 'frames rejected for another reason than storage').toEqual([]);
      const ok = new Set([...(answer?.accepted ?? []), ...(answer?.duplicates ?? [])]);
      let n = 0;
      for (const f of frames) {
        if (answer && ok.has(f.seq) && !refusedKeys.has(`${f.sessionId}|${f.seq}`)) {
          acked.get(f.sessionId)!.add(f.seq);
          n++;
        } else pending.get(f.sessionId)!.push(f);
      }
      answers.push({ node: node.id, sentAt, answeredAt: Date.now(), acked: n, refused: refusedKeys.size });
    };
    const stream = (async () => {
      while (streaming) {
        const t = Date.now();
        const byNode = new Map<ClusterNode, Frame[]>();
        for (const { s, node } of sessions) {
          const seq = nextSeq.get(s.id)!;
          nextSeq.set(s.id, seq + 1);
          // A device resends what was not acknowledged, with its new frame.
          const frames = [...pending.get(s.id)!.splice(0), { sessionId: s.id, seq, t, hr, sbp: 120, dbp: 75, spo2: 97, rr: 14 }];
          byNode.set(node, [...(byNode.get(node) ?? []), ...frames]);
        }
        await Promise.all([...byNode].map(([node, frames]) => post(node, frames)));
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    let killedAt = 0;
    let restartedAt = 0;
    try {
      await until('frames acknowledged on both nodes', () => cluster.nodes.every((n) => answers.some((a) => a.node === n.id && a.acked > 0)));
      killedAt = Date.now();
      await pgServer.kill();
      await until('frames refused on both nodes', () => cluster.nodes.every((n) => answers.some((a) => a.node === n.id && a.sentAt > killedAt && a.refused > 0)));
      await until('"recording failed" on the screens of both nodes', () => screens.every((d) => d.storage.some((st) => st.recording === 'failed')));
      const failedSeenMs = Date.now() - killedAt;
      // The outage itself: PostgreSQL stays down OUTAGE_MS, whatever the nodes do meanwhile.
      await until('the outage duration', () => Date.now() - killedAt >= OUTAGE_MS, OUTAGE_MS + 1_000);
      for (const n of cluster.nodes) {
        const health = await fetch(n.url + '/api/health');
        expect(health.status, `${n.id} health during the outage`).toBe(503);
      }
      restartedAt = Date.now();
      await pgServer.start();
      const startedAt = Date.now();
      await until('recording ok again on the screens of both nodes', () => screens.every((d) => d.storage.at(-1)?.recording === 'ok'), 20_000);
      const recoveredMs = Date.now() - startedAt;
      for (const n of cluster.nodes) expect((await fetch(n.url + '/api/health')).status, `${n.id} health after the outage`).toBe(200);
      await until('every frame refused meanwhile resent and acknowledged', () => [...pending.values()].every((p) => p.length === 0) && answers.some((a) => a.sentAt > startedAt && a.acked > 0 && a.refused === 0), 20_000);

      // Rule evaluation continues: a heart rate of 160 from now on is raised once per session.
      hr = 160;
      await until('heart-rate alarms of every session', () => sessions.every(({ s }) => screens.every((d) => d.alarms.some((x) => x.alarm.sessionId === s.id && x.alarm.ruleId === 'hr.high.high'))), 15_000);
      console.log(
        `PostgreSQL down ${restartedAt - killedAt} ms: "recording failed" on both nodes' screens ${failedSeenMs} ms after SIGKILL; both nodes recording again ${recoveredMs} ms after PostgreSQL restarted; ${answers.reduce((n, a) => n + a.refused, 0)} frames refused for resend`,
      );
    } finally {
      streaming = false;
      await stream;
    }

    // Nothing acknowledged by a request made and answered while PostgreSQL was down.
    const ackedDuringOutage = answers.filter((a) => a.sentAt > killedAt && a.answeredAt < restartedAt && a.acked > 0);
    expect(ackedDuringOutage).toEqual([]);
    expect(answers.filter((a) => a.sentAt > killedAt && a.answeredAt < restartedAt).length).toBeGreaterThan(0);

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      for (const { s } of sessions) {
        const stored = new Set((await db.query<{ seq: string }>('SELECT seq FROM vitals WHERE session_id = $1', [s.id])).rows.map((r) => Number(r.seq)));
        const ackedSeqs = acked.get(s.id)!;
        expect([...ackedSeqs].filter((seq) => !stored.has(seq)), `acknowledged frames of ${s.id} missing`).toEqual([]);
        // The frames refused during the outage were resent and stored: no gap up to the last acknowledged one.
        const last = Math.max(...ackedSeqs);
        expect(Array.from({ length: last }, (_, k) => k + 1).filter((seq) => !stored.has(seq)), `gap in ${s.id}`).toEqual([]);
      }
      const twice = (await db.query('SELECT session_id, rule_id, COUNT(*) AS n FROM alarms GROUP BY session_id, rule_id HAVING COUNT(*) > 1')).rows;
      expect(twice).toEqual([]);
      const restored = (await db.query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'storage.recording_restored'")).rows[0] as { n: string };
      expect(Number(restored.n)).toBe(2);
    } finally {
      await db.end();
    }
    for (const d of screens) {
      const raisedKeys = d.alarms.filter((x) => x.transition === 'raised').map((x) => `${x.alarm.sessionId}|${x.alarm.ruleId}`);
      expect(raisedKeys).toHaveLength(new Set(raisedKeys).size);
      d.socket.close();
    }
  });
});
