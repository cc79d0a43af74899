import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../server/src/persistence/migrations';
import { migratePg, PG_MIGRATIONS } from '../../server/src/persistence/pgMigrations';
import { createPgPool, openPostgres, openPostgresStore, probePostgres, reservePgIds } from '../../server/src/persistence/pgStore';
import { isStorageError, storageFailureOf, storageReason } from '../../server/src/persistence/storageErrors';
import { WriteQueue } from '../../server/src/persistence/writeQueue';
import { openStore } from '../../server/src/persistence/openStore';
import { openWhenStorageAllows } from '../../server/src/storageWait';
import { loadConfig } from '../../server/src/config';
import { systemClock } from '../../server/src/util/clock';
import { sql } from 'kysely';
import { pino } from 'pino';
import { createDatabaseOn, freshDatabase, startPostgres, type PgServer } from '../support/postgres';

interface Column {
  table: string;
  column: string;
  notNull: boolean;
  /** Storage class the column holds: text, integer (flags, ids, counts, times) or real. */
  kind: string;
}

/** SQLite's schema: every table's columns, primary keys and index names. */
function sqliteSchema(): { columns: Column[]; primaryKeys: Record<string, string[]>; indexes: string[] } {
  const db = new Database(':memory:');
  migrate(db, 0);
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const columns: Column[] = [];
  const primaryKeys: Record<string, string[]> = {};
  for (const table of tables) {
    const info = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; pk: number }[];
    for (const c of info) {
      const t = c.type.toUpperCase();
      // A primary key column is never null (SQLite allows it in a non-INTEGER key only by an old quirk the product never uses).
      columns.push({ table, column: c.name, notNull: c.notnull === 1 || c.pk > 0, kind: t === 'REAL' ? 'real' : t === 'INTEGER' ? 'integer' : 'text' });
    }
    primaryKeys[table] = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  }
  const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name").all() as { name: string }[]).map((i) => i.name);
  db.close();
  return { columns, primaryKeys, indexes };
}

const PG_KIND: Record<string, string> = { text: 'text', citext: 'text', json: 'text', integer: 'integer', bigint: 'integer', smallint: 'integer', 'double precision': 'real' };

async function pgSchema(pool: pg.Pool): Promise<{ columns: Column[]; primaryKeys: Record<string, string[]>; indexes: string[] }> {
  const cols = await pool.query<{ table_name: string; column_name: string; is_nullable: string; data_type: string; udt_name: string }>(
    "SELECT table_name, column_name, is_nullable, data_type, udt_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
  );
  const columns = cols.rows.map((c) => ({
    table: c.table_name,
    column: c.column_name,
    notNull: c.is_nullable === 'NO',
    kind: PG_KIND[c.data_type === 'USER-DEFINED' ? c.udt_name : c.data_type] ?? c.data_type,
  }));
  const pks = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
     WHERE tc.table_schema = 'public' AND tc.constraint_type = 'PRIMARY KEY' ORDER BY tc.table_name, kcu.ordinal_position`,
  );
  const primaryKeys: Record<string, string[]> = {};
  for (const r of pks.rows) (primaryKeys[r.table_name] ??= []).push(r.column_name);
  // Indexes that back a primary key or UNIQUE constraint are implicit in SQLite too (sqlite_autoindex_*).
  const idx = await pool.query<{ indexname: string }>(
    `SELECT indexname FROM pg_indexes WHERE schemaname = 'public'
       AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u')) ORDER BY indexname`,
  );
  return { columns, primaryKeys, indexes: idx.rows.map((r) => r.indexname) };
}

const byKey = (c: Column) => `${c.table}.${c.column}`;
const sortCols = (cs: Column[]) => [...cs].sort((a, b) => byKey(a).localeCompare(byKey(b)));

