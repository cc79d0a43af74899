import { parseArgs } from 'node:util';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './util/logger';

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
  const app = createApp({ config, logger: log });
  const port = await app.listen(config.PORT);
  const url = `http://localhost:${port}`;
  console.log(`Infusion monitor listening on ${url}`);
  log.info({ port, db: config.DB_PATH }, 'listening');

  let stopDemo: (() => Promise<void>) | null = null;
  if (values.demo) {
    const sessions = Number(values['demo-sessions']);
    const speed = Number(values['demo-speed']);
    // Demo sessions from an earlier run have no device any more: close them so they do not linger as active.
    for (const s of app.sessions.listActive()) if (s.simulated) app.sessions.end(s.id, { id: 'demo-start' });
    const { runSimulation } = await import('@infusion/simulator');
    const sim = await runSimulation({ url: `http://127.0.0.1:${port}`, sessions, speed, log: (msg: string) => log.info({ component: 'simulator' }, msg) });
    stopDemo = () => sim.stop();
    console.log(`Demo: ${sessions} simulated sessions streaming (physiology ${speed}x). Open ${url}`);
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
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
