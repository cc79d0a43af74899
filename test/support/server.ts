import { createApp, testConfig, type App, type AppDeps, type Clock, type Config } from '@infusion/server';
import type {
  DashboardClientToServer,
  DashboardServerToClient,
  IngestClientToServer,
  IngestServerToClient,
  Order,
  OrderInput,
  RuleSet,
  SessionCreate,
  Session,
} from '@infusion/shared';
import { simulatedChecklist } from '@infusion/simulator';
import { openPostgresStore } from '../../server/src/persistence/pgStore';
import { databaseFor, testOnPostgres } from './postgres';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';

/** Who makes a request: the server URL plus the credentials headers of a user or a device. */
export interface Caller {
  url: string;
  headers: Record<string, string>;
}

export const TEST_PASSWORD = 'correct-horse-battery';
export const TEST_ROLES = ['nurse', 'physician', 'trainer', 'admin'] as const;

export interface TestServer {
  app: App;
  url: string;
  dbPath: string;
  dir: string;
  nurse: Caller;
  physician: Caller;
  trainer: Caller;
  admin: Caller;
  /** Ingest over HTTP with the real device's key. */
  deviceHttp: Caller;
  /** A real device (monitor): `createSession` assigns it to every real session. */
  deviceKey: string;
  deviceId: number;
  /** A simulator device: `createSession` assigns it to every simulated session. */
  simDeviceKey: string;
  simDeviceId: number;
  simDeviceHttp: Caller;
  close(): Promise<void>;
}

/** Per server: its app and default devices, so `createSession(who)` can assign the right one. */
const fixtures = new Map<string, { app: App; deviceId: number; simDeviceId: number; simulated: Map<string, boolean> }>();

export async function login(url: string, username: string, password = TEST_PASSWORD): Promise<Caller> {
  const res = await fetch(url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { csrfToken: string } };
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { url, headers: { cookie, 'x-csrf-token': body.data.csrfToken } };
}

/**
 * A real server on an ephemeral port with a real SQLite file in a temp dir, or (TEST_STORE=postgres)
 * a database of its own on the run's PostgreSQL server, the same one again for the same `dir`.
 */
