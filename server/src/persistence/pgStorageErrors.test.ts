import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { pgKeyViolation, pgStorageErrors } from './pgStorageErrors';
import { isKeyViolation, isStorageError, registerKeyViolations, registerStorageErrors, storageFailureOf, storageReason } from './storageErrors';

registerStorageErrors(pgStorageErrors);
registerKeyViolations(pgKeyViolation);

/** An error as node-postgres reports a server error: the SQLSTATE in `code`, with a severity. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
const netError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('PostgreSQL storage errors', () => {
  it.each([
    [pgError('53100', 'could not extend file: No space left on device'), 'full', '53100'],
    [pgError('25006', 'cannot execute INSERT in a read-only transaction'), 'readonly', '25006'],
    [pgError('57P01', 'terminating connection due to administrator command'), 'unavailable', '57P01'],
    [pgError('57P03', 'the database system is starting up'), 'unavailable', '57P03'],
    [pgError('08006', 'connection failure'), 'unavailable', '08006'],
    [pgError('3D000', 'database "infusion" does not exist'), 'unavailable', '3D000'],
    [pgError('58030', 'could not write to file'), 'io', '58030'],
    [pgError('XX001', 'invalid page in block'), 'corrupt', 'XX001'],
    [pgError('53300', 'sorry, too many clients already'), 'busy', '53300'],
    [pgError('28P01', 'password authentication failed'), 'permission', '28P01'],
    [netError('ECONNREFUSED'), 'unavailable', 'ECONNREFUSED'],
    [netError('ECONNRESET'), 'unavailable', 'ECONNRESET'],
    [new Error('Connection terminated unexpectedly'), 'unavailable', 'CONNECTION_LOST'],
    [new Error('timeout exceeded when trying to connect'), 'unavailable', 'CONNECTION_LOST'],
  ])('%s means recording failed (%s, %s)', (err, kind, code) => {
    expect(storageFailureOf(err)).toEqual({ kind, code });
    expect(storageReason(err)).toBe(`${code}: ${err.message}`);
  });

  it('a refused connection reported for every address (AggregateError) is a storage failure', () => {
    const err = new AggregateError([netError('ECONNREFUSED'), netError('ECONNREFUSED')]);
    expect(storageFailureOf(err)).toEqual({ kind: 'unavailable', code: 'ECONNREFUSED' });
  });

  it.each([
    pgError('23505', 'duplicate key value violates unique constraint "vitals_pkey"'),
    pgError('23502', 'null value in column "t" violates not-null constraint'),
    pgError('22P02', 'invalid input syntax for type json'),
    pgError('42P01', 'relation "x" does not exist'),
    pgError('P0001', 'audit_log is append-only'),
    // A SQLSTATE-looking code without a server severity is not a PostgreSQL server error.
    Object.assign(new Error('x'), { code: '53100' }),
    new Error('53100'),
    'a string',
  ])('a bad row or query is not storage failing: %s', (err) => {
    expect(isStorageError(err)).toBe(false);
  });
});

describe('a key another writer took (unique or primary key violation)', () => {
  /** What better-sqlite3 throws for a statement against a real database. */
  const sqliteError = (sqlText: string): unknown => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT UNIQUE, c TEXT NOT NULL); INSERT INTO t VALUES (1, 'x', 'y')");
    try {
      db.exec(sqlText);
      return null;
    } catch (err) {
      return err;
    } finally {
      db.close();
    }
  };

  it.each([
    ['SQLite primary key', sqliteError("INSERT INTO t VALUES (1, 'z', 'y')")],
    ['SQLite unique index', sqliteError("INSERT INTO t VALUES (2, 'x', 'y')")],
    ['PostgreSQL 23505', pgError('23505', 'duplicate key value violates unique constraint "orders_pkey"')],
  ])('%s is a taken key, not a storage failure', (_, err) => {
    expect(isKeyViolation(err)).toBe(true);
    expect(isStorageError(err)).toBe(false);
  });

  it.each([
    ['SQLite not null', sqliteError("INSERT INTO t VALUES (3, 'q', NULL)")],
    ['PostgreSQL not null', pgError('23502', 'null value in column "t" violates not-null constraint')],
    ['a code without a server severity', Object.assign(new Error('x'), { code: '23505' })],
    ['PostgreSQL disk full', pgError('53100', 'could not extend file')],
  ])('%s is not a taken key', (_, err) => {
    expect(isKeyViolation(err)).toBe(false);
  });
});
