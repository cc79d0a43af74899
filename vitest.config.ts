import { defineConfig } from 'vitest/config';

/**
 * Integration files run against PostgreSQL (the integration-pg project). Today: the PostgreSQL store's
 * own tests and the repositories compared with SQLite. Once createApp accepts the PostgreSQL store, add
 * the files whose behaviour depends on the store (ingest, crash-safety, alarms-dashboard, escalation,
 * sessions, care, dose-safety, report, audit-privacy, hl7, trend-downsampling, physician-response):
 * the SQLite suite takes about 6 minutes on 2 cores, so all of it twice would crowd CI's 15.
 */
const PG_SUITE = ['test/integration/postgres-*.test.ts'];

/**
 * Two phases. Unit and integration files mostly wait on sockets and databases, so two run at a time even on
 * 2 cores (vitest's default there is one worker). Then the cluster and browser files, one at a time, with
 * nothing else running: their failover and rendering waits must not compete with a second test file.
 */
const PARALLEL = { maxWorkers: 2, sequence: { groupOrder: 0 } };
const ALONE = { maxWorkers: 1, sequence: { groupOrder: 1 } };

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summaryReporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          ...PARALLEL,
          include: ['{shared,server,simulator,client}/src/**/*.test.{ts,tsx}'],
          environment: 'node',
          // Property tests are CPU-bound: on a shared, loaded 2-core machine 5 s is too tight.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          ...PARALLEL,
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
          ...PARALLEL,
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
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // Several server processes per file on a 2-core machine: one file at a time, after the rest.
          ...ALONE,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One browser at a time on a 2-core machine, after the rest.
          ...ALONE,
        },
      },
    ],
  },
});
