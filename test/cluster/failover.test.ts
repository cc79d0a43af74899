import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterNode } from '../support/cluster';
import { lowSpo2, openOn, postFrames, provisionCluster, raised, screen, until, type ClusterUsers } from '../support/clusterClient';

/**
 * Two server processes behind nginx (sticky by client address) with redis-server, sharing one SQLite
 * file. What this proves: events cross nodes (an alarm raised on one node reaches a screen on the
 * other), and a screen whose node is SIGKILLed reconnects through the load balancer and receives the
 * alarm changes it missed. What it does not prove: a database server's behaviour under several
 * writers (the store is a parameter of `startCluster`; a DATABASE_URL store runs the same test once
 * the server supports one).
 */
describe('two nodes behind a load balancer, with Redis', () => {
  let cluster: Cluster;
  let u: ClusterUsers;
  /** The node the load balancer does not send this host's clients to. */
  let other: ClusterNode;
  /** A paging gateway that takes 1.5 s to answer: every node's outbox round would find the page still unsent meanwhile. */
  let gateway: Server;
  const pages: { sessionId: string }[] = [];
  let pagesInFlight = 0;

  beforeAll(async () => {
    gateway = createServer((req, res) => {
      pagesInFlight++;
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        pages.push(JSON.parse(body) as { sessionId: string });
        setTimeout(() => {
          pagesInFlight--;
          res.end('ok');
        }, 1_500);
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const webhook = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/page`;
    cluster = await startCluster({ nodes: 2, env: { LIVE_PUSH_MS: '100', WEBHOOK_URLS: webhook } });
    u = await provisionCluster(cluster);
    other = cluster.nodes.find((n) => n !== u.lbNode)!;
  });
  afterAll(async () => {
    await cluster?.stop();
    gateway?.close();
  });

  it('an alarm raised from frames ingested on one node reaches a screen connected (through the load balancer) to the other', async () => {
    const sess = await openOn(u, other);
    const dash = screen(cluster, u);
    await until('first snapshot', () => dash.snapshots.length === 1);
    expect(dash.snapshots[0]!.sessions.map((s) => s.id)).toContain(sess.id);
    const r = await lowSpo2(u, other, sess.id, 1);
    expect(r.accepted).toHaveLength(12);
    await until('the alarm on the other node', () => raised(dash.alarms, sess.id).length === 1);
    expect(raised(dash.alarms, sess.id)[0]!.alarm).toMatchObject({ ruleId: 'spo2.low.high', priority: 'high', state: 'active' });
    // Live vitals too, each sample once (each node serves its own screens, from every node's events).
    const samples = () => dash.vitals.filter((v) => v.sessionId === sess.id).flatMap((v) => v.samples.map((x) => x.t));
    await until('all 12 live samples from the other node', () => samples().length >= 12);
    // A later frame as a marker: a second copy of the first 12 would have come before the marker's last copy.
    const marker = Date.now() + 500;
    await postFrames(u, other, [{ sessionId: sess.id, seq: 13, t: marker, spo2: 85 }]);
    await until('the marker sample', () => samples().includes(marker));
    await postFrames(u, other, [{ sessionId: sess.id, seq: 14, t: marker + 1, spo2: 85 }]);
    await until('a second marker', () => samples().includes(marker + 1));
    expect(samples()).toHaveLength(new Set(samples()).size);
    dash.socket.close();
  });

  it('an escalation is paged once, not once per node', async () => {
    const sess = await openOn(u, other);
    await lowSpo2(u, other, sess.id, 1);
    const db = new Database(join(cluster.dir, 'infusion.db'), { readonly: true });
    const status = () =>
      (db.prepare("SELECT n.status FROM notifications n JOIN escalations e ON e.id = n.escalation_id WHERE n.channel = 'webhook' AND e.session_id = ?").all(sess.id) as { status: string }[]).map((r) => r.status);
    try {
      await until('the page sent and answered', () => status().join() === 'sent' && pagesInFlight === 0, 15_000);
    } finally {
      db.close();
    }
    expect(pages.filter((p) => p.sessionId === sess.id)).toHaveLength(1);
  });

  it("SIGKILL of the screen's node: it reconnects through the load balancer within 3 s and receives the alarms raised meanwhile", async () => {
    const sess = await openOn(u, other);
    const dash = screen(cluster, u);
    await until('first snapshot', () => dash.snapshots.length === 1);
    const disconnected = new Promise<void>((resolve) => dash.socket.once('disconnect', () => resolve()));
    const killedAt = Date.now();
    await cluster.kill(u.lbNode);
    await disconnected;
    // Raised while the screen has no server: it must arrive with the catch-up.
    await lowSpo2(u, other, sess.id, 1);
    await until('reconnected', () => dash.snapshots.length === 2, 10_000);
    const reconnectMs = Date.now() - killedAt;
    expect(reconnectMs).toBeLessThan(3_000);
    await until('the missed alarm', () => raised(dash.alarms, sess.id).length === 1);
    expect(dash.snapshots[1]!.sessions.map((s) => s.id)).toContain(sess.id);
    console.log(`screen reconnected through the load balancer ${reconnectMs} ms after SIGKILL of its node`);
    dash.socket.close();
  });
});
