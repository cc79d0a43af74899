import { startPostgres } from './postgres';

/**
 * Vitest global setup of the PostgreSQL projects: one throwaway PostgreSQL server for the whole run.
 * Its superuser URL reaches every test worker as TEST_PG_URL; each server a test starts gets its own
 * fresh database on it (test/support/server.ts).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startPostgres();
  process.env.TEST_PG_URL = server.adminUrl;
  return async () => {
    await server.stop();
  };
}
