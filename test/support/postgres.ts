import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openPostgresStore, type PgStore } from '../../server/src/persistence/pgStore';
import { fillUp } from './smallDisk';

/**
 * A throwaway PostgreSQL server for a test run: initdb in a temp dir, `postgres` on a free loopback
 * port, trust authentication. Tests run it without fsync (they kill processes, not the host); the
 * bench runs it `durable` (fsync on, as in production).
 * Run as root, it runs as the `postgres` system user (PostgreSQL refuses root).
 */
export interface PgServer {
  /** Superuser URL of the `postgres` database (for CREATE DATABASE). */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** URL of a database on this server. */
  urlOf(database: string): string;
  /** Creates an empty database with a fresh name (or the given one) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (fast shutdown; immediate when not `durable`) and removes its files (in the background when not `durable`). */
  stop(): Promise<void>;
  /** SIGKILLs the server without removing its files (for outage tests); `start()` brings it back on the same port. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /**
   * With `diskMb`, as root: fills the server's file system (a real tmpfs) so PostgreSQL fails writes
   * with its own disk-full error (53100), and gives the room back. Where mounting is not permitted it
   * falls back to the server refusing writes (default_transaction_read_only: 25006).
   */
  disk: { mode: 'tmpfs' | 'read_only'; fill(): Promise<void>; free(): Promise<void> };
}

