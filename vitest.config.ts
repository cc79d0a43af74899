import { defineConfig } from 'vitest/config';

/**
 * Integration files that also run against PostgreSQL (the integration-pg project): every file whose
 * behaviour depends on the store, reading what it stored through the server's own query builder
 * (test/support/storeSql.ts), plus PostgreSQL's own tests (postgres-*).
 */
const PG_SUITE = [
  'test/integration/postgres-*.test.ts',
  ...[
    'alarm-audio-pause',
    'alarms-dashboard',
    'audit-privacy',
    'care',
    'care-live',
    'cluster-conflicts',
    'crash-safety',
    'dose-safety',
    'escalation',
    'hl7',
    'ingest',
    'physician-response',
    'report',
    'rules-live',
    'session-export',
    'sessions',
    'simulated-routing',
    'trend-downsampling',
    'unique-labels',
    'vital-table',
  ].map((f) => `test/integration/${f}.test.ts`),
];

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
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 90_000,
          // Several server processes per file on a 2-core machine: one file at a time.
          fileParallelism: false,
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
