import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, SqliteDialect, type SqliteDatabase, type SqliteStatement, type Transaction } from 'kysely';
import { openDatabase, type Db } from './db';
import type { Database } from './schema';

/**
 * The storage seam. A store is a typed query builder (Kysely) over one database, plus the few
 * things that differ between databases. Repositories are written once against `Store.db` and serve
 * SQLite (the embedded default) and PostgreSQL alike; what is truly dialect-specific lives here or
 * is marked `dialect:` where it is used.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Queries outside a transaction. */
  readonly db: Kysely<Database>;
  /** Runs `fn` in one transaction: all of it commits, or none of it. */
  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * dialect: a write that needs fresh space in the store (SQLite: a 16 kB blob row), so a full disk
   * or a lost connection shows as a failed probe. Throws what the driver throws.
   */
  probe(at: number, bytes: number): Promise<void>;
  close(): Promise<void>;
}

/** A query builder inside a transaction (or the store's own, for single statements). */
export type Tx = Kysely<Database> | Transaction<Database>;

/** SQLite keeps its synchronous handle for the modules not yet behind a repository, and for tests. */
export interface SqliteStore extends Store {
  readonly kind: 'sqlite';
  readonly raw: Db;
}

/** Opens the SQLite database at `path` (migrated) as a store. */
export function openSqliteStore(path: string, now: number): SqliteStore {
  return sqliteStore(openDatabase(path, now));
}

/** Wraps an already opened (and migrated) SQLite database. */
export function sqliteStore(raw: Db): SqliteStore {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(raw) }) });
  let closed = false;
  return {
    kind: 'sqlite',
    raw,
    db,
    // The transaction is run by hand rather than by the query builder: after a disk-full or I/O error
    // SQLite may already have rolled it back, and a second ROLLBACK would fail and hide the storage
    // error (which must reach the write queue and the recording health as what it is).
    transaction: (fn) =>
      db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (err) {
          if (raw.inTransaction) await sql`rollback`.execute(conn);
          throw err;
        }
      }),
    probe(at, bytes) {
      // dialect: SQLite's zeroblob and table creation on first use; the row is rewritten each time.
      raw.exec('CREATE TABLE IF NOT EXISTS storage_probe (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, pad BLOB NOT NULL)');
      raw.prepare('INSERT INTO storage_probe (id, at, pad) VALUES (1, ?, zeroblob(?)) ON CONFLICT(id) DO UPDATE SET at = excluded.at, pad = excluded.pad').run(at, bytes);
      return Promise.resolve();
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/**
 * better-sqlite3 compiles a statement on every `prepare`; the query builder prepares each query it
 * runs. Repositories issue a few dozen distinct statements, so caching them by text keeps the
 * high-rate paths (vitals, alarm events) at the cost of the synchronous code they replace.
 */
function cachedStatements(raw: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => {
      if (raw.open) raw.close();
    },
    prepare(sql) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        // Bounded: queries with a variable number of parameters (IN lists) would otherwise grow it.
        if (cache.size < 1000) cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