/** Where PostgreSQL's server binaries are: PG_BIN, or the newest /usr/lib/postgresql/<n>/bin. */
export function postgresBinDir(): string | null {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'postgres')) ? process.env.PG_BIN : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** uid/gid to run PostgreSQL as: ourselves, or the `postgres` user when we are root. */
function runAs(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root and no "postgres" user exists: PostgreSQL refuses to run as root (install Debian\'s postgresql package, which creates it)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

let databaseCount = 0;

export async function startPostgres(opts: { durable?: boolean; diskMb?: number } = {}): Promise<PgServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (set PG_BIN, or install Debian\'s postgresql package: apt-get install postgresql)');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'infusion-pg-'));
  const dataDir = join(dir, 'data');
  const ballast = join(dir, 'ballast');
  let mounted = false;
  if (opts.diskMb) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${opts.diskMb}m`, 'tmpfs', dir], { stdio: 'ignore' });
      mounted = true;
    } catch {
      // Not root, or no CAP_SYS_ADMIN: no small disk (`disk` is null).
    }
  }
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...asUser, encoding: 'utf8', cwd: dir });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | null = null;
  let log = '';
  const killOnExit = () => {
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);

  const start = async () => {
    log = '';
    child = spawn(
      join(bin, 'postgres'),
      // prettier-ignore
      ['-D', dataDir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'shared_buffers=128MB',
        // Tests: no fsync (an acknowledged commit survives PostgreSQL's processes being killed, as the
        // tests do, though not the host's crash); commits still wait for their WAL write.
        '-c', 'log_min_messages=fatal', ...(opts.durable ? [] : ['-c', 'fsync=off', '-c', 'full_page_writes=off'])],
      // Its own process group: kill() stops the postmaster and every backend at once, as a crash would.
      { ...asUser, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const c = child;
    c.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitUntilAccepting(adminUrl, c, () => log);
  };

  const stopChild = async (signal: NodeJS.Signals) => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      if (signal === 'SIGKILL' && c.pid) process.kill(-c.pid, 'SIGKILL');
      else c.kill(signal);
    });
  };

  await start();
  return {
    adminUrl,
    port,
    dataDir,
    urlOf: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    createDatabase: (name) => createDatabaseOn(adminUrl, name),
    async stop() {
      process.off('exit', killOnExit);
      // A test server's files are removed next: immediate shutdown (SIGQUIT) skips the shutdown
      // checkpoint, which after a run's hundred-odd databases took a minute.
      await stopChild(opts.durable ? 'SIGINT' : 'SIGQUIT');
      if (mounted) execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      if (opts.durable) rmSync(dir, { recursive: true, force: true });
      // A test run's copies of the template come to hundreds of MB (each database written through the
      // WAL): removing them took half a minute of a run's end on a busy disk. Nothing reads them again,
      // so they go in the background.
      else spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
    },
    kill: () => stopChild('SIGKILL'),
    start,
    disk: mounted
      ? { mode: 'tmpfs', fill: async () => fillUp(ballast), free: async () => rmSync(ballast, { force: true }) }
      : { mode: 'read_only', fill: () => setReadOnly(adminUrl, true), free: () => setReadOnly(adminUrl, false) },
  };
}

/** Every new transaction read-only (or not), server-wide, without a restart. */
async function setReadOnly(adminUrl: string, on: boolean): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(on ? 'ALTER SYSTEM SET default_transaction_read_only = on' : 'ALTER SYSTEM RESET default_transaction_read_only');
    await c.query('SELECT pg_reload_conf()');
  } finally {
    await c.end();
  }
}

/** Waits (bounded) until the server takes connections; fails with its log if it exits first. */
async function waitUntilAccepting(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.end();
      return;
    } catch {
      await c.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The URL a shared server started for the whole run (TEST_PG_URL, set by the global setup) gives, or null. */
export const sharedPostgresUrl = (): string | null => process.env.TEST_PG_URL ?? null;

/** Whether this run's servers store in PostgreSQL (TEST_STORE=postgres, the integration-pg project). */
export const testOnPostgres = (): boolean => process.env.TEST_STORE === 'postgres';

/**
 * The database that stands for a server's data directory on the shared server: the same directory
 * (a test restarting a server on its data) gives the same database, created on first use.
 */
export async function databaseFor(dataDir: string): Promise<string> {
  const admin = sharedPostgresUrl();
  if (!admin) throw new Error('TEST_STORE=postgres needs the PostgreSQL global setup (TEST_PG_URL): run it through the integration-pg project (npm run test:pg)');
  const name = `d_${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    // From the run's migrated template when there is one (migrating every test server's database
    // anew cost about 0.4 s each; the copy takes about 0.1 s).
    const template = process.env.TEST_PG_TEMPLATE;
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
  } finally {
    await c.end();
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A fresh database for one test file: on the run's shared server when there is one, else on a
 * server this file starts (and stops in `release`).
 */
export async function freshDatabase(): Promise<{ url: string; server: PgServer | null; release(): Promise<void> }> {
  const shared = sharedPostgresUrl();
  if (shared) {
    const url = await createDatabaseOn(shared);
    return { url, server: null, release: () => dropDatabaseOn(shared, url) };
  }
  const server = await startPostgres();
  return { url: await server.createDatabase(), server, release: () => server.stop() };
}

/** Two server processes on one fresh database: each its own pool, as two nodes have. */
export async function twoStoresOnOneDatabase(now: number, poolSize = 4): Promise<{ a: PgStore; b: PgStore; close(): Promise<void> }> {
  const db = await freshDatabase();
  const [a, b] = await Promise.all([openPostgresStore({ url: db.url, poolSize }, now), openPostgresStore({ url: db.url, poolSize }, now)]);
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await db.release();
    },
  };
}

/**
 * Two stores (two nodes) on one fresh database for the enclosing describe block: opened before its
 * tests, closed after them. Read `a` and `b` inside the tests.
 */
export function twoStoresForSuite(now: number): { readonly a: PgStore; readonly b: PgStore } {
  let pair: Awaited<ReturnType<typeof twoStoresOnOneDatabase>> | undefined;
  beforeAll(async () => {
    pair = await twoStoresOnOneDatabase(now);
  }, 60_000);
  afterAll(() => pair?.close());
  const open = () => {
    if (!pair) throw new Error('the stores open before the tests: read them inside a test');
    return pair;
  };
  return {
    get a() {
      return open().a;
    },
    get b() {
      return open().b;
    },
  };
}

export async function createDatabaseOn(adminUrl: string, name?: string): Promise<string> {
  const db = name ?? `t_${process.pid}_${Date.now().toString(36)}_${++databaseCount}`;
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE "${db}"`);
  } finally {
    await c.end();
  }
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Drops a test database, closing whatever connections a stopped server left behind. */
export async function dropDatabaseOn(adminUrl: string, url: string): Promise<void> {
  const db = new URL(url).pathname.slice(1);
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await c.end();
  }
}
