import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isStorageError, storageReason } from './persistence/storageErrors';
import type { Store } from './persistence/store';
import type { Clock } from './util/clock';
import type { Logger } from './util/logger';

/**
 * Opens the store, waiting for storage instead of exiting when it refuses even that (a full disk
 * leaves no room for SQLite's WAL index after a clean stop; PostgreSQL is down or unreachable). Meanwhile the port answers every
 * request 503 with the reason, so /api/health reports it and dashboards show their lost-connection
 * banner; once the database opens, the port is freed for the real server and its number returned.
 */
export async function openWhenStorageAllows(open: () => Promise<Store>, port: number, clock: Clock, log: Logger, retryMs = 2000): Promise<{ store: Store; port: number }> {
  const first = await tryOpen(open);
  if ('store' in first) return { store: first.store, port };
  const since = clock.now();
  let reason = storageReason(first.err);
  log.error({ err: first.err }, 'cannot open the database: storage is failing; waiting for it (every request answers 503)');
  const body = () => JSON.stringify({ ok: false, error: `recording failed since ${new Date(since).toISOString()}: ${reason}; the database cannot be opened`, data: { status: 'storage_unavailable' } });
  const waiting = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(Math.ceil(retryMs / 1000)) });
    res.end(body());
  });
  await new Promise<void>((resolve, reject) => {
    waiting.once('error', reject);
    waiting.listen(port, resolve);
  });
  const bound = (waiting.address() as AddressInfo).port;
  console.log(`Infusion monitor listening on http://localhost:${bound} (recording failed: waiting for storage)`);
  const store = await new Promise<Store>((resolve, reject) => {
    const attempt = () => {
      tryOpen(open).then((r) => {
        if ('err' in r) {
          reason = storageReason(r.err);
          setTimeout(attempt, retryMs);
        } else resolve(r.store);
      }, reject);
    };
    setTimeout(attempt, retryMs);
  });
  log.warn({ waitedMs: clock.now() - since }, 'database opened: storage is back');
  waiting.closeAllConnections();
  await new Promise<void>((resolve) => waiting.close(() => resolve()));
  return { store, port: bound };
}

async function tryOpen(open: () => Promise<Store>): Promise<{ store: Store } | { err: Error }> {
  try {
    return { store: await open() };
  } catch (err) {
    // Anything but a storage failure (a newer schema, a bad path) is a real start-up error.
    if (!isStorageError(err)) throw err;
    return { err };
  }
}
