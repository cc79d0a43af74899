import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../persistence/db';
import { sqliteStore } from '../persistence/store';
import { VitalsRepo } from '../persistence/vitalsRepo';
import { trendInSteps } from './loadSessionRecord';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe("the record's trend read in steps", () => {
  let db: Db;
  let dir: string;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives exactly the points of one whole-window query (means, minima, maxima), for a long session and a short one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'trend-steps-'));
    db = openDatabase(join(dir, 'x.db'), T0);
    const repo = new VitalsRepo(sqliteStore(db));
    const ins = db.prepare('INSERT INTO vitals (session_id, device_id, seq, t, hr, spo2, received_at, simulated) VALUES (?, 1, ?, ?, ?, ?, 0, 0)');
    // 3 hours at 1 Hz with a gap and a dip: 10,000+ rows, several steps of 2,000.
    db.transaction(() => {
      for (let q = 0; q < 3 * 3600; q++) if (q < 4000 || q > 4600) ins.run('long', q, T0 + q * 1000, 70 + (q % 13), q % 1800 < 15 ? 85 : 97);
      for (let q = 0; q < 50; q++) ins.run('short', q, T0 + q * 1000, 80, 96);
    })();
    const from = T0 - 60_000;
    const to = T0 + 3 * 3600_000 + 60_000;
    const whole = await repo.bucketedWindow('long', from, to, 600);
    expect(whole.bucketMs).not.toBeNull();
    expect(await trendInSteps(repo, 'long', from, to)).toEqual(whole);
    expect(Math.min(...whole.points.map((p) => p.min?.spo2 ?? p.spo2!))).toBe(85);
    const short = await trendInSteps(repo, 'short', from, to);
    expect(short).toEqual(await repo.bucketedWindow('short', from, to, 600));
    expect(short.bucketMs).toBeNull();
    expect(short.points).toHaveLength(50);
  });
});