export async function startServer(
  opts: { clock?: Clock; config?: Partial<Config>; dir?: string; clientDist?: string | null; ruleSet?: RuleSet; storageProbeMs?: number; cluster?: AppDeps['cluster']; port?: number } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'infusion-test-'));
  const dbPath = join(dir, 'infusion.db');
  const store = testOnPostgres() ? await openPostgresStore({ url: await databaseFor(dir), poolSize: 10 }, Date.now()) : undefined;
  const app = await createApp({
    ...(store ? { store } : {}),
    config: testConfig({ DB_PATH: dbPath, LOG_LEVEL: 'silent', LIVE_PUSH_MS: 100, ...opts.config }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ruleSet ? { ruleSet: opts.ruleSet } : {}),
    // With a manual clock the test decides when time passes: no tick timer racing it.
    autoTick: !opts.clock,
    clientDist: opts.clientDist ?? null,
    ...(opts.storageProbeMs ? { storageProbeMs: opts.storageProbeMs } : {}),
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
  });
  const port = await app.listen(opts.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  for (const role of TEST_ROLES) {
    if (!(await app.users.findByUsername(role)))
      await app.users.create({ username: role, displayName: `Test ${role}`, role, units: ['infusion-suite'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
  }
  const [nurse, physician, trainer, admin] = await Promise.all(TEST_ROLES.map((r) => login(url, r)));
  const real = await app.devices.create({ name: 'test device' }, { id: 'test' });
  const sim = await app.devices.create({ name: 'test simulator', simulator: true }, { id: 'test' });
  fixtures.set(url, { app, deviceId: real.device.id, simDeviceId: sim.device.id, simulated: new Map() });
  return {
    app,
    url,
    dbPath,
    dir,
    nurse: nurse!,
    physician: physician!,
    trainer: trainer!,
    admin: admin!,
    deviceKey: real.key,
    deviceId: real.device.id,
    deviceHttp: { url, headers: { authorization: `Bearer ${real.key}` } },
    simDeviceKey: sim.key,
    simDeviceId: sim.device.id,
    simDeviceHttp: { url, headers: { authorization: `Bearer ${sim.key}` } },
    async close() {
      fixtures.delete(url);
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Numbers the default chair and label, which the server requires unique among a unit's active sessions. */
let demoCount = 0;
export const demoSession = (over: Partial<SessionCreate> = {}): SessionCreate => ({
  patientLabel: `Test pt ${++demoCount}`,
  weightKg: 70,
  ageYears: 45,
  setting: 'clinic',
  indication: 'CRPS, chronic pain course',
  supervisingPhysician: 'Dr Supervisor',
  nurse: 'RN Infusion',
  location: `Test chair ${demoCount}`,
  ...over,
});

export interface ApiAnswer<T> {
  status: number;
  body: { ok: boolean; data: T; error?: string; fields?: { field: string; reason: string }[] };
}

export async function api<T = unknown>(who: Caller, method: string, path: string, body?: unknown, raw?: string): Promise<ApiAnswer<T>> {
  const res = await fetch(who.url + path, {
    method,
    headers: { ...who.headers, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, body: (await res.json()) as never };
}

/**
 * Creates a session and assigns the test server's real device (real sessions) or simulator device
 * (simulated ones) through `deviceIds`, unless `over.deviceIds` says otherwise. When the caller may
 * not take that device (it already feeds a session of a unit the caller does not see), the test
 * site assigns it itself, so every test session can be fed by `device(s)` as before.
 */
export async function createSession(who: Caller, over: Partial<SessionCreate> = {}): Promise<Session> {
  const f = fixtures.get(who.url);
  const deviceId = over.simulated ? f?.simDeviceId : f?.deviceId;
  const explicit = over.deviceIds !== undefined;
  const body = demoSession(!f || explicit ? over : { ...over, deviceIds: [deviceId!] });
  let r = await api<Session>(who, 'POST', '/api/sessions', body);
  const elsewhere = r.status === 403 && /outside your rights/.test(r.body.error ?? '');
  if (f && !explicit && elsewhere) r = await api<Session>(who, 'POST', '/api/sessions', demoSession(over));
  if (r.status !== 201) throw new Error(`create session failed: ${JSON.stringify(r.body)}`);
  if (f && !explicit && elsewhere) await f.app.assignments.assign(deviceId!, r.body.data, null, { id: 'test:site' }, () => true);
  f?.simulated.set(r.body.data.id, r.body.data.simulated);
  return r.body.data;
}

/** The device key that may feed a session made by `createSession`: the simulator's for a simulated one. */
export function deviceKeyFor(s: { url: string; deviceKey: string; simDeviceKey?: string }, sessionId: string): string {
  return fixtures.get(s.url)?.simulated.get(sessionId) && s.simDeviceKey ? s.simDeviceKey : s.deviceKey;
}

export type DashClient = Socket<DashboardServerToClient, DashboardClientToServer>;
export type DeviceSocket = Socket<IngestServerToClient, IngestClientToServer>;

/** A dashboard socket carrying the user's session cookie. */
export function dashboard(who: Caller): DashClient {
  return connect(who.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: who.headers.cookie ?? '' } });
}
export function device(s: { url: string; deviceKey: string }): DeviceSocket {
  return connect(s.url + '/ingest', { transports: ['websocket'], reconnection: false, forceNew: true, auth: { deviceKey: s.deviceKey } });
}

export async function connected(s: Socket): Promise<void> {
  if (s.connected) return;
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
}

/** Wait for an event matching a predicate (with a generous bound so a broken feature fails, not hangs). */
export function waitFor<T>(s: Socket, event: string, pred: (v: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      s.off(event, on);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const on = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      s.off(event, on);
      resolve(v);
    };
    s.on(event, on);
  });
}

/** A physician's order for a session (defaults: 0.5-1 mg/kg/h in a clinic, boluses up to 0.2 mg/kg every 10 min, 8 mg/kg in all). */
export const anOrder = (over: Partial<OrderInput> = {}): OrderInput => ({
  setting: 'clinic',
  rateMinMgKgH: 0.5,
  rateMaxMgKgH: 1,
  bolusAllowed: true,
  bolusMaxMgKg: 0.2,
  bolusMinIntervalMin: 10,
  maxCumulativeMgKg: 8,
  ...over,
});

/** The physician (or a trainer on a simulated session) writes the order; throws when refused. */
export async function writeOrder(who: Caller, sessionId: string, over: Partial<OrderInput> = {}): Promise<Order> {
  const r = await api<{ order: Order }>(who, 'PUT', `/api/sessions/${sessionId}/order`, anOrder(over));
  if (r.status !== 200) throw new Error(`order refused: ${JSON.stringify(r.body)}`);
  return r.body.data.order;
}

/** A checklist with every item answered safely (no contraindications, consent, equipment checked). */
export const passingChecklist = (orderedRateMgKgH = 0.5) => simulatedChecklist(orderedRateMgKgH);

/** What a nurse does before the start: baseline vitals arrive, sedation and pain are scored, the checklist passes. */
export async function prepareStart(s: { url: string; deviceKey: string; simDeviceKey?: string }, who: Caller, sessionId: string, t = Date.now(), rate = 0.5): Promise<void> {
  const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
  await connected(dev);
  await dev.emitWithAck('frames', [{ sessionId, seq: 1_000_000_000, t: t - 60_000, hr: 72, sbp: 120, dbp: 78, map: 92, spo2: 98, etco2: 38, rr: 14 }]);
  dev.close();
  await api(who, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'RASS', score: 0 });
  await api(who, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
  const c = await api<{ result: { passed: boolean } }>(who, 'PUT', `/api/sessions/${sessionId}/checklist`, passingChecklist(rate));
  if (!c.body.data?.result.passed) throw new Error(`checklist did not pass: ${JSON.stringify(c.body)}`);
}
