import { DomainError } from '../util/errors';

/**
 * Store-neutral classification of errors that mean the storage itself cannot take writes (disk
 * full, I/O error, read-only or vanished file, store unreachable), as opposed to a bad row
 * (constraint). Each store registers how its driver's errors map; everything downstream (write
 * queue, recording health, 503 answers) asks only `storageFailureOf`.
 */
export type StorageFailureKind = 'full' | 'io' | 'readonly' | 'unavailable' | 'corrupt' | 'busy' | 'permission';

export interface StorageFailure {
  kind: StorageFailureKind;
  /** The driver's own code, for logs and screens: "SQLITE_FULL", "53100". */
  code: string;
}

/** Maps one driver's errors; null for an error that is not a storage failure. */
export type StorageErrorClassifier = (err: Error & { code?: unknown }) => StorageFailure | null;

const SQLITE_KINDS: [RegExp, StorageFailureKind][] = [
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_IOERR/, 'io'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_CANTOPEN/, 'unavailable'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
  [/^SQLITE_BUSY/, 'busy'],
  [/^SQLITE_PERM/, 'permission'],
];

/** better-sqlite3: SQLite result codes. */
export const sqliteStorageErrors: StorageErrorClassifier = (err) => {
  const code = err.code;
  if (typeof code !== 'string') return null;
  const hit = SQLITE_KINDS.find(([re]) => re.test(code));
  return hit ? { kind: hit[1], code } : null;
};

const classifiers: StorageErrorClassifier[] = [sqliteStorageErrors];

/** Adds a store's classification (e.g. PostgreSQL SQLSTATE classes); idempotent. */
export function registerStorageErrors(classify: StorageErrorClassifier): void {
  if (!classifiers.includes(classify)) classifiers.push(classify);
}

/**
 * A row refused because its key is already taken (a primary key or unique index): another writer,
 * typically another node on the same database, stored that key first. Not a storage failure; what
 * it means (a conflict, or work already done) is for the module that wrote the row to say.
 */
export type KeyViolationTest = (err: Error & { code?: unknown }) => boolean;

/** better-sqlite3: extended result codes of a primary key or UNIQUE constraint. */
export const sqliteKeyViolation: KeyViolationTest = (err) => err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE';

const keyViolations: KeyViolationTest[] = [sqliteKeyViolation];

/** Adds a store's test for a taken key (PostgreSQL: SQLSTATE 23505); idempotent. */
export function registerKeyViolations(test: KeyViolationTest): void {
  if (!keyViolations.includes(test)) keyViolations.push(test);
}

export function isKeyViolation(err: unknown): boolean {
  return err instanceof Error && keyViolations.some((t) => t(err as Error & { code?: unknown }));
}

export function storageFailureOf(err: unknown): StorageFailure | null {
  if (!(err instanceof Error)) return null;
  for (const classify of classifiers) {
    const f = classify(err as Error & { code?: unknown });
    if (f) return f;
  }
  return null;
}

export function isStorageError(err: unknown): err is Error {
  return storageFailureOf(err) !== null;
}

/** One line for logs, health and screens: "SQLITE_FULL: database or disk is full". */
export const storageReason = (err: unknown): string => {
  const f = storageFailureOf(err);
  if (f) return `${f.code}: ${(err as Error).message}`;
  return err instanceof Error ? err.message : String(err);
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

/** The same for an asynchronous write. */
export async function unlessStorageFailsAsync(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isStorageError(err)) throw err;
  }
}
