import pg from 'pg';
import { openPostgres } from '../../server/src/persistence/pgStore';
import { startPostgres } from './postgres';

/** The migrated database each test server's database is copied from (test/support/postgres.ts databaseFor). */
const TEMPLATE = 'infusion_template';

/**
 * Vitest global setup of the PostgreSQL projects: one throwaway PostgreSQL server for the whole run.
 * Its superuser URL reaches every test worker as TEST_PG_URL; each server a test starts gets its own
 * fresh database on it (test/support/server.ts), copied from a template migrated here.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startPostgres();
  process.env.TEST_PG_URL = server.adminUrl;
  // Migrated once here: a database copied from it opens already at the latest version.
  const pool = await openPostgres({ url: await server.createDatabase(TEMPLATE), poolSize: 1 }, Date.now());
  await pool.end();
  await sealTemplate(server.adminUrl);
  process.env.TEST_PG_TEMPLATE = TEMPLATE;
  return async () => {
    await server.stop();
  };
}

/**
 * A database is copied only while nobody is connected to it: waits (bounded) for the migrating
 * connection's backend to exit, then closes the template to connections for the rest of the run.
 */
async function sealTemplate(adminUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (const deadline = Date.now() + 10_000; ; ) {
      const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [TEMPLATE]);
      if (r.rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error(`the template database ${TEMPLATE} still has connections after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await c.query(`ALTER DATABASE "${TEMPLATE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
  } finally {
    await c.end();
  }
}
