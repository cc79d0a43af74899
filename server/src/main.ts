import { parseArgs } from 'node:util';
import { createApp } from './app';
import { connectCluster } from './cluster/connect';
import { DEMO_ACCOUNTS, DEMO_ADMIN_PASSWORD, demoDeviceKey, ensureDemoAccounts } from './auth/demoAccounts';
import { ConfigError, loadConfig } from './config';
import { systemClock } from './util/clock';
import { createLogger } from './util/logger';
import { openWhenStorageAllows } from './storageWait';

/**
 * Entry point. `--demo` also starts the simulator in-process with simulated sessions; it connects
 * over HTTP and /ingest like any device (one ingest path, no back door).
 */
async function main() {
  const { values } = parseArgs({
    options: { demo: { type: 'boolean', default: false }, 'demo-sessions': { type: 'string', default: '4' }, 'demo-speed': { type: 'string', default: '10' } },
  });
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.LOG_LEVEL);
  // A full disk does not stop the start: the server waits for storage, then comes up (recording failed until space returns).
  const opened = await openWhenStorageAllows(config.DB_PATH, config.PORT, systemClock, log);
  // REDIS_URL: one of several nodes (events between them over Redis, sessions evaluated under a lease).
  const cluster = await connectCluster(config, log);
  const app = createApp({ config, logger: log, db: opened.db, ...(cluster ? { cluster } : {}) });
  const admin = await app.users.ensureAdmin(config.ADMIN_PASSWORD ?? (values.demo ? DEMO_ADMIN_PASSWORD : undefined));
  // Printed once, to the console only (never to the structured log): the admin must change it at first login.
  if (admin.oneTimePassword) console.log(`First start: admin account "admin" with one-time password ${admin.oneTimePassword}`);
  if (values.demo) await ensureDemoAccounts(app);
  const port = await app.listen(opened.port);
  const url = `${app.protocol}://localhost:${port}`;
  console.log(`Infusion monitor listening on ${url}`);
  if (config.HL7_PORT !== 0) console.log(`HL7 MLLP listener on ${config.HL7_HOST}:${await app.startHl7()}`);
  log.info({ port, db: config.DB_PATH }, 'listening');

  let stopDemo: (() => Promise<void>) | null = null;
  if (values.demo) {
    const sessions = Number(values['demo-sessions']);
    const speed = Number(values['demo-speed']);
    // Demo sessions from an earlier run have no device any more: close them so they do not linger as active.
    for (const s of app.sessions.listActive()) if (s.simulated) app.sessions.end(s.id, { id: 'system:demo' });
    const { runSimulation, loginHeaders } = await import('@infusion/simulator');
    // Over HTTPS the simulator checks the certificate like any client (a self-signed one needs NODE_EXTRA_CA_CERTS).
    const base = app.protocol === 'https' ? url : `http://127.0.0.1:${port}`;
    // The simulator is a trainer at the REST API and a device at /ingest, like any other client.
    const trainer = DEMO_ACCOUNTS.find((a) => a.role === 'trainer')!;
    const sim = await runSimulation({
      url: base,
      sessions,
      speed,
      headers: await loginHeaders(base, trainer.username, trainer.password),
      auth: { deviceKey: demoDeviceKey(app) },
      log: log.child({ component: 'simulator' }),
    });
    stopDemo = async () => {
      await sim.stop();
    };
    console.log(`Demo: ${sessions} simulated sessions streaming (physiology ${speed}x). Open ${url}`);
    console.log(`Demo accounts: ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}, admin / ${config.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : DEMO_ADMIN_PASSWORD}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    try {
      await stopDemo?.();
    } catch (err) {
      log.warn({ err }, 'demo stop failed');
    }
    await app.close();
    await cluster?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
