import { VITAL_FIELDS, type TrendPoint, type VitalsSample } from '@infusion/shared';
import type { Db } from './db';
import type { VitalsTable } from './schema';
import type { Tx } from './store';
import { CompiledQuery } from 'kysely';

type Row = { t: number } & Record<string, number | null>;

const INSERT_COLUMNS = ['session_id', 'device_id', 'seq', 't', 'hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr', 'received_at', 'simulated'] as const satisfies readonly (keyof VitalsTable)[];

/** The row with its columns in INSERT_COLUMNS order: the compiled insert binds them by position. */
const inColumnOrder = (r: VitalsTable): VitalsTable => Object.fromEntries(INSERT_COLUMNS.map((c) => [c, r[c]])) as unknown as VitalsTable;

const toSample = (r: Row): VitalsSample => {
  const s: VitalsSample = { t: r.t };
  for (const f of VITAL_FIELDS) if (r[f] !== null && r[f] !== undefined) s[f] = r[f];
  return s;
};

const toBucketPoint = (r: Row): TrendPoint => {
  const p: TrendPoint = toSample(r);
  for (const f of VITAL_FIELDS) {
    const lo = r[`${f}_min`];
    const hi = r[`${f}_max`];
    if (lo === null || lo === undefined || hi === null || hi === undefined || lo === hi) continue;
    (p.min ??= {})[f] = lo;
    (p.max ??= {})[f] = hi;
  }
  return p;
};

/** A stored frame's place in the session's time order. */
export interface FrameKey {
  t: number;
  deviceId: number;
  seq: number;
}
export type StoredFrame = VitalsSample & FrameKey;

/** Raw vitals. Inserts go through the write queue; reads are bounded windows, never a whole session. */
export class VitalsRepo {
  private readonly sWindow;
  private readonly sBucketed;
  private readonly sCount;
  private readonly sLatest;
  private readonly sRecentSeqs;
  private readonly sHasSeq;
  private readonly sLastNibp;
  private readonly sLastFrame;
  private readonly sAfter;
  private readonly sPage;
  private readonly sBucketSlice;

  constructor(db: Db) {
    const cols = VITAL_FIELDS.join(', ');
    this.sWindow = db.prepare(`SELECT t, ${cols} FROM vitals WHERE session_id = ? AND t >= ? AND t <= ? ORDER BY t`);
    // Mean, min and max per time bucket: the server downsamples so a screen never loads a whole session's
    // rows, and the extremes keep a brief dip that the mean would hide. better-sqlite3 binds numbers as
    // REAL, so the bucket index is computed on integers explicitly (REAL division would make every row a bucket).
    const aggs = VITAL_FIELDS.map((f) => `ROUND(AVG(${f}), 1) AS ${f}, MIN(${f}) AS ${f}_min, MAX(${f}) AS ${f}_max`).join(', ');
    this.sBucketed = db.prepare(`SELECT MIN(t) AS t, ${aggs} FROM vitals WHERE session_id = @id AND t >= @from AND t <= @to
      GROUP BY (t - CAST(@from AS INTEGER)) / CAST(@bucket AS INTEGER) ORDER BY t`);
    // The same buckets (counted from @origin) over a slice [@lo, @hi) of the window: a long window read in steps.
    this.sBucketSlice = db.prepare(`SELECT MIN(t) AS t, ${aggs} FROM vitals WHERE session_id = @id AND t >= @lo AND t < @hi
      GROUP BY (t - CAST(@origin AS INTEGER)) / CAST(@bucket AS INTEGER) ORDER BY t`);
    this.sCount = db.prepare('SELECT COUNT(*) n FROM vitals WHERE session_id = ? AND t >= ? AND t <= ?');
    this.sLatest = db.prepare(`SELECT t, ${cols} FROM vitals WHERE session_id = ? ORDER BY t DESC LIMIT ?`);
    this.sRecentSeqs = db.prepare(`SELECT seq, t, ${cols} FROM vitals WHERE session_id = ? AND device_id = ? ORDER BY seq DESC LIMIT ?`);
    this.sHasSeq = db.prepare(`SELECT seq, t, ${cols} FROM vitals WHERE session_id = ? AND device_id = ? AND seq = ?`);
    this.sLastFrame = db.prepare('SELECT t, received_at FROM vitals WHERE session_id = ? ORDER BY t DESC LIMIT 1');
    this.sLastNibp = db.prepare('SELECT MAX(t) t FROM vitals WHERE session_id = ? AND sbp IS NOT NULL');
    this.sAfter = db.prepare(`SELECT t, ${cols} FROM vitals WHERE session_id = ? AND t > ? ORDER BY t LIMIT ?`);
    // Keyset on (t, device_id, seq): the index (session_id, t) carries the primary key, so each page is an index range, no sort.
    this.sPage = db.prepare(`SELECT t, device_id, seq, ${cols} FROM vitals WHERE session_id = ? AND (t, device_id, seq) > (?, ?, ?) ORDER BY t, device_id, seq LIMIT ?`);
  }

  /** Frames with event time after `t`, oldest first, at most `limit` (a takeover judges the frames its previous holder did not). */
  framesAfter(sessionId: string, t: number, limit: number): VitalsSample[] {
    return (this.sAfter.all(sessionId, t, limit) as Row[]).map(toSample);
  }

