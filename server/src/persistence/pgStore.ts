import { Kysely, PostgresDialect } from 'kysely';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePg } from './pgMigrations';
import { pgKeyViolation, pgStorageErrors } from './pgStorageErrors';
import type { Database } from './schema';
import { registerKeyViolations, registerStorageErrors } from './storageErrors';
import type { Store } from './store';

const OID = { int8: 20, numeric: 1700, json: 114, jsonb: 3802 } as const;

/** bigint and numeric as JS numbers: ids, counts and millisecond times all fit; a value that does not is an error, never a silent rounding. */
function toNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) && Number.isInteger(n)) throw new RangeError(`database integer ${text} is beyond JavaScript's safe range`);
  return n;
}

/**
 * Rows read the same from both stores: bigint and numeric as numbers (node-postgres returns them
 * as strings by default), JSON documents as their stored text (as SQLite returns them; callers parse).
 * Per pool, so nothing global in the driver changes.
 */
export const pgTypes = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === OID.int8 || oid === OID.numeric) return toNumber;
    if (oid === OID.json || oid === OID.jsonb) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface PgStoreOptions {
  url: string;
  /** Connections this process keeps (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** A query waiting longer than this for a free connection fails (a storage failure, not a hang). */
  connectTimeoutMs?: number;
  /** A statement running longer than this is cancelled by the server. */
  statementTimeoutMs?: number;
}

/** A pool to PostgreSQL with the row types above; callers `end()` it on close. */
export function createPgPool(o: PgStoreOptions): pg.Pool {
  registerStorageErrors(pgStorageErrors);
  registerKeyViolations(pgKeyViolation);
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolSize,
    types: pgTypes,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5_000,
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
    application_name: 'infusion-monitor',
  });
  // A connection the server drops (restart, admin shutdown 57P01) emits 'error'; with no listener
  // that would crash the process. Idle connections report through the pool, connections checked
  // out between two statements of a transaction through the client itself. Either way the next
  // statement on it fails as a storage error, and the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

/** Opens the pool and brings the schema to the latest version. Throws (pool ended) when PostgreSQL cannot be reached. */
export async function openPostgres(o: PgStoreOptions, now: number): Promise<pg.Pool> {
  const pool = createPgPool(o);
  try {
    await migratePg(pool, now);
    return pool;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * The storage probe for PostgreSQL: a write of `bytes` random bytes in `storage_probe`, committed.
 * Random, because PostgreSQL compresses zeros away and the write must need fresh space. Rejects
 * with the driver's error when the server refuses it (down, disk full, read-only).
 */
export async function probePostgres(pool: pg.Pool, now: number, bytes = 16 * 1024): Promise<void> {
  await pool.query('CREATE TABLE IF NOT EXISTS storage_probe (id integer PRIMARY KEY, at bigint NOT NULL, pad bytea NOT NULL)');
  await pool.query('INSERT INTO storage_probe (id, at, pad) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET at = excluded.at, pad = excluded.pad', [now, randomBytes(bytes)]);
}

/** Tables whose ids a server may need before the row is written (an alarm is referenced before its batch commits). */
export type ReservableTable = 'alarms' | 'alarm_events' | 'escalations';

/**
 * Ids from the database for rows written later: `n` values of the table's identity sequence, unique
 * across every server on the database and never handed out again (a reserved id a server dies with is
 * skipped, not reused). Ascending within one call. SQLite has one writer and needs no reservation.
 */
export async function reservePgIds(pool: pg.Pool, table: ReservableTable, n: number): Promise<number[]> {
  const { rows } = await pool.query<{ id: number }>('SELECT nextval(pg_get_serial_sequence($1, $2)) AS id FROM generate_series(1, $3) ORDER BY 1', [table, 'id', n]);
  return rows.map((r) => r.id);
}

export interface PgStore extends Store {
  readonly kind: 'postgres';
  /** The driver's pool, for the few dialect-specific statements and for tests. */
  readonly pool: pg.Pool;
}

/** The PostgreSQL store: the migrated database at `o.url` behind the same query builder as SQLite. */
export async function openPostgresStore(o: PgStoreOptions, now: number): Promise<PgStore> {
  const pool = await openPostgres(o, now);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    kind: 'postgres',
    pool,
    db,
    transaction: (fn) => db.transaction().execute(fn),
    probe: (at, bytes) => probePostgres(pool, at, bytes),
    async close() {
      if (closed) return;
      closed = true;
      // Ends the pool too, but only once the query builder has run a query; a store closed before
      // that would leave its connections open (and the process waiting on them).
      await db.destroy();
      if (!pool.ending && !pool.ended) await pool.end();
    },
  };
}
