import { describe, expect, it } from 'vitest';
import { isStorageError, storageReason } from './storageErrors';

/** An error as node-postgres reports a server error: the SQLSTATE in `code`, with a severity. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
const netError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });

describe('storage errors', () => {
  it.each([
    [pgError('53100', 'could not extend file: No space left on device'), 'PG_53100'],
    [pgError('25006', 'cannot execute INSERT in a read-only transaction'), 'PG_25006'],
    [pgError('57P01', 'terminating connection due to administrator command'), 'PG_57P01'],
    [pgError('57P03', 'the database system is starting up'), 'PG_57P03'],
    [pgError('08006', 'connection failure'), 'PG_08006'],
    [pgError('58030', 'could not write to file'), 'PG_58030'],
    [pgError('XX001', 'invalid page in block'), 'PG_XX001'],
    [netError('ECONNREFUSED'), 'ECONNREFUSED'],
    [netError('ECONNRESET'), 'ECONNRESET'],
    [new Error('Connection terminated unexpectedly'), 'PG_CONNECTION_LOST'],
    [new Error('timeout exceeded when trying to connect'), 'PG_CONNECTION_LOST'],
    [Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 'SQLITE_FULL'],
  ])('%s means recording failed (%s)', (err, code) => {
    expect(isStorageError(err)).toBe(true);
    expect(storageReason(err)).toBe(`${code}: ${err.message}`);
  });

  it('a refused connection reported for every address (AggregateError) is a storage failure', () => {
    const err = new AggregateError([netError('ECONNREFUSED'), netError('ECONNREFUSED')]);
    expect(isStorageError(err)).toBe(true);
    expect(storageReason(err)).toMatch(/^ECONNREFUSED: connect ECONNREFUSED/);
  });

  it.each([
    pgError('23505', 'duplicate key value violates unique constraint "vitals_pkey"'),
    pgError('23502', 'null value in column "t" violates not-null constraint'),
    pgError('22P02', 'invalid input syntax for type json'),
    pgError('42P01', 'relation "x" does not exist'),
    pgError('P0001', 'audit_log is append-only'),
    Object.assign(new Error('UNIQUE constraint failed'), { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }),
    new Error('53100'),
    'a string',
  ])('a bad row or query is not storage failing: %s', (err) => {
    expect(isStorageError(err)).toBe(false);
  });
});
