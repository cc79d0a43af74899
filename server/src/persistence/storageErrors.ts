import { DomainError } from '../util/errors';

/**
 * SQLite result codes that mean the storage itself cannot take writes (disk full, I/O error,
 * read-only or vanished file, locked by another process), as opposed to a bad row (constraint).
 */
const SQLITE_STORAGE_CODE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|PERM)/;

/**
 * PostgreSQL SQLSTATEs that mean the same: connection exceptions (08), insufficient resources (53:
 * disk full 53100, out of memory, too many connections), operator intervention (57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 starting up), system and internal errors (58, XX: I/O error, corrupt
 * data), a read-only server (25006: a standby, or default_transaction_read_only), a database that
 * vanished (3D000) and refused credentials (28). A bad row (22 data, 23 constraint) or a bad query
 * (42) is not storage failing.
 */
const PG_STORAGE_SQLSTATE = /^(08...|53...|57P0[1-3]|58...|XX...|25006|3D000|28...)$/;

/** The network failing under the driver: the PostgreSQL server is down, restarting or unreachable. */
const NET_CODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres reports a dropped or timed-out connection with a message only. */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/**
 * A code naming why the storage cannot take writes (`SQLITE_FULL`, `PG_53100`, `ECONNREFUSED`,
 * `PG_CONNECTION_LOST`), or null when the error is not storage failing.
 */
export function storageCode(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SQLITE_STORAGE_CODE.test(code)) return code;
    if (NET_CODE.has(code)) return code;
    // node-postgres server errors carry `severity` beside the five-character SQLSTATE.
    if ('severity' in err && PG_STORAGE_SQLSTATE.test(code)) return `PG_${code}`;
  }
  if (PG_CONNECTION_LOST.test(err.message)) return 'PG_CONNECTION_LOST';
  // A pool connect that failed on every address: Node reports an AggregateError of the socket errors.
  if (err instanceof AggregateError && err.errors.some((e) => storageCode(e) !== null)) return storageCode(err.errors.find((e) => storageCode(e) !== null));
  return null;
}

export function isStorageError(err: unknown): err is Error {
  return storageCode(err) !== null;
}

/** One line for logs, health and screens: "SQLITE_FULL: database or disk is full". */
export const storageReason = (err: unknown): string => {
  const code = storageCode(err);
  const message = err instanceof Error ? err.message || (err instanceof AggregateError ? err.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ') : '') : String(err);
  return code ? `${code}: ${message}` : message;
};

/** What a caller whose write could not be stored is told (HTTP 503, or the socket ack's error). */
export const storageUnavailable = (err: unknown) => new DomainError(503, `could not be recorded: storage is failing (${storageReason(err)}); try again`);

/**
 * For bookkeeping writes that must not fail what they serve (a login's last-seen time, a device's):
 * a storage failure skips the write; any other error still throws.
 */
export function unlessStorageFails(write: () => unknown): void {
  try {
    write();
  } catch (err) {
    if (!isStorageError(err)) throw err;
  }
}
