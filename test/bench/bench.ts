/**
 * `npm run bench`: product figures beside the machine's raw ceilings, measured in the same run.
 * - ceiling: batched better-sqlite3 inserts/s on the product's vitals schema
 * - ceiling: batched node-postgres inserts/s on the same schema, PostgreSQL durable (fsync, synchronous commit)
 * - ceiling: bare socket.io emits/s on loopback (no validation, no storage)
 * - rule evaluation: frames/s through the pure engine with the default rule set
 * - replay speed of a logged 4-hour session
 * - session record export of the replayed 4-hour session (PDF, CSV, FHIR): time, size and the longest event-loop stall meanwhile
 * Per configuration (SQLite and PostgreSQL; one server process, and two node processes behind nginx with
 * redis-server as test/support/cluster.ts starts them), printed side by side at the end (FIGURES says
 * what each is and its unit):
 * - ingest throughput: frames/s validated, evaluated and committed (acked) by the real server process(es)
 * - alarm latency: device send → dashboard receipt, p50/p99, at 100 and 1,000 concurrent 1 Hz sessions
 * - dashboard snapshot: bytes and time of a subscribe answer for 200 sessions with 15 minutes of 1 Hz trend
 * - ingest latency (send → ack after commit) p50/p99, alone and while 10 dashboards call subscribe in a loop
 * - memory: server heap per active session at 1,000 sessions (one node, SQLite)
 * The servers run as their own processes (the real entry point); load generators run here. Through the
 * balancer, clients connect from several loopback addresses so its sticky routing spreads them over the nodes.
 */
import { buildContext, defaultRuleSet, engineEvents, evaluate, initialEngineState, type AlarmUpdate, type IngestResult, type Result, type Session, type Snapshot } from '@infusion/shared';
import Database from 'better-sqlite3';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get as httpGet, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { migrate } from '../../server/src/persistence/migrations';
import { openPostgres } from '../../server/src/persistence/pgStore';
import { startPostgres, type PgServer } from '../support/postgres';
import { exited, provision, ROOT, spawnServer } from '../support/child';
import { startCluster, type Cluster, type ClusterStore } from '../support/cluster';
import { logLongSession } from '../support/longSession';
import { demoSession, login, TEST_PASSWORD } from '../support/server';
import type { App } from '@infusion/server';
import { replaySession } from '../../server/src/replay/replay';

