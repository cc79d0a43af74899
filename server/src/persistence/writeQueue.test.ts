import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db';
import { WriteQueue } from './writeQueue';

const log = pino({ level: 'silent' });
let db: Db;
afterEach(() => db?.close());

describe('write queue', () => {
  it('commits many ops in one transaction and resolves each only after commit', async () => {
    db = openDatabase(':memory:', 0);
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    const q = new WriteQueue(db, log, 50);
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const done = [1, 2, 3].map((x) => q.enqueue(() => ins.run(x)));
    expect((db.prepare('SELECT COUNT(*) n FROM t').get() as { n: number }).n).toBe(0);
    await Promise.all(done);
    expect((db.prepare('SELECT COUNT(*) n FROM t').get() as { n: number }).n).toBe(3);
    expect(q.stats).toMatchObject({ batches: 1, ops: 3 });
  });

  it('keeps the good ops when one op of a batch fails, and rejects only that one', async () => {
    db = openDatabase(':memory:', 0);
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    const q = new WriteQueue(db, log, 5);
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const results = await Promise.allSettled([q.enqueue(() => ins.run(1)), q.enqueue(() => ins.run(1)), q.enqueue(() => ins.run(2))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((db.prepare('SELECT x FROM t ORDER BY x').all() as { x: number }[]).map((r) => r.x)).toEqual([1, 2]);
  });

  it('flushes at once when the batch is full, and refuses work after close', async () => {
    db = openDatabase(':memory:', 0);
    db.exec('CREATE TABLE t (x INTEGER)');
    const q = new WriteQueue(db, log, 100, 2);
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    void q.enqueue(() => ins.run(1));
    void q.enqueue(() => ins.run(2));
    expect((db.prepare('SELECT COUNT(*) n FROM t').get() as { n: number }).n).toBe(2);
    void q.enqueue(() => ins.run(3));
    q.close();
    expect((db.prepare('SELECT COUNT(*) n FROM t').get() as { n: number }).n).toBe(3);
    await expect(q.enqueue(() => ins.run(4))).rejects.toThrow(/closed/);
  });
});

describe('write queue on failing storage', () => {
  it('rejects the whole batch at once when the storage refuses writes, and reports it once per batch', async () => {
    db = openDatabase(':memory:', 0);
    db.exec('CREATE TABLE t (x INTEGER PRIMARY KEY)');
    const reported: unknown[] = [];
    const q = new WriteQueue(db, log, 5, 5000, (err) => reported.push(err));
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    db.pragma('query_only = ON');
    const results = await Promise.allSettled([1, 2, 3].map((x) => q.enqueue(() => ins.run(x))));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ code: 'SQLITE_READONLY' });
    db.pragma('query_only = OFF');
    await q.enqueue(() => ins.run(4));
    expect((db.prepare('SELECT x FROM t').all() as { x: number }[]).map((r) => r.x)).toEqual([4]);
  });
});
