import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { openPostgresStore } from '../../server/src/persistence/pgStore';
import type { Database } from '../../server/src/persistence/schema';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { databaseFor, testOnPostgres } from './postgres';
import type { TestServer } from './server';

/**
 * What a test reads from or does to a test server's database, on whichever store it runs (SQLite or
 * PostgreSQL, TEST_STORE): reads go through the server's own query builder (`app.store.db`, typed
 * by the schema), so the same assertion holds on both.
 */
export const dbOf = (s: Pick<TestServer, 'app'>): Kysely<Database> => s.app.store.db;

/**
 * A store of its own on the database a child server process was started on for `dbPath`
 * (spawnServer): the SQLite file, or (TEST_STORE=postgres) the database standing for it. Close it.
 */
export async function openStoreAt(dbPath: string): Promise<Store> {
  return testOnPostgres() ? openPostgresStore({ url: await databaseFor(dbPath), poolSize: 1 }, Date.now()) : openSqliteStore(dbPath, Date.now());
}

/** How many rows a query matches (`countOf(dbOf(s).selectFrom('vitals').where(...))`), as a number on both stores. */
export async function countOf<TB extends keyof Database>(q: SelectQueryBuilder<Database, TB, object>): Promise<number> {
  const r = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A trigger that refuses rows of `table` for which `when` (an SQL condition on NEW, the same text on
 * both stores) holds, as a storage failure on one row would; the returned function drops it.
 */
export async function refuseRows(s: Pick<TestServer, 'app'>, table: string, when: string): Promise<() => Promise<void>> {
  const db = dbOf(s);
  const name = `refuse_${table}_${Math.random().toString(36).slice(2, 8)}`;
  if (s.app.store.kind === 'sqlite') {
    await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'storage failure'); END`).execute(db);
    return async () => void (await sql.raw(`DROP TRIGGER ${name}`).execute(db));
  }
  await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'storage failure'; END $$`).execute(db);
  await sql.raw(`CREATE TRIGGER ${name} BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${name}()`).execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name} ON ${table}`).execute(db);
    await sql.raw(`DROP FUNCTION ${name}()`).execute(db);
  };
}
