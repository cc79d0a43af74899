import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../persistence/db';
import { sqliteStore } from '../persistence/store';
import { VitalsRepo } from '../persistence/vitalsRepo';
import { SnapshotTrends } from './snapshotTrends';

const T0 = 1_700_000_000_000;

describe('SnapshotTrends', () => {
  let db: Db;
  let dir: string;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const setup = () => {
    dir = mkdtempSync(join(tmpdir(), 'trends-'));
    db = openDatabase(join(dir, 'x.db'), T0);
    const repo = new VitalsRepo(sqliteStore(db));
    const ins = db.prepare('INSERT INTO vitals (session_id, device_id, seq, t, hr, spo2, rr, received_at, simulated) VALUES (?, 1, ?, ?, 70, ?, 14, 0, 0)');
    const add = (seq: number, spo2: number) => ins.run('s1', seq, T0 + seq * 1000, spo2);
    return { repo, add };
  };

  it('shares a trend between screens for a moment, topped up with rows stored since, then rebuilds', async () => {
    const { repo, add } = setup();
    for (let q = 0; q < 900; q++) add(q, q === 500 ? 84 : 97);
    let now = 0;
    const cache = new SnapshotTrends(repo, 2000, () => now);
    const first = await cache.get('s1', T0, T0 + 960_000, 45);
    expect(first.length).toBeLessThanOrEqual(45);
    expect(Math.min(...first.map((p) => p.min?.spo2 ?? p.spo2!))).toBe(84);
    add(900, 96);
    add(901, 95);
    now = 1000;
    const second = await cache.get('s1', T0, T0 + 960_000, 45);
    expect(second.slice(0, first.length)).toEqual(first);
    expect(second.slice(first.length).map((p) => [p.t, p.spo2])).toEqual([
      [T0 + 900_000, 96],
      [T0 + 901_000, 95],
    ]);
    now = 2000;
    const rebuilt = await cache.get('s1', T0, T0 + 960_000, 45);
    expect(rebuilt.length).toBeLessThanOrEqual(45);
    // Rebuilt from the database: the last bucket now holds the two new rows.
    expect(rebuilt.at(-1)!.min?.spo2).toBe(95);
    expect(first.at(-1)!.min?.spo2).toBeUndefined();
  });
});
