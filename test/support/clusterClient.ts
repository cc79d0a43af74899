import type { AlarmUpdate, IngestResult, LiveVitals, Result, Session, Snapshot, StorageStatus } from '@infusion/shared';
import { io, type Socket } from 'socket.io-client';
import { provision } from './child';
import type { Cluster, ClusterNode } from './cluster';
import { api, demoSession, type Caller } from './server';

/** A nurse and a device provisioned through the load balancer (stored once, valid on every node). */
export interface ClusterUsers {
  nurse: Caller;
  deviceKey: string;
  deviceId: number;
  /** The node the load balancer sends this host's clients to. */
  lbNode: ClusterNode;
}

export async function provisionCluster(cluster: Cluster): Promise<ClusterUsers> {
  const p = await provision(cluster.url);
  const health = await api<{ node: string }>({ url: cluster.url, headers: {} }, 'GET', '/api/health');
  const lbNode = cluster.nodes.find((n) => n.id === health.body.data.node);
  if (!lbNode) throw new Error(`the load balancer answered from an unknown node: ${JSON.stringify(health.body)}`);
  return { nurse: { url: cluster.url, headers: p.nurseHeaders }, deviceKey: p.deviceKey, deviceId: p.deviceId, lbNode };
}

/** A session opened straight on a node, fed by the provisioned device. */
export async function openOn(u: ClusterUsers, node: ClusterNode): Promise<Session> {
  const r = await api<Session>({ url: node.url, headers: u.nurse.headers }, 'POST', '/api/sessions', { ...demoSession(), deviceIds: [u.deviceId] });
  if (r.status !== 201) throw new Error(`create session on ${node.id}: ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export type FrameValues = Partial<Record<'hr' | 'sbp' | 'dbp' | 'spo2' | 'rr', number>>;

/** Frames posted by the device straight to a node; `t` defaults to now. */
export async function postFrames(u: ClusterUsers, node: ClusterNode, frames: ({ sessionId: string; seq: number; t?: number } & FrameValues)[]): Promise<IngestResult> {
  const now = Date.now();
  const body = { frames: frames.map((f) => ({ hr: 80, sbp: 120, dbp: 75, spo2: 97, rr: 14, t: now, ...f })) };
  const r = await api<IngestResult>({ url: node.url, headers: { authorization: `Bearer ${u.deviceKey}` } }, 'POST', '/api/ingest/frames', body);
  if (r.status !== 200) throw new Error(`ingest on ${node.id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

/** 12 s of SpO2 85 ending now: the "SpO2 < 88 for 10 s" rule fires. */
export const lowSpo2 = (u: ClusterUsers, node: ClusterNode, sessionId: string, firstSeq: number) => {
  const now = Date.now();
  return postFrames(
    u,
    node,
    Array.from({ length: 12 }, (_, i) => ({ sessionId, seq: firstSeq + i, t: now - 11_000 + i * 1000, spo2: 85 })),
  );
};

export interface Screen {
  socket: Socket;
  alarms: AlarmUpdate[];
  snapshots: Snapshot[];
  vitals: LiveVitals[];
  /** The recording status pushed by the screen's node (the technical alarm "recording failed" and its end). */
  storage: StorageStatus[];
}

/**
 * A dashboard as the real client runs it: through the load balancer (or straight to the node at `url`),
 * reconnecting, catching up by its last alarm event id.
 */
export function screen(cluster: Cluster, u: ClusterUsers, url = cluster.url): Screen {
  const s: Screen = { socket: null as unknown as Socket, alarms: [], snapshots: [], vitals: [], storage: [] };
  let last: number | undefined;
  const note = (x: AlarmUpdate) => {
    if (s.alarms.some((a) => a.eventId === x.eventId)) return;
    s.alarms.push(x);
    last = Math.max(last ?? 0, x.eventId);
  };
  s.socket = io(url, { transports: ['websocket'], reconnectionDelay: 500, reconnectionDelayMax: 2000, forceNew: true, extraHeaders: { cookie: u.nurse.headers.cookie ?? '' } });
  s.socket.on('alarm', note);
  s.socket.on('vitals', (batch: LiveVitals[]) => s.vitals.push(...batch));
  s.socket.on('storage', (st: StorageStatus) => s.storage.push(st));
  s.socket.on('connect', () => {
    void (s.socket.emitWithAck('subscribe', last === undefined ? {} : { lastAlarmEventId: last }) as Promise<Result<Snapshot>>).then((r) => {
      if (!r.ok) return;
      s.snapshots.push(r.data);
      for (const x of r.data.missedAlarmUpdates) note(x);
      last ??= r.data.lastAlarmEventId;
    });
  });
  return s;
}

export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const raised = (alarms: AlarmUpdate[], sessionId: string, ruleId?: string) =>
  alarms.filter((x) => x.transition === 'raised' && x.alarm.sessionId === sessionId && (ruleId === undefined || x.alarm.ruleId === ruleId));