describe('PostgreSQL store', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await freshDatabase();
    pool = await openPostgres({ url: db.url, poolSize: 4 }, 1_000);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await db?.release();
  });

  it('migrates to the same schema as SQLite: tables, columns, nullability, kinds, primary keys and indexes', async () => {
    const lite = sqliteSchema();
    const pgs = await pgSchema(pool);
    expect(PG_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
    expect(sortCols(pgs.columns)).toEqual(sortCols(lite.columns));
    expect(pgs.primaryKeys).toEqual(lite.primaryKeys);
    expect(pgs.indexes).toEqual(lite.indexes);
    const versions = await pool.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version');
    expect(versions.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('migrating again changes nothing; a database newer than the server is refused', async () => {
    expect(await migratePg(pool, 2_000)).toBe(PG_MIGRATIONS.at(-1)!.version);
    const n = await pool.query('SELECT count(*) AS n FROM schema_version');
    expect(n.rows[0].n).toBe(PG_MIGRATIONS.length);
    await expect(migratePg(pool, 3_000, PG_MIGRATIONS.slice(0, 3))).rejects.toThrow(`schema version ${PG_MIGRATIONS.at(-1)!.version} is newer than this server (3)`);
  });

  it('refuses edits, deletes and truncation of audit rows (append-only, as in SQLite)', async () => {
    const ins = await pool.query<{ id: number }>("INSERT INTO audit_log (at, actor, action, entity, after) VALUES (1, 'user:1', 'session.create', 'session', $1) RETURNING id", [JSON.stringify({ b: 1, a: [2] })]);
    const id = ins.rows[0]!.id;
    expect(typeof id).toBe('number');
    await expect(pool.query("UPDATE audit_log SET actor = 'x' WHERE id = $1", [id])).rejects.toThrow(/append-only/);
    await expect(pool.query('DELETE FROM audit_log WHERE id = $1', [id])).rejects.toThrow(/append-only/);
    await expect(pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    // JSON documents come back as the text that was written, as from SQLite.
    const row = await pool.query<{ after: unknown; at: unknown }>('SELECT after, at FROM audit_log WHERE id = $1', [id]);
    expect(row.rows[0]).toEqual({ after: '{"b":1,"a":[2]}', at: 1 });
  });

  it('reads user names regardless of case and keeps them unique regardless of case (SQLite COLLATE NOCASE)', async () => {
    await pool.query("INSERT INTO users (username, display_name, role, units, password_hash, created_at) VALUES ('Nurse.Kim', 'Kim', 'nurse', '[]', 'h', 1)");
    const found = await pool.query('SELECT display_name FROM users WHERE username = $1', ['nurse.kim']);
    expect(found.rows).toEqual([{ display_name: 'Kim' }]);
    await expect(pool.query("INSERT INTO users (username, display_name, role, units, password_hash, created_at) VALUES ('NURSE.KIM', 'K2', 'nurse', '[]', 'h', 1)")).rejects.toThrow(/unique/);
  });

  it('numbers rows in the database and keeps flags 0/1', async () => {
    const a = await pool.query<{ id: number }>("INSERT INTO devices (name, key_hash, created_at, created_by) VALUES ('m', 'h', 1, 'a') RETURNING id");
    const b = await pool.query<{ id: number }>("INSERT INTO devices (name, key_hash, created_at, created_by) VALUES ('n', 'h', 1, 'a') RETURNING id");
    expect(b.rows[0]!.id).toBe(a.rows[0]!.id + 1);
    await expect(pool.query("INSERT INTO devices (name, key_hash, created_at, created_by, simulator) VALUES ('s', 'h', 1, 'a', 2)")).rejects.toThrow(/check constraint/);
  });

  it('ids reserved by two servers at once never collide, with each other or with ids the database assigns itself', async () => {
    const other = createPgPool({ url: db.url, poolSize: 2 });
    try {
      const blocks = await Promise.all([reservePgIds(pool, 'alarm_events', 50), reservePgIds(other, 'alarm_events', 50), reservePgIds(pool, 'alarm_events', 1)]);
      const ids = blocks.flat();
      expect(new Set(ids).size).toBe(101);
      expect(blocks[0]).toEqual([...blocks[0]!].sort((a, b) => a - b));
      for (const id of ids) await pool.query("INSERT INTO alarm_events (id, alarm_id, session_id, transition, at, simulated, alarm) VALUES ($1, 1, 's', 'raised', 1, 0, '{}')", [id]);
      const own = await pool.query<{ id: number }>("INSERT INTO alarm_events (alarm_id, session_id, transition, at, simulated, alarm) VALUES (1, 's', 'raised', 1, 0, '{}') RETURNING id");
      expect(ids).not.toContain(own.rows[0]!.id);
      expect(own.rows[0]!.id).toBeGreaterThan(Math.max(...ids));
    } finally {
      await other.end();
    }
  });

  it('two nodes starting at once on an empty database: one migrates, the other waits and finds it done', async () => {
    const admin = db.server?.adminUrl ?? process.env.TEST_PG_URL!;
    const url = await createDatabaseOn(admin);
    const [a, b] = [createPgPool({ url, poolSize: 2 }), createPgPool({ url, poolSize: 2 })];
    try {
      await expect(Promise.all([migratePg(a, 1), migratePg(b, 1)])).resolves.toEqual([PG_MIGRATIONS.at(-1)!.version, PG_MIGRATIONS.at(-1)!.version]);
      const n = await a.query('SELECT count(*) AS n FROM schema_version');
      expect(n.rows[0].n).toBe(PG_MIGRATIONS.length);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('probes by writing a row; a bad row is not a storage failure', async () => {
    await probePostgres(pool, 5);
    await probePostgres(pool, 6);
    const r = await pool.query<{ at: number; n: number }>('SELECT at, length(pad) AS n FROM storage_probe');
    expect(r.rows).toEqual([{ at: 6, n: 16 * 1024 }]);
    const bad = await pool.query("INSERT INTO sessions (id) VALUES ('x')").catch((e: unknown) => e);
    expect(isStorageError(bad)).toBe(false);
  });
});

describe('PostgreSQL failures that mean recording failed', () => {
  let server: PgServer;
  let url: string;
  beforeAll(async () => {
    // Its own server: this file stops and kills it.
    server = await startPostgres();
    url = await server.createDatabase();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('a read-only server (25006) is a storage failure', async () => {
    const pool = await openPostgres({ url, poolSize: 2 }, 1);
    try {
      const err = await pool.query('BEGIN READ ONLY; INSERT INTO schema_version VALUES (100, $$x$$, 1); COMMIT').catch((e: unknown) => e);
      // A read-only transaction refuses the write exactly as a read-only standby does.
      await pool.query('ROLLBACK').catch(() => {});
      expect(isStorageError(err)).toBe(true);
      expect(storageReason(err)).toMatch(/^25006: /);
    } finally {
      await pool.end();
    }
  });

  it('an administrator shutdown (57P01), a terminated connection and a refused connection are storage failures', async () => {
    const pool = await openPostgres({ url, poolSize: 1, connectTimeoutMs: 1_000 }, 1);
    try {
      // A connection checked out between two statements (as in a transaction) when the server drops it:
      // the server's goodbye arrives while no statement is running, and must not crash the process.
      const client = await pool.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const ended = new Promise((resolve) => client.once('end', resolve));
      const admin = createPgPool({ url, poolSize: 1 });
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      await ended;
      const terminated = await client.query('SELECT 1').catch((e: unknown) => e);
      client.release(true);
      expect(isStorageError(terminated)).toBe(true);
      expect(storageReason(terminated)).toMatch(/^(57P01|CONNECTION_LOST): /);

      await server.kill();
      const refused = await pool.query('SELECT 1').catch((e: unknown) => e);
      expect(isStorageError(refused)).toBe(true);
      expect(storageReason(refused)).toMatch(/^(ECONNREFUSED|CONNECTION_LOST)/);
      await expect(probePostgres(pool, 2)).rejects.toSatisfy(isStorageError);

      // The pool recovers by itself once the server is back: the probe commits.
      await server.start();
      await probePostgres(pool, 3);
    } finally {
      await pool.end();
    }
  }, 60_000);

  it('a server started while PostgreSQL is down answers 503 naming the reason, and opens the store once PostgreSQL is back', async () => {
    await server.kill();
    const config = loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '2' });
    let opened = false;
    const starting = openWhenStorageAllows(() => openStore(config, 1), 0, systemClock, pino({ level: 'silent' }), 100).then((r) => {
      opened = true;
      return r;
    });
    // The waiting port is bound once the first attempt has failed: find it from the console line.
    const port = await new Promise<number>((resolve) => {
      const log = console.log;
      console.log = (line: string) => {
        const m = /localhost:(\d+) \(recording failed/.exec(String(line));
        if (m) {
          console.log = log;
          resolve(Number(m[1]));
        } else log(line);
      };
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/ECONNREFUSED|CONNECTION_LOST/);
    expect(opened).toBe(false);

    await server.start();
    const { store } = await starting;
    try {
      expect(store.kind).toBe('postgres');
      await store.probe(2, 1024);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('the write queue on PostgreSQL: a batch is committed whole; while PostgreSQL is down every op is refused as a storage failure, none acknowledged; then it commits again', async () => {
    const store = await openPostgresStore({ url, poolSize: 2, connectTimeoutMs: 1_000 }, 1);
    const failures: unknown[] = [];
    const q = new WriteQueue({ store, log: pino({ level: 'silent' }), flushMs: 5, onStorageError: (e) => failures.push(e) });
    const frame = (seq: number) => (trx: Parameters<Parameters<typeof q.enqueue>[0]>[0]) =>
      sql`INSERT INTO vitals (session_id, device_id, seq, t, hr, received_at, simulated) VALUES ('s1', 1, ${seq}, ${seq * 1000}, 72, 0, 0)`.execute(trx);
    const stored = async () => (await store.pool.query<{ seq: number }>("SELECT seq FROM vitals WHERE session_id = 's1' ORDER BY seq")).rows.map((r) => r.seq);
    try {
      await Promise.all([1, 2, 3].map((n) => q.enqueue(frame(n))));
      expect(await stored()).toEqual([1, 2, 3]);
      // A bad op (a duplicate seq) fails alone; the good ones of its batch are kept.
      const mixed = await Promise.allSettled([q.enqueue(frame(4)), q.enqueue(frame(3)), q.enqueue(frame(5))]);
      expect(mixed.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(failures).toEqual([]);

      await server.kill();
      const down = await Promise.allSettled([q.enqueue(frame(6)), q.enqueue(frame(7))]);
      expect(down.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      for (const r of down) expect(isStorageError((r as PromiseRejectedResult).reason)).toBe(true);
      expect(failures.length).toBeGreaterThan(0);

      await server.start();
      await q.enqueue(frame(8));
      expect(await stored()).toEqual([1, 2, 3, 4, 5, 8]);
    } finally {
      await q.close();
      await store.close();
    }
  }, 60_000);
});

describe('PostgreSQL on a full disk', () => {
  let server: PgServer;
  let url: string;
  beforeAll(async () => {
    // Room for the cluster (about 40 MB) and a little more: a real file system that fills.
    server = await startPostgres({ diskMb: 80 });
    url = await server.createDatabase();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('a write that needs room fails as "full" (53100), no op of the batch is acknowledged, and writes resume once room returns', async () => {
    const store = await openPostgresStore({ url, poolSize: 2 }, 1);
    const failures: unknown[] = [];
    const q = new WriteQueue({ store, log: pino({ level: 'silent' }), flushMs: 5, onStorageError: (e) => failures.push(e) });
    // Frames big enough (a long note per row) that a batch needs fresh pages.
    const frames = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => q.enqueue((trx) => sql`INSERT INTO audit_log (at, actor, action, entity, entity_id) VALUES (${from + i}, 'device:1', 'frame', 'vitals', ${'x'.repeat(2000)})`.execute(trx)));
    try {
      await Promise.all(frames(0, 10));
      await server.disk.fill();
      const refused = await Promise.allSettled(frames(100, 2000));
      expect(refused.every((r) => r.status === 'rejected')).toBe(true);
      expect(failures.length).toBeGreaterThan(0);
      // Where no file system can be mounted the server refuses writes instead (25006).
      expect(storageFailureOf(failures[0])).toEqual(server.disk.mode === 'tmpfs' ? { kind: 'full', code: '53100' } : { kind: 'readonly', code: '25006' });
      const n = await store.pool.query<{ n: number }>("SELECT count(*) AS n FROM audit_log WHERE action = 'frame'");
      expect(n.rows[0]!.n).toBe(10);

      await server.disk.free();
      await Promise.all(frames(5000, 10));
      await probePostgres(store.pool, 2);
    } finally {
      await q.close().catch(() => {});
      await store.close();
    }
  }, 60_000);
});