  /**
   * Every stored frame of the session in pages: the `limit` frames after `after` (a frame's key, or
   * null for the first page) in time order, frames of the same instant ordered by device and seq.
   * An export reads a long session this way, never all of its rows at once.
   */
  framesPage(sessionId: string, after: FrameKey | null, limit: number): StoredFrame[] {
    const a = after ?? { t: Number.MIN_SAFE_INTEGER, deviceId: Number.MIN_SAFE_INTEGER, seq: Number.MIN_SAFE_INTEGER };
    return (this.sPage.all(sessionId, a.t, a.deviceId, a.seq, limit) as (Row & { device_id: number; seq: number })[]).map((r) => ({ ...toSample(r), deviceId: r.device_id, seq: r.seq }));
  }

  /**
   * How `window(sessionId, from, to, maxPoints)` would make its points, without reading them: the row
   * count, and the bucket width (null: the rows themselves). With `bucketsIn` a caller can read the same
   * points a slice at a time.
   */
  windowPlan(sessionId: string, from: number, to: number, maxPoints: number): { from: number; to: number; rows: number; bucketMs: number | null } {
    from = Math.floor(from);
    to = Math.floor(to);
    const rows = (this.sCount.get(sessionId, from, to) as { n: number }).n;
    return { from, to, rows, bucketMs: rows <= maxPoints ? null : Math.max(1, Math.ceil((to - from + 1) / Math.max(1, maxPoints))) };
  }

  /** The points of the buckets (width `bucketMs`, counted from `origin`) whose readings fall in [lo, hi); lo and hi on bucket edges. */
  bucketsIn(sessionId: string, origin: number, bucketMs: number, lo: number, hi: number): TrendPoint[] {
    return (this.sBucketSlice.all({ id: sessionId, origin, bucket: bucketMs, lo, hi }) as Row[]).map(toBucketPoint);
  }

  /** The insert compiled once per store: the highest-rate statement skips building its SQL per frame. */
  private insertSql: string | null = null;

  /** Runs inside the write-queue transaction. */
  async insert(trx: Tx, row: VitalsTable): Promise<void> {
    // A plain INSERT: a seq already taken is decided before the write; if one ever got here it must fail loudly, not vanish.
    if (this.insertSql === null) {
      const compiled = trx.insertInto('vitals').values(inColumnOrder(row)).compile();
      if (compiled.parameters.length !== INSERT_COLUMNS.length) throw new Error('vitals insert: unexpected parameter count');
      this.insertSql = compiled.sql;
    }
    await trx.executeQuery(CompiledQuery.raw(this.insertSql, INSERT_COLUMNS.map((c) => row[c])));
  }

  /**
   * Samples in [from, to], at most maxPoints: the raw rows when they are few enough, else one point
   * per time bucket with the mean as its value and the bucket's min and max (see TrendPoint).
   */
  window(sessionId: string, from: number, to: number, maxPoints: number): TrendPoint[] {
    return this.bucketedWindow(sessionId, from, to, maxPoints).points;
  }

  /**
   * As `window`, saying how the points were made: `bucketMs` null when they are the stored readings,
   * else each point stands for the readings of [from + k·bucketMs, from + (k+1)·bucketMs).
   */
  bucketedWindow(sessionId: string, from: number, to: number, maxPoints: number): { points: TrendPoint[]; from: number; bucketMs: number | null } {
    const plan = this.windowPlan(sessionId, from, to, maxPoints);
    if (plan.bucketMs === null) return { points: (this.sWindow.all(sessionId, plan.from, plan.to) as Row[]).map(toSample), from: plan.from, bucketMs: null };
    return { points: (this.sBucketed.all({ id: sessionId, from: plan.from, to: plan.to, bucket: plan.bucketMs }) as Row[]).map(toBucketPoint), from: plan.from, bucketMs: plan.bucketMs };
  }

  latest(sessionId: string, n: number): VitalsSample[] {
    return (this.sLatest.all(sessionId, n) as Row[]).map(toSample).reverse();
  }

  /** The device's `n` highest-seq frames of the session (to rebuild its duplicate window after a restart). */
  recentFrames(sessionId: string, deviceId: number, n: number): ({ seq: number } & VitalsSample)[] {
    return (this.sRecentSeqs.all(sessionId, deviceId, n) as (Row & { seq: number })[]).map((r) => ({ ...toSample(r), seq: r.seq }));
  }

  lastFrame(sessionId: string): { t: number; receivedAt: number } | null {
    const r = this.sLastFrame.get(sessionId) as { t: number; received_at: number } | undefined;
    return r ? { t: r.t, receivedAt: r.received_at } : null;
  }

  lastNibpAt(sessionId: string): number | null {
    return (this.sLastNibp.get(sessionId) as { t: number | null }).t;
  }

  /** The stored frame with this (session, device, seq), or null. */
  frameAt(sessionId: string, deviceId: number, seq: number): VitalsSample | null {
    const r = this.sHasSeq.get(sessionId, deviceId, seq) as Row | undefined;
    return r ? toSample(r) : null;
  }
}