const dir = mkdtempSync(join(tmpdir(), 'infusion-bench-'));
/** The configuration (store, nodes) whose figures are being measured (null: configuration-independent figures). */
let config: string | null = null;
/** Configurations in the order they ran, those that could not start with why. */
const configs: string[] = [];
const notMeasured = new Map<string, string>();
/** What each per-configuration figure is, and its unit: printed with the figures side by side at the end. */
const FIGURES: Record<string, string> = {
  ingest: 'ingest throughput, frames/s: 100,000 frames for 100 sessions from 4 device sockets (8 batches of 250 in flight), counted once validated, committed, evaluated and acknowledged',
  'snapshot points': 'dashboard snapshot, trend points: what one subscribe answer carries for 200 sessions with 15 min of 1 Hz frames each',
  'snapshot size and time': 'dashboard snapshot, MB and ms: size of that answer; time subscribe → answer, first (trends computed) and median of the next 4',
  'ingest latency quiet': 'ingest latency, ms: device send → ack after commit, 200 sessions at 1 Hz in batches of 10 every 50 ms, no dashboard',
  'ingest latency loaded': 'ingest latency, ms: the same while 10 dashboards call subscribe in a loop (the rate limit refuses some)',
  'alarm latency @ 100': 'alarm latency, ms: device send of an alarming frame → "raised" on a dashboard, 100 sessions x 1 Hz (every 5th frame alarms), one socket per session; acks/s = frames acknowledged during the sending (alarms of frames answered later are waited for, up to 30 s)',
  'alarm latency @ 1,000': 'alarm latency, ms: the same at 1,000 sessions x 1 Hz',
  'memory per session':
    'server heap per active session, KB: heap after a full GC with 1,000 sessions streaming at 1 Hz (10 device sockets, 1 screen) minus before they were opened, divided by 1,000',
  'memory per long session':
    'server heap per session that has streamed 4 hours of 1 Hz frames (14,400), KB: its duplicate window and every other per-session structure at their 4-hour size; 50 such sessions measured beside the 1,000, against the heap once their live stream has stopped',
};
/** Figures measured per configuration, printed side by side at the end. */
const byConfig = new Map<string, Map<string, string>>();
const line = (k: string, v: string) => {
  if (config) {
    if (!byConfig.has(k)) byConfig.set(k, new Map());
    byConfig.get(k)!.set(config, v);
  }
  console.log(`${(config ? `[${config}] ` : '') + k}`.padEnd(60) + ` ${v}`);
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function sqliteCeiling(): void {
  const db = new Database(join(dir, 'ceiling.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db, Date.now());
  const ins = db.prepare(`INSERT INTO vitals (session_id, device_id, seq, t, hr, sbp, dbp, map, spo2, etco2, rr, received_at, simulated)
    VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // Same shape as the ingest load below: 100 sessions, seq and t increasing per session.
  const N = 200_000;
  const batch = 1000;
  const sessions = 100;
  const t0 = performance.now();
  for (let b = 0; b < N / batch; b++) {
    db.transaction(() => {
      for (let i = 0; i < batch; i++) {
        const k = b * batch + i;
        const q = Math.floor(k / sessions);
        ins.run(`s_${k % sessions}`, q, 1_700_000_000_000 + q * 1000, 70, 120, 80, 93, 98, 38, 14, 0, 0);
      }
    })();
  }
  const s = (performance.now() - t0) / 1000;
  line('ceiling: SQLite batched inserts (1,000/txn)', `${fmt(N / s)} rows/s`);
  db.close();
}

/** The same load as the SQLite ceiling: 1,000-row multi-row INSERTs, one transaction each, 2 connections in parallel. */
async function postgresCeiling(server: PgServer): Promise<void> {
  const pool = await openPostgres({ url: await server.createDatabase('ceiling'), poolSize: 2 }, Date.now());
  const N = 200_000;
  const batch = 1000;
  const sessions = 100;
  const cols = 13;
  const text = `INSERT INTO vitals (session_id, device_id, seq, t, hr, sbp, dbp, map, spo2, etco2, rr, received_at, simulated) VALUES ${Array.from(
    { length: batch },
    (_, i) => `(${Array.from({ length: cols }, (_, c) => `$${i * cols + c + 1}`).join(',')})`,
  ).join(',')}`;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    [0, 1].map(async () => {
      while (next < N) {
        const b = next;
        next += batch;
        const values: unknown[] = [];
        for (let i = 0; i < batch; i++) {
          const k = b + i;
          const q = Math.floor(k / sessions);
          values.push(`s_${k % sessions}`, 1, q, 1_700_000_000_000 + q * 1000, 70, 120, 80, 93, 98, 38, 14, 0, 0);
        }
        await pool.query(text, values);
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  line('ceiling: PostgreSQL batched inserts (1,000/txn)', `${fmt(N / s)} rows/s`);

  // The write queue's pattern: one INSERT statement per frame, many statements per transaction.
  const one = `INSERT INTO vitals (session_id, device_id, seq, t, hr, sbp, dbp, map, spo2, etco2, rr, received_at, simulated) VALUES (${Array.from({ length: cols }, (_, c) => `$${c + 1}`).join(',')})`;
  const M = 50_000;
  const client = await pool.connect();
  const t1 = performance.now();
  for (let b = 0; b < M / batch; b++) {
    await client.query('BEGIN');
    for (let i = 0; i < batch; i++) {
      const k = b * batch + i;
      const q = 1_000_000 + Math.floor(k / sessions);
      // node-postgres sends one statement at a time per connection: each row costs a round trip.
      await client.query(one, [`s_${k % sessions}`, 2, q, 1_700_000_000_000 + q * 1000, 70, 120, 80, 93, 98, 38, 14, 0, 0]);
    }
    await client.query('COMMIT');
  }
  const s1 = (performance.now() - t1) / 1000;
  client.release();
  line('ceiling: PostgreSQL one INSERT per row (1,000/txn)', `${fmt(M / s1)} rows/s`);
  await pool.end();
}

async function socketCeiling(): Promise<void> {
  const http = createServer();
  const srv = new Server(http);
  let got = 0;
  const N = 100_000;
  const done = new Promise<void>((resolve) => {
    srv.on('connection', (s) => s.on('m', () => ++got === N && resolve()));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as { port: number }).port;
  const c = io(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  await new Promise<void>((r) => c.once('connect', () => r()));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) c.emit('m', { sessionId: 's_x', seq: i, t: 0, hr: 70 });
  await done;
  const s = (performance.now() - t0) / 1000;
  line('ceiling: bare socket.io emits on loopback', `${fmt(N / s)} msgs/s`);
  c.close();
  void srv.close();
}

let creds: { nurseHeaders: Record<string, string>; deviceKey: string; deviceId: number };

/**
 * Where the load goes: one server, or the load balancer in front of several nodes. The balancer routes
 * by client address (sticky), so clients spread over nodes by connecting from different loopback
 * addresses: `addrs[k]` reaches node k (one entry: a single server).
 */
interface Target {
  url: string;
  addrs: string[];
  /** Each server process's output so far (its loop-probe lines: test/scripts/loop-probe.mjs). */
  outputs?: () => string[];
}
const addrOf = (t: Target, i: number) => t.addrs[i % t.addrs.length]!;

/** A JSON request from a given local address (the global fetch cannot choose one). */
function request(url: string, method: string, headers: Record<string, string>, body: unknown, localAddress: string): Promise<{ status: number; json: unknown }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, localAddress, headers: { ...headers, ...(data === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** One loopback address per node, found by asking the balancer's health route from each address in turn. */
async function addressesPerNode(cluster: Cluster): Promise<string[]> {
  const found = new Map<string, string>();
  for (let i = 1; i < 64 && found.size < cluster.nodes.length; i++) {
    const addr = `127.0.0.${i}`;
    const r = await request(cluster.url + '/api/health', 'GET', {}, undefined, addr);
    const node = (r.json as { data?: { node?: string } }).data?.node;
    if (node && !found.has(node)) found.set(node, addr);
  }
  if (found.size < cluster.nodes.length) throw new Error(`the balancer sent every address to ${[...found.keys()].join(', ')}`);
  return cluster.nodes.map((n) => found.get(n.id)!);
}

/** Sessions opened through the target, 8 requests at a time; session i from address i (so on node i mod nodes). */
async function createSessions(t: Target, n: number): Promise<string[]> {
  const ids: string[] = new Array<string>(n);
  let next = 0;
  const base = uniq++;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        const body = demoSession({ patientLabel: `BENCH-${base}-${i}`, location: `Bed ${base}-${i}`, simulated: true, deviceIds: [creds.deviceId] });
        let r = await request(t.url + '/api/sessions', 'POST', creds.nurseHeaders, body, addrOf(t, i));
        // 503 "storage is failing; try again" (e.g. no free database connection within its timeout on an
        // overloaded machine): retried as a client would, a few times, and counted with the figure. A creation
        // answered 503 stored nothing, so the retry is the same request (a 409 here would say otherwise).
        for (let attempt = 1; r.status === 503 && attempt <= 5; attempt++) {
          createRetries++;
          await new Promise((res) => setTimeout(res, 500 * attempt));
          r = await request(t.url + '/api/sessions', 'POST', creds.nurseHeaders, body, addrOf(t, i));
        }
        if (r.status !== 201) throw new Error(`create session: ${r.status} ${JSON.stringify(r.json)}`);
        ids[i] = (r.json as { data: Session }).data.id;
      }
    }),
  );
  return ids;
}
let uniq = 0;

async function endSessions(t: Target, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 50) await Promise.all(ids.slice(i, i + 50).map((id) => fetch(`${t.url}/api/sessions/${id}/end`, { method: 'POST', headers: { ...creds.nurseHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'benchmark finished' }) })));
}

/** socket.io-client passes `localAddress` on to its WebSocket (engine.io-client), though its types omit it. */
const from = (localAddress: string): Partial<ManagerOptions & SocketOptions> => ({ localAddress }) as Partial<ManagerOptions & SocketOptions>;

/**
 * A socket that the server refused in its connection middleware (the device key or login could not be
 * checked: no free database connection within its timeout) is not reconnected by socket.io-client on its
 * own: without this it stayed down, and the step waiting for its acknowledgements stalled with no traffic.
 * It retries every second, as the product's clients should; the last refusal is kept to say why.
 */
const refusals = new WeakMap<Socket, string>();
const keepConnecting = (s: Socket): Socket => {
  s.on('connect_error', (err) => {
    refusals.set(s, err.message);
    if (!s.active) setTimeout(() => s.connect(), 1000);
  });
  return s;
};
/** Resolves once the socket is connected; rejects after `ms` saying why it could not connect. */
const whenConnected = (s: Socket, ms = 60_000): Promise<void> =>
  s.connected
    ? Promise.resolve()
    : new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no connection within ${ms / 1000} s (last refusal: ${refusals.get(s) ?? 'none'})`)), ms);
        s.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
      });

