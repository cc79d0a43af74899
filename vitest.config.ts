import { defineConfig } from 'vitest/config';

/**
 * Integration files that also run against PostgreSQL (the integration-pg project): every file whose
 * behaviour depends on the store, reading what it stored through the server's own query builder
 * (test/support/storeSql.ts), plus PostgreSQL's own tests (postgres-*). The others stay on SQLite:
 * - storage-failure: SQLite itself (a full disk under its file, its WAL); PostgreSQL's outages
 *   (down, disk full, read-only) are tested in postgres-store.
 * - replay: the replay command line reads a recorded SQLite file; replay through a store runs on
 *   PostgreSQL in rules-live.
 * - demo-start, health-config, deployment: the demo launcher and the configuration (an SQLite file at
 *   DB_PATH), TLS and proxies; nothing they check is stored.
 * - dashboard-hostile, slow-screen: socket abuse and back-pressure, before anything is stored.
 * - simulated-patient: the simulator's physiology and its session naming through the API.
 * - fuzz.property: builds its own SQLite app for thousands of generated cases.
 * - auth, authz-matrix: roles, CSRF, cookies and throttles are store-independent, and the login,
 *   device and user repositories are compared on both stores in postgres-care-auth; the matrix (246
 *   cases, a fingerprint of every table each) alone takes minutes. Both pass with TEST_STORE=postgres.
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
    'session-create-atomic',
    'session-export',
    'sessions',
    'simulated-routing',
    'takeover-reads',
    'training-debrief',
    'trend-downsampling',
    'unique-labels',
    'vital-table',
  ].map((f) => `test/integration/${f}.test.ts`),
];

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
          // One module graph per worker, not per file: the unit files import the same shared, server and
          // client modules, and none leaves global state behind (stubbed globals are unstubbed after each).
          isolate: false,
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
