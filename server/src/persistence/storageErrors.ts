import { DomainError } from '../util/errors';

/**
 * SQLite result codes that mean the storage itself cannot take writes (disk full, I/O error,
 * read-only or vanished file, locked by another process), as opposed to a bad row (constraint).
 */
const STORAGE_CODE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|BUSY|PERM)/;

export function isStorageError(err: unknown): err is Error & { code: string } {
  const code = err instanceof Error ? (err as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && STORAGE_CODE.test(code);
}

/** One line for logs, health and screens: "SQLITE_FULL: database or disk is full". */
export const storageReason = (err: unknown): string =>
  isStorageError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

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
