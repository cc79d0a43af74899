import { defineConfig } from 'vitest/config';

/** Integration files run against PostgreSQL too. */
const PG_SUITE = ['test/integration/postgres-*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{shared,server,simulator,client}/src/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // PostgreSQL's own tests run in integration-pg, on its shared server.
          exclude: ['test/integration/postgres-*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          // The integration suite with PostgreSQL as the store: one throwaway server for the run, a
          // database per test server (TEST_STORE=postgres, test/support/server.ts).
          name: 'integration-pg',
          include: PG_SUITE,
          environment: 'node',
          env: { TEST_STORE: 'postgres' },
          globalSetup: ['./test/support/pgGlobalSetup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One browser at a time on a 2-core machine.
          fileParallelism: false,
        },
      },
    ],
  },
});
