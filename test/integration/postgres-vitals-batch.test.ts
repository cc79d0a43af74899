import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../server/src/persistence/pgStore';
import type { VitalsTable } from '../../server/src/persistence/schema';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { VitalsRepo, type StoredFrame } from '../../server/src/persistence/vitalsRepo';
import { WriteQueue } from '../../server/src/persistence/writeQueue';
import { freshDatabase } from '../support/postgres';

/**
 * The vitals of one write batch go to PostgreSQL as multi-row INSERTs, chunked under its 65,535 bind
 * parameters per statement. What a device was told is stored must be stored, every row and value, in
 * order, however large the batch; and one bad row must not cost the others theirs. SQLite (a prepared
 * statement per row) is held to the same.
 */
const T0 = Date.UTC(2026, 11, 1, 8, 0, 0);
const log = pino({ level: 'silent' });

/** 6,000 rows: six chunks, and more than one statement could bind (13 parameters a row: 5,041 at most). */
const ROWS = 6_000;

const row = (sessionId: string, seq: number): VitalsTable => ({
  session_id: sessionId,
  device_id: 3,
  seq,
  t: T0 + seq * 1000,
  hr: 60 + (seq % 40),
  // Absent values stay absent, wherever the row falls in a statement.
  sbp: seq % 60 === 0 ? 100 + (seq % 37) : null,
  dbp: seq % 60 === 0 ? 70 : null,
  map: seq % 60 === 0 ? 80.3 : null,
  spo2: seq % 7 === 0 ? null : 90 + (seq % 10) / 2,
  etco2: 38,
  rr: 12 + (seq % 5),
  received_at: T0 + seq * 1000 + 17,
  simulated: (seq % 2) as 0 | 1,
});

async function allFrames(vitals: VitalsRepo, sessionId: string): Promise<StoredFrame[]> {
  const out: StoredFrame[] = [];
  for (;;) {
    const last = out.at(-1);
    const page = await vitals.framesPage(sessionId, last ? { t: last.t, deviceId: last.deviceId, seq: last.seq } : null, 2_000);
    out.push(...page);
    if (page.length < 2_000) return out;
  }
}

const expected = (sessionId: string, seqs: number[]) =>
  seqs.map((seq) => {
    const r = row(sessionId, seq);
    const f: Record<string, number | null> = { t: r.t, deviceId: 3, seq };
    for (const k of ['hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr'] as const) if (r[k] !== null) f[k] = r[k];
    return f;
  });

for (const kind of ['postgres', 'sqlite'] as const) {
  describe(`vitals write batches on ${kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}`, () => {
    let store: Store;
    let release: () => Promise<void>;
    beforeAll(async () => {
      if (kind === 'postgres') {
        const db = await freshDatabase();
        store = await openPostgresStore({ url: db.url, poolSize: 2 }, T0);
        release = db.release;
      } else {
        const dir = mkdtempSync(join(tmpdir(), 'vitals-batch-'));
        store = openSqliteStore(join(dir, 'a.db'), T0);
        release = () => Promise.resolve(rmSync(dir, { recursive: true, force: true }));
      }
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await release?.();
    });

    it('stores a batch larger than one INSERT chunk completely and in order, each row acknowledged only once committed', async () => {
      expect(ROWS).toBeGreaterThan(Math.floor(65_535 / 13));
      const vitals = new VitalsRepo(store);
      // A window no test waits out: the batch commits only on flush, all of it in one transaction.
      const q = new WriteQueue({ store, log, flushMs: 3_600_000, maxBatch: 10_000 });
      let acked = 0;
      const done = Array.from({ length: ROWS }, (_, i) => q.enqueueRow(vitals, row('big', i + 1)).then(() => acked++));
      await new Promise((r) => setImmediate(r));
      expect(acked).toBe(0);
      expect(await vitals.frameAt('big', 3, 1)).toBeNull();
      await q.flush();
      await Promise.all(done);
      expect(acked).toBe(ROWS);
      expect(q.stats).toMatchObject({ batches: 1, ops: ROWS, failedOps: 0 });
      const stored = await allFrames(vitals, 'big');
      expect(stored).toHaveLength(ROWS);
      expect(stored).toEqual(expected(
        'big',
        Array.from({ length: ROWS }, (_, i) => i + 1),
      ));
      expect((await vitals.recentFrames('big', 3, 1))[0]).toMatchObject({ seq: ROWS, t: T0 + ROWS * 1000 });
      await q.close();
    });

    it('refuses only the bad row of a large batch and stores all the others', async () => {
      const vitals = new VitalsRepo(store);
      const q = new WriteQueue({ store, log, flushMs: 3_600_000, maxBatch: 10_000 });
      // seq 1,500 twice (the same key): the statement holding both fails; the write queue then retries row by row.
      const seqs = [...Array.from({ length: 2_500 }, (_, i) => i + 1), 1_500, 2_501];
      const results = Promise.allSettled(seqs.map((seq) => q.enqueueRow(vitals, row('bad', seq))));
      await q.flush();
      const settled = await results;
      expect(settled.filter((r) => r.status === 'rejected')).toHaveLength(1);
      expect(settled[2_500]!.status).toBe('rejected');
      expect(q.stats.failedOps).toBe(1);
      expect(await allFrames(vitals, 'bad')).toEqual(expected(
        'bad',
        Array.from({ length: 2_501 }, (_, i) => i + 1),
      ));
      await q.close();
    });
  });
}