const connectDevice = async (t: Target, i: number): Promise<Socket> => {
  const s = keepConnecting(io(t.url + '/ingest', { ...from(addrOf(t, i)), transports: ['websocket'], forceNew: true, auth: { deviceKey: creds.deviceKey } }));
  await whenConnected(s);
  return s;
};

const connectScreen = async (t: Target, i: number): Promise<Socket> => {
  const s = keepConnecting(io(t.url, { ...from(addrOf(t, i)), transports: ['websocket'], forceNew: true, extraHeaders: { cookie: creds.nurseHeaders.cookie! } }));
  await whenConnected(s);
  return s;
};

/**
 * Frames sent until acknowledged. A device whose connection drops (a node stalled past the ping timeout,
 * e.g. waiting on another process's SQLite write lock) reconnects and sends them again, as a real device
 * does; already stored frames then come back as duplicates. Counted, and said with the figure.
 */
let resent = 0;
async function sendFrames(d: Socket, frames: unknown[]): Promise<Result<IngestResult>> {
  for (;;) {
    try {
      // Never an await without an end: a batch not answered within 60 s is sent again (duplicates are counted as such).
      return (await d.timeout(60_000).emitWithAck('frames', frames)) as Result<IngestResult>;
    } catch {
      resent++;
      await whenConnected(d);
    }
  }
}
/** Session creations answered 503 (storage busy) and retried. */
let createRetries = 0;
const resentNote = () => {
  const n = resent;
  const c = createRetries;
  resent = 0;
  createRetries = 0;
  return (n ? `; ${fmt(n)} batches resent after a dropped device connection` : '') + (c ? `; ${fmt(c)} session creations retried after a 503` : '');
};

async function ingestThroughput(t: Target): Promise<void> {
  const sessions = await createSessions(t, 100);
  const devices = await Promise.all(Array.from({ length: 4 }, (_, i) => connectDevice(t, i)));
  const total = 100_000;
  const batch = 250;
  const inFlight = 8;
  let next = 0;
  let committed = 0;
  const seq = new Map<string, number>();
  const makeBatch = () =>
    Array.from({ length: batch }, (_, i) => {
      const id = sessions[(next + i) % sessions.length]!;
      const q = (seq.get(id) ?? 0) + 1;
      seq.set(id, q);
      return { sessionId: id, seq: q, t: Date.now(), hr: 70 + (q % 20), sbp: 120, dbp: 80, map: 93, spo2: 97, etco2: 38, rr: 14 };
    });
  const t0 = performance.now();
  await Promise.all(
    devices.map(async (d) => {
      const pump = async (): Promise<void> => {
        while (next < total) {
          const frames = makeBatch();
          next += batch;
          const r = await sendFrames(d, frames);
          if (r.ok) committed += r.data.accepted.length + r.data.duplicates.length;
        }
      };
      await Promise.all(Array.from({ length: inFlight / devices.length }, pump));
    }),
  );
  const s = (performance.now() - t0) / 1000;
  line('ingest', `${fmt(committed / s)} frames/s (${fmt(committed)} in ${s.toFixed(1)} s)${resentNote()}`);
  devices.forEach((d) => d.close());
  await endSessions(t, sessions);
}

