import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db';
import { sqliteStore, type Tx } from './store';
import { WriteQueue, type WriteQueueDeps } from './writeQueue';

const log = pino({ level: 'silent' });
let db: Db;
afterEach(() => db?.close());

function setup(opts: Partial<WriteQueueDeps> = {}) {
  db = openDatabase(':memory:', 0);
  db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
  const q = new WriteQueue({ store: sqliteStore(db), log, flushMs: 5, ...opts });
  const ins = (x: number) => (trx: Tx) => sql`INSERT INTO t VALUES (${x})`.execute(trx);
  const count = () => (db.prepare('SELECT COUNT(*) n FROM t').get() as { n: number }).n;
  return { q, ins, count };
}

describe('write queue', () => {
  it('commits many ops in one transaction and resolves each only after commit', async () => {
    const { q, ins, count } = setup({ flushMs: 50 });
    const done = [1, 2, 3].map((x) => q.enqueue(ins(x)));
    expect(count()).toBe(0);
    await Promise.all(done);
    expect(count()).toBe(3);
    expect(q.stats).toMatchObject({ batches: 1, ops: 3 });
  });

  it('keeps the good ops when one op of a batch fails, and rejects only that one', async () => {
    const { q, ins } = setup();
    const results = await Promise.allSettled([q.enqueue(ins(1)), q.enqueue(ins(1)), q.enqueue(ins(2))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((db.prepare('SELECT x FROM t ORDER BY x').all() as { x: number }[]).map((r) => r.x)).toEqual([1, 2]);
  });

  it('commits a full batch without waiting for the window, commits the rest on close, and refuses work after close', async () => {
    // A window far beyond the test timeout: only a full batch or close can commit.
    const { q, ins, count } = setup({ flushMs: 3_600_000, maxBatch: 2 });
    await Promise.all([q.enqueue(ins(1)), q.enqueue(ins(2))]);
    expect(count()).toBe(2);
    const third = q.enqueue(ins(3));
    await q.close();
    await third;
    expect(count()).toBe(3);
    await expect(q.enqueue(ins(4))).rejects.toThrow(/closed/);
  });

  it('commits batches in the order their ops were queued', async () => {
    const { q, count } = setup({ maxBatch: 3 });
    const order: number[] = [];
    const op = (x: number) => async (trx: Tx) => {
      await sql`INSERT INTO t VALUES (${x})`.execute(trx);
      order.push(x);
    };
    await Promise.all(Array.from({ length: 10 }, (_, i) => q.enqueue(op(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(count()).toBe(10);
  });
});

describe('write queue rows', () => {
  it("hands a batch's rows of a sink over together, in queue order, after the batch's ops, each resolved only once committed", async () => {
    const { q, count } = setup({ flushMs: 50 });
    const calls: string[] = [];
    const sink = {
      async insertRows(trx: Tx, rows: readonly number[]) {
        calls.push(`rows ${rows.join(',')}`);
        for (const x of rows) await sql`INSERT INTO t VALUES (${x})`.execute(trx);
      },
    };
    // The op reads the table: the rows come after the ops of their batch.
    const seen = async (trx: Tx) => {
      const r = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM t`.execute(trx);
      calls.push(`op sees ${r.rows[0]!.n}`);
    };
    let barrierDone = false;
    const done = [q.enqueueRow(sink, 1), q.enqueueRow(sink, 2), q.barrier().then(() => (barrierDone = true)), q.enqueueRow(sink, 3), q.enqueue(seen), q.enqueueRow(sink, 4)];
    expect(barrierDone).toBe(false);
    expect(count()).toBe(0);
    await Promise.all(done);
    expect(calls).toEqual(['op sees 0', 'rows 1,2,3,4']);
    expect(count()).toBe(4);
    expect(q.stats).toMatchObject({ batches: 1, ops: 6 });
  });
});

describe('write queue on failing storage', () => {
  it('rejects the whole batch at once when the storage refuses writes, and reports it once per batch', async () => {
    const reported: unknown[] = [];
    const { q, ins } = setup({ onStorageError: (err) => reported.push(err) });
    db.pragma('query_only = ON');
    const results = await Promise.allSettled([1, 2, 3].map((x) => q.enqueue(ins(x))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ code: 'SQLITE_READONLY' });
    db.pragma('query_only = OFF');
    await q.enqueue(ins(4));
    expect((db.prepare('SELECT x FROM t').all() as { x: number }[]).map((r) => r.x)).toEqual([4]);
  });
});
