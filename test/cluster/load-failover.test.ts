import type { IngestResult, Session } from '@infusion/shared';
import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_MS } from '../../server/src/alarms/outboxSender';
import { MAX_FRAMES_PER_BATCH } from '../../server/src/ingest/ingestService';
import { startCluster, type Cluster } from '../support/cluster';
import { openOn, provisionCluster, screen, until, type ClusterUsers, type FrameValues } from '../support/clusterClient';
import { startPostgres, type PgServer } from '../support/postgres';

// 200 as the issue asks; CLUSTER_SESSIONS runs another figure (the machine's ceiling, or a quick check).
const SESSIONS = Number(process.env.CLUSTER_SESSIONS ?? 200);

/** Read-only SQL on the cluster's store, written with `?` placeholders. */
interface StoreReader {
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function sqliteReader(cluster: Cluster): StoreReader {
  const db = new Database(join(cluster.dir, 'infusion.db'), { readonly: true });
  return { rows: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[], close: async () => void db.close() };
}

async function pgReader(url: string): Promise<StoreReader> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return {
    rows: async <T>(sql: string, params: unknown[] = []) => {
      let i = 0;
      return (await c.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows as T[];
    },
    close: () => c.end(),
  };
}

/**
 * Devices streaming 200 sessions through the load balancer; the node they reach is SIGKILLed. Once on
 * one SQLite file shared by the two node processes (see failover.test.ts for what that does and does
 * not prove), once on a PostgreSQL server started by this test (several writers on a database server:
 * the outbox rows each node claims with FOR UPDATE SKIP LOCKED, the alarm rows both nodes write).
 */
describe.each((process.env.CLUSTER_STORES?.split(',') ?? ['sqlite', 'postgres']) as ('sqlite' | 'postgres')[])(`SIGKILL of a node while ${SESSIONS} sessions stream through the load balancer (%s)`, (storeKind) => {
  let cluster: Cluster;
  let u: ClusterUsers;
  let pgServer: PgServer | undefined;
  let databaseUrl: string | undefined;
  /** A paging gateway: every page it is sent, by escalation (alarm id and level). */
  let gateway: Server;
  const pages: { alarmId: number; level: number; sessionId: string }[] = [];

  beforeAll(async () => {
    gateway = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        pages.push(JSON.parse(body) as { alarmId: number; level: number; sessionId: string });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/page`;
    if (storeKind === 'postgres') {
      pgServer = await startPostgres();
      databaseUrl = await pgServer.createDatabase();
    }
    cluster = await startCluster({
      nodes: 2,
      store: databaseUrl ? { kind: 'url', databaseUrl } : { kind: 'sqlite' },
      env: { LIVE_PUSH_MS: '100', WEBHOOK_URLS: webhook },
    });
    u = await provisionCluster(cluster);
  });
  afterAll(async () => {
    await cluster?.stop();
    await pgServer?.stop();
    gateway?.close();
  });

  it('no acknowledged frame is lost, devices are answered by the survivor within 3 s, the dead node\'s sessions are evaluated again within 5 s, and no alarm is raised twice', async () => {
    // Half the sessions opened on each node: each node evaluates some.
    const sessions: Session[] = [];
    for (let i = 0; i < SESSIONS; i++) sessions.push(await openOn(u, cluster.nodes[i % 2]!));
    const dash = screen(cluster, u);
    await until('first snapshot', () => dash.snapshots.length === 1);

    // Even sessions: SpO2 85 throughout (raised before the kill, must not be raised again after it).
    // Every session after the kill: a heart rate of 160, raised once by whichever node evaluates it then
    // (the dead node's sessions only once the survivor has taken them over).
    let killed = false;
    const values = (i: number): FrameValues => ({ ...(i % 2 === 0 ? { spo2: 85 } : {}), ...(killed ? { hr: 160 } : {}) });
    const acked = new Map<string, Set<number>>(sessions.map((s) => [s.id, new Set()]));
    const nextSeq = new Map<string, number>(sessions.map((s) => [s.id, 1]));
    let answeredAfterKillAt: number | null = null;
    let killedAt: number | undefined;
    let allRaisedAt: number | undefined;
    let streaming = true;
    const device = { url: cluster.url, headers: { authorization: `Bearer ${u.deviceKey}`, 'content-type': 'application/json' } };
    const stream = (async () => {
      const start = Date.now();
      // The first batch carries 11 s of history so the SpO2 rule (10 s) fires at once.
      let pending = sessions.flatMap((s, i) =>
        Array.from({ length: 12 }, (_, k) => ({ sessionId: s.id, seq: nextSeq.get(s.id)! + k, t: start - 11_000 + k * 1000, hr: 80, sbp: 120, dbp: 75, spo2: 97, rr: 14, ...values(i) })),
      );
      for (const s of sessions) nextSeq.set(s.id, 13);
      while (streaming) {
        // At most MAX_FRAMES_PER_BATCH frames a request; a chunk without an answer is sent again.
        const unanswered: typeof pending = [];
        for (let from = 0; from < pending.length; from += MAX_FRAMES_PER_BATCH) {
          const chunk = pending.slice(from, from + MAX_FRAMES_PER_BATCH);
          let answer: IngestResult | null = null;
          try {
            const res = await fetch(device.url + '/api/ingest/frames', { method: 'POST', headers: device.headers, body: JSON.stringify({ frames: chunk }) });
            if (res.status === 200) answer = ((await res.json()) as { data: IngestResult }).data;
          } catch {
            // The node died under the request: nothing was acknowledged; the same frames are sent again.
          }
          if (!answer) {
            unanswered.push(...chunk);
            continue;
          }
          // Accepted and duplicates are both stored; match them back to their sessions by (session, seq).
          const ok = new Set([...answer.accepted, ...answer.duplicates]);
          const refused = new Set(answer.rejected.map((r) => `${r.sessionId}|${r.seq}`));
          for (const f of chunk) if (ok.has(f.seq) && !refused.has(`${f.sessionId}|${f.seq}`)) acked.get(f.sessionId)!.add(f.seq);
          if (killed && answeredAfterKillAt === null) answeredAfterKillAt = Date.now();
        }
        const t = Date.now();
        pending = [
          ...unanswered,
          ...sessions.map((s, i) => {
            const seq = nextSeq.get(s.id)!;
            nextSeq.set(s.id, seq + 1);
            return { sessionId: s.id, seq, t, hr: 80, sbp: 120, dbp: 75, spo2: 97, rr: 14, ...values(i) };
          }),
        ];
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    try {
      await until('SpO2 alarms of the even sessions', () => sessions.every((s, i) => i % 2 === 1 || dash.alarms.some((x) => x.alarm.sessionId === s.id && x.alarm.ruleId === 'spo2.low.high')), 15_000);
      await cluster.kill(u.lbNode);
      killedAt = Date.now();
      killed = true;
      await until('devices answered by the survivor', () => answeredAfterKillAt !== null, 10_000);
      // Takeover of the dead node's sessions: their new condition is raised by the survivor.
      await until('heart-rate alarms of every session', () => sessions.every((s) => dash.alarms.some((x) => x.alarm.sessionId === s.id && x.alarm.ruleId === 'hr.high.high')), 15_000);
      allRaisedAt = Date.now();
    } finally {
      streaming = false;
      await stream;
    }
    const devicesBackMs = answeredAfterKillAt! - killedAt!;
    const takeoverMs = allRaisedAt! - killedAt!;
    console.log(
      `${storeKind}, ${SESSIONS} sessions: devices answered by the survivor ${devicesBackMs} ms after SIGKILL; every session evaluated again (new alarm raised) after ${takeoverMs} ms; acknowledged frames: ${[...acked.values()].reduce((n, s) => n + s.size, 0)}`,
    );
    expect(devicesBackMs).toBeLessThan(3_000);
    expect(takeoverMs).toBeLessThan(5_000);

    const db = databaseUrl ? await pgReader(databaseUrl) : sqliteReader(cluster);
    try {
      for (const s of sessions) {
        const stored = new Set((await db.rows<{ seq: number }>('SELECT seq FROM vitals WHERE session_id = ?', [s.id])).map((r) => Number(r.seq)));
        expect([...acked.get(s.id)!].filter((seq) => !stored.has(seq)), `acknowledged frames of ${s.id} missing`).toEqual([]);
      }
      const twice = await db.rows('SELECT session_id, rule_id, COUNT(*) AS n FROM alarms GROUP BY session_id, rule_id HAVING COUNT(*) > 1');
      expect(twice).toEqual([]);
      // Every high alarm is paged at once: wait until each page is sent (none pending on either node), then
      // each escalation level must have reached the gateway once, whichever node claimed it.
      const highAlarms = await db.rows<{ id: number }>("SELECT id FROM alarms WHERE priority = 'high'");
      expect(highAlarms.length).toBeGreaterThanOrEqual(SESSIONS + Math.ceil(SESSIONS / 2));
      const unsent = async () =>
        (await db.rows<{ n: number }>("SELECT COUNT(*) AS n FROM notifications WHERE channel = 'webhook' AND status <> 'sent'"))[0]!.n;
      // A page the killed node had claimed but not yet sent is sent by the survivor once that claim
      // lapses (CLAIM_MS after it was taken): the wait covers one lapse.
      const deadline = Date.now() + CLAIM_MS + 10_000;
      while (Number(await unsent()) > 0 || new Set(pages.map((p) => p.alarmId)).size < highAlarms.length) {
        if (Date.now() > deadline) {
          const paged = new Set(pages.map((p) => p.alarmId));
          const missing = highAlarms.filter((a) => !paged.has(Number(a.id))).map((a) => Number(a.id));
          const detail = await db.rows(
            `SELECT a.id, a.rule_id, a.session_id, e.id AS escalation, e.level, n.channel, n.status FROM alarms a LEFT JOIN escalations e ON e.alarm_id = a.id LEFT JOIN notifications n ON n.escalation_id = e.id WHERE a.id IN (${missing.map(() => '?').join(',') || 'NULL'})`,
            missing,
          );
          throw new Error(`pages not all sent: ${await unsent()} unsent, ${pages.length} received; not paged: ${JSON.stringify(detail)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const pageKeys = pages.map((p) => `${p.alarmId}|${p.level}`);
      console.log(`${storeKind}: ${pages.length} pages received for ${highAlarms.length} high alarms`);
      expect(pageKeys).toHaveLength(new Set(pageKeys).size);
    } finally {
      await db.close();
    }
    // Each alarm was raised once on the screen too (a screen shows each event id once; a second raise would be a new one).
    const raisedKeys = dash.alarms.filter((x) => x.transition === 'raised').map((x) => `${x.alarm.sessionId}|${x.alarm.ruleId}`);
    expect(raisedKeys).toHaveLength(new Set(raisedKeys).size);
    dash.socket.close();
  }, 150_000);
});