async function alarmLatency(t: Target, n: number, seconds: number): Promise<void> {
  const sessions = await createSessions(t, n);
  // Devices first: 1,000 WebSocket handshakes at once can hold this process's loop for seconds on a loaded
  // machine, past the server's ping timeout (4.5 s), which would cut a screen connected before them.
  const devs = await Promise.all(sessions.map((_, i) => connectDevice(t, Math.floor(i / t.addrs.length))));
  // The screen on the first node; session i is held by node i mod nodes, its device reaches node (i / nodes) mod nodes:
  // with two nodes half the frames arrive off their holder and half the alarms are raised on the other node.
  const dash = await connectScreen(t, 0);
  // Alarming frames sent, per session: event time and when sent.
  const sentAt = new Map<string, { t: number; sent: number; shown: boolean }[]>();
  let alarmingSent = 0;
  const lat: number[] = [];
  let lastEventId = 0;
  let caughtUp = 0;
  const onRaised = (u: AlarmUpdate, missed: boolean) => {
    lastEventId = Math.max(lastEventId, u.eventId);
    if (u.transition !== 'raised') return;
    // `at` is the event time the frame was judged at: its own, or later when it arrived after a tick of its
    // session's clock had passed it (the engine's time never runs backwards; on a loaded machine 10-15% of
    // the frames). So the raise belongs to the session's latest alarming frame sent at or before `at`.
    const frame = sentAt
      .get(u.alarm.sessionId)
      ?.filter((f) => f.t <= u.at)
      .at(-1);
    if (!frame || frame.shown) return;
    frame.shown = true;
    lat.push(performance.now() - frame.sent);
    if (missed) caughtUp++;
  };
  const subscribe = async () => {
    const r = (await dash.timeout(60_000).emitWithAck('subscribe', lastEventId ? { lastAlarmEventId: lastEventId } : {})) as Result<Snapshot>;
    if (r.ok) {
      lastEventId = Math.max(lastEventId, r.data.lastAlarmEventId);
      r.data.missedAlarmUpdates.forEach((u) => onRaised(u, true));
    }
  };
  await subscribe();
  const loop = loopDelays(t);
  // A screen the server cuts off (ping timeout: this process's loop held too long; or it stopped reading)
  // reconnects and subscribes again from its last alarm event, as the dashboard does: said with the figure.
  let dashCut: string | null = null;
  dash.on('disconnect', (reason) => (dashCut ??= reason));
  dash.io.on('reconnect', () => void subscribe().catch(() => {}));
  dash.on('alarm', (u: AlarmUpdate) => onRaised(u, false));
  let drops = 0;
  devs.forEach((d) => d.on('disconnect', () => drops++));
  const seq = sessions.map(() => 0);
  const timers: NodeJS.Timeout[] = [];
  let acks = 0;
  // Each session sends one frame per second, phases spread over the second; every 5th frame alarms (HR 110 → 165,
  // a step the artifact rule accepts), the next clears.
  sessions.forEach((id, i) => {
    const start = setTimeout(() => {
      const tick = () => {
        const q = ++seq[i]!;
        const t = Date.now();
        const alarming = q % 5 === 0;
        if (alarming) {
          const list = sentAt.get(id) ?? [];
          list.push({ t, sent: performance.now(), shown: false });
          sentAt.set(id, list);
          alarmingSent++;
        }
        devs[i]!.emit('frames', [{ sessionId: id, seq: q, t, hr: alarming ? 165 : 110, sbp: 120, dbp: 80, spo2: 97, rr: 14 }], () => acks++);
      };
      tick();
      timers.push(setInterval(tick, 1000));
    }, (i * 1000) / n);
    timers.push(start);
  });
  await new Promise((r) => setTimeout(r, seconds * 1000));
  timers.forEach((t) => clearTimeout(t));
  const acked = acks;
  const sent = seq.reduce((a, b) => a + b, 0);
  // Frames still in flight (an overloaded store answers late): their alarms count too, up to 30 s more.
  const settle = performance.now() + 30_000;
  while (acks < sent && performance.now() < settle) await new Promise((r) => setTimeout(r, 50));
  // Then the alarms: an alarm is written (and shown) after its frame is acknowledged, in the next write batch,
  // which on a loaded machine is seconds later. Counting stopped 0.5 s after the last acknowledgement
  // before, which on a loaded machine was before the first alarm arrived ("no alarm reached the screen").
  // Now: until every alarming frame's raise arrived, or none arrived for 3 s, within the same 30 s.
  let seen = lat.length;
  let quietSince = performance.now();
  while (lat.length < alarmingSent && performance.now() < settle && performance.now() - quietSince < 3000) {
    await new Promise((r) => setTimeout(r, 50));
    if (lat.length !== seen) [seen, quietSince] = [lat.length, performance.now()];
  }
  const latency = lat.length ? `p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms` : 'no alarm reached the screen';
  const late = acks < sent ? `; ${fmt(sent - acks)} of ${fmt(sent)} frames unacknowledged 30 s after the last send` : '';
  line(
    `alarm latency @ ${fmt(n)}`,
    `${latency} (n=${fmt(lat.length)} of ${fmt(alarmingSent)} alarming frames); ${fmt(acked / seconds)} acks/s (${fmt(sent / seconds)} frames/s sent)${drops ? `; ${fmt(drops)} device connections dropped` : ''}${dashCut ? `; the dashboard was disconnected (${dashCut}) and resubscribed, ${fmt(caughtUp)} alarms caught up then` : ''}${late}${resentNote()}; ${loop()}`,
  );
  devs.forEach((d) => d.close());
  dash.close();
  await endSessions(t, sessions);
}

