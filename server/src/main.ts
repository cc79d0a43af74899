import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app';
import { connectCluster } from './cluster/connect';
import { DEMO_ACCOUNTS, DEMO_ADMIN_PASSWORD, demoDeviceKey, demoTrainingHostKey, endDemoSessions, ensureDemoAccounts, removeDemoDeviceFile, writeDemoDeviceFile } from './auth/demoAccounts';
import { ConfigError, loadConfig } from './config';
import { systemClock } from './util/clock';
import { createLogger } from './util/logger';
import { openStore, storeLocation } from './persistence/openStore';
import { openWhenStorageAllows } from './storageWait';

/**
 * Entry point. `--demo` prepares a demo: the demo accounts, and a fresh simulator device key written
 * (mode 0600) to `--demo-file` (default demo-device.json beside the database) with the address to
 * connect to. The simulator is not part of the server: `npm start` runs it as its own process, a
 * device like any other (one ingest path, no back door).
 */
async function main() {
  const { values } = parseArgs({
    options: { demo: { type: 'boolean', default: false }, 'demo-file': { type: 'string' } },
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
  // A full disk or an unreachable PostgreSQL does not stop the start: the server waits for storage, then comes up.
  const opened = await openWhenStorageAllows(() => openStore(config, systemClock.now()), config.PORT, systemClock, log);
  // REDIS_URL: one of several nodes (events between them over Redis, sessions evaluated under a lease).
  const cluster = await connectCluster(config, log);
  const app = await createApp({ config, logger: log, store: opened.store, ...(cluster ? { cluster } : {}) });
  const admin = await app.users.ensureAdmin(config.ADMIN_PASSWORD ?? (values.demo ? DEMO_ADMIN_PASSWORD : undefined));
  // Printed once, to the console only (never to the structured log): the admin must change it at first login.
  if (admin.oneTimePassword) console.log(`First start: admin account "admin" with one-time password ${admin.oneTimePassword}`);
  if (values.demo) await ensureDemoAccounts(app);
  const port = await app.listen(opened.port);
  const url = `${app.protocol}://localhost:${port}`;
  console.log(`Infusion monitor listening on ${url}`);
  if (config.HL7_PORT !== 0) console.log(`HL7 MLLP listener on ${config.HL7_HOST}:${await app.startHl7()}`);
  log.info({ port, db: storeLocation(config) }, 'listening');

  let demoFile: string | null = null;
  if (values.demo) {
    await endDemoSessions(app);
    // Over HTTPS the simulator checks the certificate like any client (a self-signed one needs NODE_EXTRA_CA_CERTS).
    const base = app.protocol === 'https' ? url : `http://127.0.0.1:${port}`;
    const trainer = DEMO_ACCOUNTS.find((a) => a.role === 'trainer')!;
    demoFile = values['demo-file'] ?? join(dirname(config.DB_PATH), 'demo-device.json');
    writeDemoDeviceFile(demoFile, { url: base, deviceKey: await demoDeviceKey(app), trainingHostKey: await demoTrainingHostKey(app), user: trainer.username, password: trainer.password });
    console.log(`Demo: simulator device key written to ${demoFile}. Open ${url}`);
    console.log(`Demo accounts: ${DEMO_ACCOUNTS.map((a) => `${a.username} / ${a.password}`).join(', ')}, admin / ${config.ADMIN_PASSWORD ? '(ADMIN_PASSWORD)' : DEMO_ADMIN_PASSWORD}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    if (demoFile) removeDemoDeviceFile(demoFile);
    await app.close();
    await cluster?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // Started by `npm start` with an IPC channel: a launcher that dies (even by SIGKILL) takes the server with it.
  if (process.send) process.once('disconnect', () => void shutdown('launcher exited'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
