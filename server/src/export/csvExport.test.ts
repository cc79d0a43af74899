import { defaultRuleSet } from '@infusion/shared';
import { parse } from 'csv-parse/sync';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../persistence/db';
import { sqliteStore } from '../persistence/store';
import { VitalsRepo } from '../persistence/vitalsRepo';
import type { FrameKey } from '../persistence/vitalsRepo';
import { csvCell, csvChunks } from './csvExport';
import type { SessionRecord } from './sessionRecord';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** A record with nothing but its session: the CSV's vitals come from the repository. */
const record = (simulated: boolean): SessionRecord =>
  ({
    session: {
      id: 's1', patientLabel: 'P-1', patientRef: null, patientId: null, location: 'Chair 1', unit: 'u', weightKg: 70, dosingWeight: { kg: 70, basis: 'actual' }, createdAt: T0, endedAt: T0 + 60_000, simulated,
      infusion: { cumulativeMg: 12.345, cumulativeMgPerKg: 0.1764, asOf: T0 + 60_000 }, limitOverrides: null, ruleSetVersion: defaultRuleSet.version,
    },
    orders: [], checklist: null, infusionEvents: [], trend: [], trendBucketMs: null, trendFrom: T0, observations: [],
    alarms: [{ id: 1, startedAt: T0 + 5_500, acknowledgedAt: null, resolvedAt: null, priority: 'high', title: 'SpO2 low', message: 'SpO2 85 < 88', acknowledgedBy: null }],
    escalations: [], responses: [{ at: T0 + 30_000, by: 'physician', text: '=cmd|calc', byName: 'Dr P' }], rescueDoses: [], displayNames: {}, exportedAt: T0 + 120_000, exportedBy: 'user:nurse',
  }) as unknown as SessionRecord;

describe('CSV export', () => {
  let db: Db;
  let dir: string;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages through frames of the same instant from two devices without losing or repeating one, events merged in time order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'csv-'));
    db = openDatabase(join(dir, 'x.db'), T0);
    const repo = new VitalsRepo(sqliteStore(db));
    const ins = db.prepare('INSERT INTO vitals (session_id, device_id, seq, t, hr, spo2, received_at, simulated) VALUES (?, ?, ?, ?, ?, ?, 0, 1)');
    // 10 instants, each with a frame from device 1 and device 2: pages of 3 split instants.
    for (let k = 0; k < 10; k++) for (const dev of [1, 2]) ins.run('s1', dev, k, T0 + k * 1000, 60 + k, dev === 1 ? 97 : null);
    ins.run('other', 1, 0, T0, 99, 99);
    const chunks: string[] = [];
    for await (const c of csvChunks(record(true), (after, limit) => repo.framesPage('s1', after, limit), 3)) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(5);
    const rows = parse(chunks.join(''), { columns: true }) as Record<string, string>[];
    const vitals = rows.filter((r) => r.record === 'vitals');
    expect(vitals.map((r) => `${r['time (ISO 8601 UTC)']!.slice(17, 19)}/${r.device}/${r['HR (/min)']}/${r['SpO2 (%)']}`)).toEqual(
      Array.from({ length: 10 }, (_, k) => [`${String(k).padStart(2, '0')}/1/${60 + k}/97`, `${String(k).padStart(2, '0')}/2/${60 + k}/`]).flat(),
    );
    // The alarm at 5.5 s sits between the frames of 5 s and 6 s; the total dose closes the file.
    const order = rows.map((r) => r.record);
    expect(order.indexOf('alarm raised')).toBe(order.indexOf('vitals') + 12);
    expect(rows.at(-1)).toMatchObject({ record: 'total dose', 'dose (mg)': '12.35', 'dose (mg/kg)': '0.18', simulated: 'true' });
    // Free text a spreadsheet would run as a formula is defused.
    expect(rows.find((r) => r.record === 'physician response')!.detail).toBe("'=cmd|calc");
  });

  it('a page read that fails mid-way fails the CSV: no total-dose row is written after the frames it lost', async () => {
    dir = mkdtempSync(join(tmpdir(), 'csv-'));
    db = openDatabase(join(dir, 'x.db'), T0);
    const repo = new VitalsRepo(sqliteStore(db));
    const ins = db.prepare('INSERT INTO vitals (session_id, device_id, seq, t, hr, received_at, simulated) VALUES (?, 1, ?, ?, 70, 0, 1)');
    for (let k = 0; k < 10; k++) ins.run('s1', k, T0 + k * 1000);
    let reads = 0;
    const failing = (after: FrameKey | null, limit: number) => (++reads === 2 ? Promise.reject(new Error('storage unavailable')) : repo.framesPage('s1', after, limit));
    const written: string[] = [];
    await expect(
      (async () => {
        for await (const c of csvChunks(record(true), failing, 3)) written.push(c);
      })(),
    ).rejects.toThrow('storage unavailable');
    expect(written.join('')).toContain('vitals');
    expect(written.join('')).not.toContain('total dose');
  });

  it('quotes cells with commas, quotes and line breaks; leaves numbers alone', () => {
    expect([csvCell('a,b'), csvCell('say "hi"'), csvCell('two\nlines'), csvCell(-3), csvCell('-3'), csvCell(null), csvCell(true)]).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '-3', "'-3", '', 'true']);
  });
});
