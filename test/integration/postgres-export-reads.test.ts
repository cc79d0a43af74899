import type { TrendPoint } from '@infusion/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trendInSteps } from '../../server/src/export/loadSessionRecord';
import type { VitalsTable } from '../../server/src/persistence/schema';
import { openPostgresStore, type PgStore } from '../../server/src/persistence/pgStore';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { VitalsRepo, type FrameKey, type StoredFrame } from '../../server/src/persistence/vitalsRepo';
import { freshDatabase } from '../support/postgres';

/**
 * The session export's vitals reads on PostgreSQL, each also run on SQLite and compared: the CSV's
 * keyset pages over (t, device_id, seq) and the record's trend read a slice of buckets at a time.
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
/** 3 hours at 1 Hz: the trend is bucketed (more rows than its 600 points) and read in several steps. */
const SECONDS = 3 * 3600;

/**
 * Session `x`: device 1 every second (a 10-minute gap, a 15 s SpO2 dip every half hour); device 2,
 * with a seq numbering of its own, on every 3rd second at the same instant as device 1; device 0
 * (rows from before devices were recorded) on every 500th outside the gap. Session `other` shares instants, never rows.
 */
function frames(): VitalsTable[] {
  const rows: VitalsTable[] = [];
  const row = (sessionId: string, deviceId: number, seq: number, t: number, hr: number, spo2: number | null): VitalsTable => ({
    session_id: sessionId, device_id: deviceId, seq, t, hr, sbp: null, dbp: null, map: null, spo2, etco2: 36, rr: 12, received_at: t + 30, simulated: 0,
  });
  for (let q = 0; q < SECONDS; q++) {
    const t = T0 + q * 1000;
    if (q < 4000 || q > 4600) rows.push(row('x', 1, q + 1, t, 70 + (q % 13), q % 1800 < 15 ? 85 : 97));
    if (q % 3 === 0) rows.push(row('x', 2, 100_000 - q, t, 64 + (q % 5), null));
    if (q % 500 === 0 && (q < 4000 || q > 4600)) rows.push(row('x', 0, q, t, 90, 95));
    if (q % 100 === 0) rows.push(row('other', 1, q, t, 150, 80));
  }
  return rows;
}

async function write(store: Store, rows: VitalsTable[]): Promise<void> {
  await store.transaction(async (trx) => {
    // 13 parameters a row: 500 rows a statement stays well under PostgreSQL's 65,535.
    for (let i = 0; i < rows.length; i += 500) await trx.insertInto('vitals').values(rows.slice(i, i + 500)).execute();
  });
}

/** Every frame of `x` as the CSV reads it: page after page from the last frame's key until a short page. */
async function allPages(vitals: VitalsRepo, pageFrames: number): Promise<{ frames: StoredFrame[]; pages: number }> {
  const out: StoredFrame[] = [];
  let after: FrameKey | null = null;
  let pages = 0;
  for (;;) {
    const page = await vitals.framesPage('x', after, pageFrames);
    pages++;
    out.push(...page);
    if (page.length < pageFrames) return { frames: out, pages };
    const last = page.at(-1)!;
    after = { t: last.t, deviceId: last.deviceId, seq: last.seq };
  }
}

/** The trend's buckets read `step` buckets at a time with bucketsIn, as the export does. */
async function bucketsInSlices(vitals: VitalsRepo, from: number, to: number, maxPoints: number, step: number): Promise<TrendPoint[]> {
  const plan = await vitals.windowPlan('x', from, to, maxPoints);
  const bucketMs = plan.bucketMs!;
  const points: TrendPoint[] = [];
  for (let lo = plan.from; lo <= plan.to; lo += step * bucketMs) points.push(...(await vitals.bucketsIn('x', plan.from, bucketMs, lo, Math.min(plan.to + 1, lo + step * bucketMs))));
  return points;
}

async function reads(store: Store) {
  const vitals = new VitalsRepo(store);
  const from = T0 - 60_000;
  const to = T0 + SECONDS * 1000 + 60_000;
  return {
    pages: await allPages(vitals, 7),
    plan: await vitals.windowPlan('x', from, to, 600),
    whole: await vitals.bucketedWindow('x', from, to, 600),
    steps: await trendInSteps(vitals, 'x', from, to),
    slices: await bucketsInSlices(vitals, from, to, 600, 7),
    oneBucketAtATime: await bucketsInSlices(vitals, T0, T0 + 3_599_999, 120, 1),
    oneWindow: await vitals.window('x', T0, T0 + 3_599_999, 120),
  };
}

describe("the session export's vitals reads on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  let pgStore: PgStore;
  const stores: Store[] = [];
  beforeAll(async () => {
    db = await freshDatabase();
    dir = mkdtempSync(join(tmpdir(), 'export-reads-'));
    pgStore = await openPostgresStore({ url: db.url, poolSize: 4 }, T0);
    stores.push(pgStore);
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages every frame exactly once in (t, device, seq) order, and the trend read in slices equals one window read, as on SQLite', async () => {
    const rows = frames();
    const lite = openSqliteStore(join(dir, 'infusion.db'), T0);
    stores.push(lite);
    await write(lite, rows);
    await write(pgStore, rows);
    const expected = await reads(lite);
    const got = await reads(pgStore);
    expect(got).toEqual(expected);

    // framesPage: pages of 7 split the instants that hold two or three devices' frames; none is lost or repeated.
    const stored = rows.filter((r) => r.session_id === 'x');
    const paged = got.pages.frames;
    expect(paged).toHaveLength(stored.length);
    expect(got.pages.pages).toBe(Math.floor(stored.length / 7) + 1);
    expect(new Set(paged.map((f) => `${f.deviceId}/${f.seq}`)).size).toBe(stored.length);
    const byKey = (a: FrameKey, b: FrameKey) => a.t - b.t || a.deviceId - b.deviceId || a.seq - b.seq;
    expect(paged.map((f) => ({ t: f.t, deviceId: f.deviceId, seq: f.seq }))).toEqual(stored.map((r) => ({ t: r.t, deviceId: r.device_id, seq: r.seq })).sort(byKey));
    // Values as stored: device 2 sent no SpO2, and none is made up for it.
    expect(paged.find((f) => f.deviceId === 2 && f.t === T0 + 3000)).toEqual({ t: T0 + 3000, deviceId: 2, seq: 99_997, hr: 67, etco2: 36, rr: 12 });
    expect(paged.filter((f) => f.hr === 150)).toEqual([]);

    // The trend: bucketed, several steps of the export, and the same points as one query.
    expect(got.plan).toMatchObject({ rows: stored.length, bucketMs: expect.any(Number) as number });
    expect(got.whole.bucketMs).toBe(got.plan.bucketMs);
    expect(got.whole.points.length).toBeGreaterThan(500);
    expect(got.steps).toEqual(got.whole);
    expect(got.slices).toEqual(got.whole.points);
    expect(got.oneBucketAtATime).toEqual(got.oneWindow);
    expect(got.oneWindow).toHaveLength(120);
    // Each half-hour dip survives as a bucket minimum; in the gap only device 2's points, without SpO2.
    const dips = got.whole.points.filter((p) => (p.min?.spo2 ?? p.spo2) === 85);
    expect(dips.length).toBeGreaterThanOrEqual(6);
    expect(got.whole.points.filter((p) => p.t > T0 + 4_030_000 && p.t < T0 + 4_580_000 && p.spo2 !== undefined)).toEqual([]);
  });
});
