import { createApp, testConfig, type App, type Clock, type Config } from '@infusion/server';
import type {
  DashboardClientToServer,
  DashboardServerToClient,
  IngestClientToServer,
  IngestServerToClient,
  SessionCreate,
  Session,
} from '@infusion/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';

export interface TestServer {
  app: App;
  url: string;
  dbPath: string;
  dir: string;
  close(): Promise<void>;
}

/** A real server on an ephemeral port with a real SQLite file in a temp dir. */
export async function startServer(opts: { clock?: Clock; config?: Partial<Config>; dir?: string; clientDist?: string | null } = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'infusion-test-'));
  const dbPath = join(dir, 'infusion.db');
  const app = createApp({
    config: testConfig({ DB_PATH: dbPath, LOG_LEVEL: 'silent', LIVE_PUSH_MS: 100, ...opts.config }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    clientDist: opts.clientDist ?? null,
  });
  const port = await app.listen(0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dbPath,
    dir,
    async close() {
      await app.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const demoSession = (over: Partial<SessionCreate> = {}): SessionCreate => ({
  patientLabel: 'Bay-7 pt',
  weightKg: 70,
  ageYears: 45,
  setting: 'clinic',
  indication: 'CRPS, chronic pain course',
  supervisingPhysician: 'Dr Supervisor',
  nurse: 'RN Infusion',
  location: 'Chair 3',
  ...over,
});

export async function api<T = unknown>(url: string, method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: { ok: boolean; data: T; error?: string; fields?: { field: string; reason: string }[] } }> {
  const res = await fetch(url + path, {
    method,
    headers: body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {},
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  return { status: res.status, body: (await res.json()) as never };
}

export async function createSession(url: string, over: Partial<SessionCreate> = {}): Promise<Session> {
  const r = await api<Session>(url, 'POST', '/api/sessions', demoSession(over));
  if (r.status !== 201) throw new Error(`create session failed: ${JSON.stringify(r.body)}`);
  return r.body.data;
}

export type DashClient = Socket<DashboardServerToClient, DashboardClientToServer>;
export type DeviceSocket = Socket<IngestServerToClient, IngestClientToServer>;

export function dashboard(url: string): DashClient {
  return connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
}
export function device(url: string): DeviceSocket {
  return connect(url + '/ingest', { transports: ['websocket'], reconnection: false, forceNew: true });
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