/**
 * How long each event loop was held while a figure was measured: the server processes' (their loop-probe
 * lines) and this load generator's own. A figure whose generator loop was held long measures the
 * generator as much as the server: said beside it.
 */
function loopDelays(t: Target): () => string {
  const from = Date.now();
  const own = monitorEventLoopDelay({ resolution: 10 });
  own.enable();
  return () => {
    own.disable();
    const to = Date.now();
    const servers = (t.outputs?.() ?? []).map((out) => {
      const samples = out
        .split('\n')
        .filter((l) => l.startsWith('loop-probe '))
        .map((l) => JSON.parse(l.slice('loop-probe '.length)) as { at: number; p99: number; max: number })
        .filter((x) => x.at >= from && x.at <= to + 1000);
      return samples.length ? `p99 ${pct(samples.map((x) => x.p99), 50).toFixed(0)} ms (median second), max ${Math.max(...samples.map((x) => x.max)).toFixed(0)} ms` : 'no probe';
    });
    const ms = (ns: number) => (ns / 1e6).toFixed(0);
    return `event loop held: server${servers.length > 1 ? 's' : ''} ${servers.join(' / ') || 'not probed'}; load generator p99 ${ms(own.percentile(99))} ms, max ${ms(own.max)} ms; load average ${loadavg()[0]!.toFixed(1)}`;
  };
}

/** 200 sessions with 15 minutes of 1 Hz trend: snapshot size and time, then ingest latency under a subscribe loop. */
async function snapshotUnderLoad(t: Target): Promise<void> {
  const n = 200;
  const TREND_S = 900;
  const sessions = await createSessions(t, n);
  const devices = await Promise.all(Array.from({ length: 4 }, (_, i) => connectDevice(t, i)));
  const t0 = Date.now() - TREND_S * 1000;
  const frame = (id: string, sec: number) => ({ sessionId: id, seq: sec + 1, t: t0 + sec * 1000, hr: 70 + (sec % 7), sbp: 120, dbp: 80, map: 93, spo2: 97 - (sec % 3), etco2: 38, rr: 14 });
  // Backfill, 1,000 frames a batch, 8 in flight.
  const all: { id: string; sec: number }[] = [];
  for (let sec = 0; sec < TREND_S; sec++) for (const id of sessions) all.push({ id, sec });
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      while (next < all.length) {
        const slice = all.slice(next, (next += 1000));
        await sendFrames(devices[w % devices.length]!, slice.map((x) => frame(x.id, x.sec)));
      }
    }),
  );

  const snaps: { ms: number; bytes: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const dash = await connectScreen(t, i);
    const start = performance.now();
    const res = (await dash.timeout(60_000).emitWithAck('subscribe', {})) as Result<{ sessions: unknown[]; trends: Record<string, unknown[]> }>;
    const ms = performance.now() - start;
    if (!res.ok) throw new Error(res.error);
    snaps.push({ ms, bytes: Buffer.byteLength(JSON.stringify(res)) });
    if (i === 0) {
      const points = Object.values(res.data.trends).reduce((a, t) => a + t.length, 0);
      line('snapshot points', `${fmt(points)} trend points (${fmt(points / res.data.sessions.length)} per session) for ${res.data.sessions.length} sessions`);
    }
    dash.close();
  }
  const warm = snaps.slice(1).map((x) => x.ms);
  line('snapshot size and time', `${(snaps[0]!.bytes / 1e6).toFixed(2)} MB; ${snaps[0]!.ms.toFixed(0)} ms, then median ${pct(warm, 50).toFixed(0)} ms${resentNote()}`);

  // Live load: every session at 1 Hz, sent as batches of 10 every 50 ms; latency = send → ack (after commit).
  let sec = TREND_S;
  const ingestFor = async (seconds: number): Promise<number[]> => {
    const lat: number[] = [];
    const pending: Promise<unknown>[] = [];
    const end = performance.now() + seconds * 1000;
    let k = 0;
    while (performance.now() < end) {
      const ids = sessions.slice((k * 10) % n, ((k * 10) % n) + 10);
      if ((k * 10) % n === 0) sec++;
      const frames = ids.map((id) => ({ ...frame(id, sec), t: Date.now() }));
      const sent = performance.now();
      pending.push(sendFrames(devices[k % devices.length]!, frames).then(() => lat.push(performance.now() - sent)));
      k++;
      await new Promise((r) => setTimeout(r, 50));
    }
    await Promise.all(pending);
    return lat;
  };
  const quiet = await ingestFor(10);
  line('ingest latency quiet', `p50 ${pct(quiet, 50).toFixed(1)} ms, p99 ${pct(quiet, 99).toFixed(1)} ms (n=${quiet.length})${resentNote()}`);

  const dashes = await Promise.all(Array.from({ length: 10 }, (_, i) => connectScreen(t, i)));
  let running = true;
  let served = 0;
  let refused = 0;
  const loops = dashes.map(async (d) => {
    while (running && d.connected) {
      const r = (await d.timeout(60_000).emitWithAck('subscribe', {}).catch(() => null)) as Result<unknown> | null;
      if (r?.ok) served++;
      else if (r) refused++;
    }
  });
  const loaded = await ingestFor(10);
  running = false;
  await Promise.all(loops);
  const stillUp = dashes.filter((d) => d.connected).length;
  line(
    'ingest latency loaded',
    `p50 ${pct(loaded, 50).toFixed(1)} ms, p99 ${pct(loaded, 99).toFixed(1)} ms (n=${loaded.length}); subscribe ${fmt(served)} served, ${fmt(refused)} refused by the rate limit; ${stillUp}/10 dashboards connected${resentNote()}`,
  );
  dashes.forEach((d) => d.close());
  devices.forEach((d) => d.close());
  await endSessions(t, sessions);
}

