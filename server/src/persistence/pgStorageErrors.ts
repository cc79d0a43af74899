import type { KeyViolationTest, StorageErrorClassifier, StorageFailure, StorageFailureKind } from './storageErrors';

/**
 * node-postgres errors that mean PostgreSQL cannot take writes, as opposed to a bad row (22 data,
 * 23 constraint) or a bad query (42). Server errors carry the five-character SQLSTATE in `code`
 * beside a `severity`; a lost or refused connection carries Node's errno code, or only a message.
 */
const SQLSTATE_KINDS: [RegExp, StorageFailureKind][] = [
  // Disk full; out of memory, too many connections (the rest of class 53, insufficient resources).
  [/^53100$/, 'full'],
  [/^53/, 'busy'],
  // Read-only: a standby, or a server set to default_transaction_read_only.
  [/^25006$/, 'readonly'],
  // Connection exceptions; admin shutdown, crash shutdown, starting up; the database is gone.
  [/^08/, 'unavailable'],
  [/^57P0[1-3]$/, 'unavailable'],
  [/^3D000$/, 'unavailable'],
  // System errors (I/O); internal errors (corrupt data, index corrupted).
  [/^58/, 'io'],
  [/^XX/, 'corrupt'],
  // Invalid authorization (a rotated password, a removed role).
  [/^28/, 'permission'],
];

/** The network under the driver: the server down, restarting or unreachable. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres reports a dropped, timed-out or closed connection with a message only. */
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable|Cannot use a pool after calling end)/;

export const pgStorageErrors: StorageErrorClassifier = (err): StorageFailure | null => {
  const code = err.code;
  if (typeof code === 'string') {
    if (NET_CODES.has(code)) return { kind: 'unavailable', code };
    if ('severity' in err) {
      const hit = SQLSTATE_KINDS.find(([re]) => re.test(code));
      if (hit) return { kind: hit[1], code };
    }
  }
  if (CONNECTION_LOST.test(err.message)) return { kind: 'unavailable', code: 'CONNECTION_LOST' };
  // A connect that failed on every address of a host: Node reports an AggregateError of the socket errors.
  if (err instanceof AggregateError) {
    for (const e of err.errors) {
      const f = e instanceof Error ? pgStorageErrors(e as Error & { code?: unknown }) : null;
      if (f) return f;
    }
  }
  return null;
};

/** unique_violation (23505): a primary key or unique index already holds the key. */
export const pgKeyViolation: KeyViolationTest = (err) => err.code === '23505' && 'severity' in err;