/** The heap a server started with the heap probe holds after a full garbage collection (test/scripts/heap-probe.mjs). */
async function heapOf(srv: { child: ChildProcess; output(): string }): Promise<{ heapUsed: number; external: number; file: string | null }> {
  const count = () => srv.output().split('heap-probe ').length - 1;
  const before = count();
  srv.child.kill('SIGUSR2');
  const end = Date.now() + 120_000;
  while (count() === before) {
    if (Date.now() > end) throw new Error('the heap probe did not answer');
    await new Promise((r) => setTimeout(r, 20));
  }
  const last = srv.output().split('heap-probe ').at(-1)!.split('\n')[0]!;
  return JSON.parse(last) as { heapUsed: number; external: number; file: string | null };
}

/**
 * Server memory per active session: a fresh server (the real entry point, heap probe preloaded), warmed
 * with a few sessions; heap after a full GC; then 1,000 sessions opened and streamed as 10 bedside
 * gateways would feed them (one socket per 100 sessions, so the figure is the sessions' state, not
 * per-connection buffers): a minute of history each, then 1 frame/s each for 10 s, one screen
 * subscribed; heap after a full GC again, sessions still active. Then 20 more sessions are each given the
 * 14,400 frames of 4 hours at 1 Hz and measured the same way: the figure for a session streaming for hours
 * (whatever grows with a session's frames, such as its duplicate window, is at its 4-hour size).
 * BENCH_HEAP_SNAPSHOTS=<dir> also writes the heap snapshots there.
 */
async function memoryPerSession(env: Record<string, string>): Promise<void> {
  const N = 1000;
  const HISTORY_S = 60;
  const LIVE_S = 10;
  const LONG = 50;
  const LONG_FRAMES = 14_400;
  const probe = pathToFileURL(join(ROOT, 'test/scripts/heap-probe.mjs')).href;
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  const srv = await spawnServer({
    LOG_LEVEL: 'error',
    ...env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import=${probe}`.trim(),
    ...(snapshots ? { HEAP_PROBE_SNAPSHOTS: snapshots } : {}),
  });
  try {
    creds = await provision(srv.url, { simulator: true });
    const t: Target = { url: srv.url, addrs: ['127.0.0.1'] };
    const screen = await connectScreen(t, 0);
    await screen.timeout(60_000).emitWithAck('subscribe', {});
    const devices = await Promise.all(Array.from({ length: 10 }, (_, i) => connectDevice(t, i)));
    type Frame = { sessionId: string; seq: number; t: number } & Partial<Record<'hr' | 'sbp' | 'dbp' | 'map' | 'spo2' | 'etco2' | 'rr', number>>;
    const send = async (frames: Frame[]) => {
      let next = 0;
      await Promise.all(
        devices.map(async (d) => {
          while (next < frames.length) {
            const slice = frames.slice(next, (next += 1000));
            const r = await sendFrames(d, slice);
            if (!r.ok || r.data.accepted.length + r.data.duplicates.length !== slice.length) throw new Error(`memory load refused: ${JSON.stringify(r).slice(0, 300)}`);
          }
        }),
      );
    };
    const history = (ids: string[], from: number, count: number, t0: number, stepMs: number): Frame[] => {
      const out: Frame[] = [];
      for (let k = from; k < from + count; k++)
        for (const id of ids) out.push({ sessionId: id, seq: k + 1, t: t0 + k * stepMs, hr: 70 + (k % 9), sbp: 120 - (k % 5), dbp: 80, map: 93, spo2: 97 - (k % 3), etco2: 38, rr: 14 });
      return out;
    };
    // Warm-up: every code path the measured sessions take has run once (compiled code, rule-set caches).
    const warm = await createSessions(t, 20);
    await send(history(warm, 0, 30, Date.now() - 30_000, 1000));
    await endSessions(t, warm);
    const before = await heapOf(srv);

    const sessions = await createSessions(t, N);
    const t0 = Date.now() - HISTORY_S * 1000;
    for (let s = 0; s < HISTORY_S; s += 10) await send(history(sessions, s, 10, t0, 1000));
    // Live: each session 1 frame/s, a tenth of them every 100 ms, each tenth through its own socket.
    const seq = sessions.map(() => HISTORY_S);
    const start = Date.now();
    let frames = 0;
    for (let k = 0; Date.now() - start < LIVE_S * 1000; k++) {
      const tick = Date.now();
      const batch = [];
      for (let i = k % 10; i < N; i += 10) batch.push({ sessionId: sessions[i]!, seq: ++seq[i]!, t: tick, hr: 72, sbp: 118, dbp: 79, map: 92, spo2: 97, etco2: 38, rr: 14 });
      await sendFrames(devices[k % 10]!, batch);
      frames += batch.length;
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
    const after = await heapOf(srv);
    const kb = (after.heapUsed - before.heapUsed) / N / 1024;
    line('memory per session', `${kb.toFixed(1)} KB (heap after full GC ${(before.heapUsed / 1e6).toFixed(1)} → ${(after.heapUsed / 1e6).toFixed(1)} MB; ${fmt(HISTORY_S + frames / N)} frames each)${resentNote()}`);

    // Long-running sessions: the 14,400 frames of 4 h at 1 Hz each, the last ending now. Their event times are
    // 240 ms apart, so all of them fall within the hour before the session opened that the server accepts.
    // Measured against the heap once the live stream has stopped (its socket buffers and pending pushes
    // gone): against the heap while it ran, 20 sessions' growth was lost in what the stream freed (-71.7 KB).
    const idle = await heapOf(srv);
    const long = await createSessions(t, LONG);
    const tl = Date.now() - LONG_FRAMES * 240;
    for (let s = 0; s < LONG_FRAMES; s += 500) await send(history(long, s, Math.min(500, LONG_FRAMES - s), tl, 240));
    const full = await heapOf(srv);
    const kbFull = (full.heapUsed - idle.heapUsed) / LONG / 1024;
    line('memory per long session', `${kbFull.toFixed(1)} KB (${LONG} sessions of ${fmt(LONG_FRAMES)} frames each, beside the 1,000: heap ${(idle.heapUsed / 1e6).toFixed(1)} → ${(full.heapUsed / 1e6).toFixed(1)} MB)${resentNote()}`);
    if (full.file) console.log(`heap snapshots: ${before.file} ${after.file} ${idle.file} ${full.file}`);
    screen.close();
    devices.forEach((d) => d.close());
  } finally {
    srv.child.kill('SIGTERM');
    await exited(srv.child);
  }
}

function ruleEvaluation(): void {
  const N = 300_000;
  // A running infusion with a baseline, so every rule kind has work to do.
  const ctx = buildContext({ infusion: { status: 'running', rateMgKgH: 0.5, asOf: 0 }, baseline: { hr: 72, sbp: 120, dbp: 78, spo2: 98, rr: 14, etco2: 38 } });
  let st = initialEngineState();
  let fired = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = evaluate(defaultRuleSet, st, ctx, engineEvents.vitals(i * 1000, { hr: 70 + (i % 90), sbp: 120 + (i % 70), dbp: 80, spo2: 99 - (i % 15), etco2: 38, rr: 14 }));
    st = r.state;
    fired += r.transitions.length;
  }
  const s = (performance.now() - t0) / 1000;
  line(`rules: pure engine, default set (${defaultRuleSet.rules.length} rules)`, `${fmt(N / s)} frames/s (${fmt(fired)} transitions)`);
}

/** Replay speed: a logged 4-hour session (14,400 frames at 1 Hz) re-run through the full default rule set. */
async function replaySpeed(): Promise<void> {
  const HOURS = 4;
  const { app, sessionId, frames: total } = await logLongSession(dir, HOURS);
  const t0 = performance.now();
  const r = await replaySession(app.store, sessionId);
  const s = (performance.now() - t0) / 1000;
  line(`replay: logged ${HOURS} h session (${fmt(total)} frames)`, `${fmt(r.events / s)} events/s, whole session in ${(s * 1000).toFixed(0)} ms (${r.alarms.length} alarms)`);
  await exportFigures(app, sessionId, `${HOURS} h session (${fmt(total)} frames)`);
  await app.close();
}

/**
 * The session record export of a long session through the real route: time to the last byte, size, and
 * the longest the event loop was held meanwhile (the server's loop; the download is read in this process too).
 */
async function exportFigures(app: App, sessionId: string, what: string): Promise<void> {
  await app.users.create({ username: 'benchnurse', displayName: 'Bench nurse', role: 'nurse', units: ['*'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'bench' });
  const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  const nurse = await login(url, 'benchnurse');
  for (const format of ['pdf', 'csv', 'fhir']) {
    // The longest gap between ticks of a 5 ms timer beyond its period: how long the loop was held at once.
    let last = performance.now();
    let stall = 0;
    const probe = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last - 5);
      last = now;
    }, 5);
    const t0 = performance.now();
    const bytes = await new Promise<number>((resolve, reject) => {
      const req = httpGet(`${url}/api/sessions/${sessionId}/export?format=${format}`, { headers: nurse.headers, agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => (n += c.length));
        res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`export ${format}: HTTP ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    const ms = performance.now() - t0;
    clearInterval(probe);
    line(`export ${format.toUpperCase()}: ${what}`, `${(bytes / 1024).toFixed(0)} kB in ${ms.toFixed(0)} ms, longest event-loop stall ${stall.toFixed(0)} ms`);
  }
}

/**
 * BENCH_FIGURES="alarm latency @ 1,000;ceilings" (parts separated by `;`): only the steps whose name contains one
 * of the parts. Steps: ceilings, rules, replay and export, ingest throughput, snapshot and ingest latency,
 * alarm latency @ 100, alarm latency @ 1,000, memory. Unset: every step.
 */
const wants = (step: string): boolean => {
  const parts = process.env.BENCH_FIGURES?.toLowerCase().split(';').map((p) => p.trim()).filter(Boolean);
  return !parts?.length || parts.some((p) => step.toLowerCase().includes(p));
};

/** Runs the server figures on one configuration; a configuration that cannot start prints why instead. */
async function serverFigures(label: string, start: () => Promise<{ target: Target; stop: () => Promise<void> }>, extra?: () => Promise<void>): Promise<void> {
  // BENCH_ONLY="2 nodes" (or "SQLite", ...): only the configurations whose label contains it.
  const only = process.env.BENCH_ONLY?.toLowerCase();
  if (only && !label.toLowerCase().includes(only)) return;
  config = label;
  configs.push(label);
  try {
    const { target, stop } = await start();
    try {
      creds = await provision(target.url, { simulator: true });
      if (wants('ingest throughput')) await ingestThroughput(target);
      if (wants('snapshot and ingest latency')) await snapshotUnderLoad(target);
      if (wants('alarm latency @ 100')) await alarmLatency(target, 100, 10);
      if (wants('alarm latency @ 1,000')) await alarmLatency(target, 1000, 10);
    } finally {
      await stop();
    }
    try {
      if (wants('memory')) await extra?.();
    } catch (err) {
      console.log(`[${label}] memory not measured: ${String(err).split('\n')[0]}`);
    }
  } catch (err) {
    // Said, not hidden: a configuration the server cannot run on yet prints why instead of figures.
    const lines = String(err).split('\n').map((l) => l.trim());
    const why = lines.find((l) => /^Error: /.test(l) && !/(server|node-\w) exited/.test(l)) ?? lines[0]!;
    notMeasured.set(label, why);
    console.log(`[${label}] server figures not measured: ${why}`);
  } finally {
    config = null;
  }
}

/** The server processes' event-loop probe (test/scripts/loop-probe.mjs), preloaded. */
const loopProbe = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(ROOT, 'test/scripts/loop-probe.mjs')).href}`.trim() };

const oneNode = (env: Record<string, string>) => async () => {
  const srv = await spawnServer({ LOG_LEVEL: 'error', ...loopProbe, ...env });
  return {
    target: { url: srv.url, addrs: ['127.0.0.1'], outputs: () => [srv.output()] },
    stop: async () => {
      srv.child.kill('SIGTERM');
      await exited(srv.child);
    },
  };
};

/** Two node processes behind the harness's nginx, with redis-server (test/support/cluster.ts). */
const twoNodes = (store: ClusterStore) => async () => {
  const cluster = await startCluster({ nodes: 2, store, env: { LOG_LEVEL: 'error', ...loopProbe } });
  try {
    return { target: { url: cluster.url, addrs: await addressesPerNode(cluster), outputs: () => cluster.nodes.map((n) => n.output()) }, stop: () => cluster.stop() };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
};

async function main() {
  // The machine may be shared: its load average says how far the figures are from a quiet machine's.
  const load = () => loadavg().map((l) => l.toFixed(2)).join(' / ');
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}; load average ${load()} (1 / 5 / 15 min)\n`);
  // PostgreSQL as in production: fsync and synchronous commit on.
  const pgServer = await startPostgres({ durable: true });
  try {
    if (wants('ceilings')) {
      sqliteCeiling();
      await postgresCeiling(pgServer);
      await socketCeiling();
    }
    if (wants('rules')) ruleEvaluation();
    if (wants('replay and export')) await replaySpeed();
    await serverFigures('SQLite, 1 node', oneNode({ DB_PATH: join(dir, 'bench.db') }), () => memoryPerSession({ DB_PATH: join(dir, 'memory.db') }));
    await serverFigures('SQLite, 2 nodes', twoNodes({ kind: 'sqlite' }));
    await serverFigures('PostgreSQL, 1 node', async () => oneNode({ DATABASE_URL: await pgServer.createDatabase('bench') })());
    await serverFigures('PostgreSQL, 2 nodes', async () => twoNodes({ kind: 'url', databaseUrl: await pgServer.createDatabase('bench2') })());
  } finally {
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('\nside by side (same machine, same run; ceilings above):');
  for (const [k, what] of Object.entries(FIGURES)) {
    const v = byConfig.get(k);
    if (!v) continue;
    console.log(`${k}: ${what}`);
    for (const label of configs) console.log(`  ${label.padEnd(20)} ${v.get(label) ?? (notMeasured.has(label) ? 'not measured' : '-')}`);
  }
  for (const [label, why] of notMeasured) console.log(`not measured on ${label}: ${why}`);
  console.log(`load average at the end: ${load()} (1 / 5 / 15 min)`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
