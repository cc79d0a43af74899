import { VITAL_FIELDS, type TrendPoint, type VitalsSample } from '@infusion/shared';
import type { VitalsTable } from './schema';
import type { Statement } from 'better-sqlite3';
import type { SqliteStore, Store, Tx } from './store';
import { CompiledQuery, sql } from 'kysely';
import { readInChunks } from './idChunks';

type Row = { t: number } & Record<string, number | null>;

const INSERT_COLUMNS = ['session_id', 'device_id', 'seq', 't', 'hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr', 'received_at', 'simulated'] as const satisfies readonly (keyof VitalsTable)[];

/**
 * Rows per INSERT statement on PostgreSQL: 13 bind parameters each, so 13,000 a statement, well under
 * PostgreSQL's limit of 65,535 per statement whatever the batch size.
 */
export const PG_INSERT_CHUNK = 1000;

/** `INSERT INTO vitals (...) VALUES ($1, ..., $13), ...` for n rows, the texts of the sizes in use kept. */
const pgInsertTexts = new Map<number, string>();
function pgMultiRowInsert(n: number): string {
  let text = pgInsertTexts.get(n);
  if (text === undefined) {
    const cols = INSERT_COLUMNS.length;
    const tuples = Array.from({ length: n }, (_, i) => `(${Array.from({ length: cols }, (_, c) => `$${i * cols + c + 1}`).join(', ')})`);
    text = `insert into "vitals" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values ${tuples.join(', ')}`;
    // Bounded: a batch's size varies with load; the full chunk and small sizes recur, others are rebuilt.
    if (n === PG_INSERT_CHUNK || n <= 64) pgInsertTexts.set(n, text);
  }
  return text;
}

const toSample = (r: Row): VitalsSample => {
  const s: VitalsSample = { t: r.t };
  for (const f of VITAL_FIELDS) if (r[f] !== null && r[f] !== undefined) s[f] = r[f];
  return s;
};

/** A bucket's mean to one decimal, rounded here rather than in SQL (PostgreSQL has no ROUND for its floats). */
const round1 = (x: number | null | undefined) => (x === null || x === undefined ? x : Math.round(Number(x) * 10) / 10);

const toBucketPoint = (r: Row): TrendPoint => {
  const p: TrendPoint = toSample({ ...r, ...Object.fromEntries(VITAL_FIELDS.map((f) => [f, round1(r[f])])) } as Row);
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

/**
 * Raw vitals. Inserts go through the write queue; reads are bounded windows, never a whole session.
 * Async, the same queries on both stores. The per-frame paths do not wait on these reads: the
 * session service keeps each live session's duplicate windows and latest values in memory.
 */
export class VitalsRepo {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  /** Frames with event time after `t`, oldest first, at most `limit` (a takeover judges the frames its previous holder did not). */
  async framesAfter(sessionId: string, t: number, limit: number): Promise<VitalsSample[]> {
    const rows = await this.db.selectFrom('vitals').select(['t', ...VITAL_FIELDS]).where('session_id', '=', sessionId).where('t', '>', t).orderBy('t').limit(limit).execute();
    return rows.map(toSample);
  }

  /**
   * `framesAfter` for many sessions, each after its own time (a takeover: the frames each previous
   * holder's stored state has not judged), in one statement per 500 sessions; each session's frames
   * oldest first, at most `limit` of them. Every asked session has an entry.
   */
  async framesAfterEach(after: readonly { sessionId: string; t: number }[], limit: number): Promise<Map<string, VitalsSample[]>> {
    const out = new Map<string, VitalsSample[]>(after.map((a) => [a.sessionId, []]));
    const rows = await readInChunks(after, (chunk) =>
      this.db
        .selectFrom('vitals')
        .select(['session_id', 't', ...VITAL_FIELDS])
        // One index range per session on (session_id, t): both stores plan an OR of such terms as a union of range scans.
        .where((eb) => eb.or(chunk.map((a) => eb.and([eb('session_id', '=', a.sessionId), eb('t', '>', a.t)]))))
        .orderBy('session_id')
        .orderBy('t')
        .execute(),
    );
    for (const { session_id, ...r } of rows) {
      const frames = out.get(session_id);
      if (frames && frames.length < limit) frames.push(toSample(r));
    }
    return out;
  }

  /**
   * `lastFrame` and `lastNibpAt` for many sessions (a takeover), one statement per 500: each a
   * subquery per session on the (session_id, t) index. Every asked session has an entry.
   */
  async lastFramesOf(sessionIds: readonly string[]): Promise<Map<string, { lastFrame: { t: number; receivedAt: number } | null; lastNibpAt: number | null }>> {
    const out = new Map(sessionIds.map((id) => [id, { lastFrame: null as { t: number; receivedAt: number } | null, lastNibpAt: null as number | null }]));
    const rows = await readInChunks(sessionIds, (chunk) =>
      this.db
        .selectFrom('sessions as s')
        .select((eb) => [
          's.id as id',
          eb.selectFrom('vitals as v').select('v.t').whereRef('v.session_id', '=', 's.id').orderBy('v.t', 'desc').limit(1).as('t'),
          eb.selectFrom('vitals as v').select('v.received_at').whereRef('v.session_id', '=', 's.id').orderBy('v.t', 'desc').limit(1).as('received_at'),
          eb.selectFrom('vitals as v').select((e) => e.fn.max('v.t').as('m')).whereRef('v.session_id', '=', 's.id').where('v.sbp', 'is not', null).as('nibp'),
        ])
        .where('s.id', 'in', chunk)
        .execute(),
    );
    for (const r of rows) {
      const t = r.t === null ? null : Number(r.t);
      out.set(r.id, {
        lastFrame: t === null ? null : { t, receivedAt: Number(r.received_at) },
        lastNibpAt: r.nibp === null || r.nibp === undefined ? null : Number(r.nibp),
      });
    }
    return out;
  }

  /**
   * Every stored frame of the session in pages: the `limit` frames after `after` (a frame's key, or
   * null for the first page) in time order, frames of the same instant ordered by device and seq.
   * An export reads a long session this way, never all of its rows at once.
   */
  async framesPage(sessionId: string, after: FrameKey | null, limit: number): Promise<StoredFrame[]> {
    let q = this.db.selectFrom('vitals').select(['t', 'device_id', 'seq', ...VITAL_FIELDS]).where('session_id', '=', sessionId);
    // Keyset on (t, device_id, seq) as a row-value comparison, which both stores evaluate on the
    // (session_id, t) index: each page is an index range from the last key, not an OFFSET rescan.
    if (after) q = q.where((eb) => eb(eb.refTuple('t', 'device_id', 'seq'), '>', eb.tuple(after.t, after.deviceId, after.seq)));
    const rows = await q.orderBy('t').orderBy('device_id').orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({ ...toSample(r), deviceId: r.device_id, seq: r.seq }));
  }

  /**
   * How `window(sessionId, from, to, maxPoints)` would make its points, without reading them: the row
   * count, and the bucket width (null: the rows themselves). With `bucketsIn` a caller can read the same
   * points a slice at a time.
   */
  async windowPlan(sessionId: string, from: number, to: number, maxPoints: number): Promise<{ from: number; to: number; rows: number; bucketMs: number | null }> {
    from = Math.floor(from);
    to = Math.floor(to);
    const { n } = await this.inWindow(sessionId, from, to + 1)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = Number(n);
    return { from, to, rows, bucketMs: rows <= maxPoints ? null : Math.max(1, Math.ceil((to - from + 1) / Math.max(1, maxPoints))) };
  }

  /** The points of the buckets (width `bucketMs`, counted from `origin`) whose readings fall in [lo, hi); lo and hi on bucket edges. */
  async bucketsIn(sessionId: string, origin: number, bucketMs: number, lo: number, hi: number): Promise<TrendPoint[]> {
    // Mean, min and max per time bucket: the server downsamples so a screen never loads a whole session's
    // rows, and the extremes keep a brief dip that the mean would hide. The bucket index is integer
    // division on BIGINT operands in both stores (better-sqlite3 binds numbers as REAL, which would make
    // every row a bucket; PostgreSQL's INTEGER would overflow on epoch milliseconds).
    const rows = await this.inWindow(sessionId, lo, hi)
      .select((eb) => [
        eb.fn.min('t').as('t'),
        ...VITAL_FIELDS.flatMap((f) => [eb.fn.avg(f).as(f), eb.fn.min(f).as(`${f}_min`), eb.fn.max(f).as(`${f}_max`)]),
      ])
      .groupBy(sql`(t - CAST(${Math.floor(origin)} AS BIGINT)) / CAST(${Math.floor(bucketMs)} AS BIGINT)`)
      .orderBy('t')
      .execute();
    return (rows as unknown as Row[]).map(toBucketPoint);
  }

  /** The session's readings with t in [lo, hi). */
  private inWindow(sessionId: string, lo: number, hi: number) {
    return this.db.selectFrom('vitals').where('session_id', '=', sessionId).where('t', '>=', lo).where('t', '<', hi);
  }

  /** SQLite's one-row insert, prepared once on the store's handle. */
  private sqliteInsert: Statement | null = null;

  /** Runs inside the write-queue transaction. */
  insert(trx: Tx, row: VitalsTable): Promise<void> {
    return this.insertRows(trx, [row]);
  }

  /**
   * Rows of one write batch, inside its transaction, in the order given. A plain INSERT: a seq already
   * taken is decided before the write; if one ever got here it must fail loudly (the whole statement,
   * then the write queue retries row by row), not vanish.
   */
  async insertRows(trx: Tx, rows: readonly VitalsTable[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.store.kind === 'postgres') {
      // dialect: one multi-row INSERT per chunk. node-postgres sends one statement per round trip, so a row
      // per statement is bound by latency (a few thousand rows/s); a chunk costs about what one row does.
      for (let i = 0; i < rows.length; i += PG_INSERT_CHUNK) {
        const chunk = rows.slice(i, i + PG_INSERT_CHUNK);
        const params: unknown[] = [];
        for (const r of chunk) for (const c of INSERT_COLUMNS) params.push(r[c]);
        await trx.executeQuery(CompiledQuery.raw(pgMultiRowInsert(chunk.length), params));
      }
      return;
    }
    // dialect: SQLite runs in process, so a row costs no round trip; its prepared statement run directly
    // (on the handle that holds the transaction) is faster than going through the query builder per row,
    // and faster than multi-row statements whose text varies with the batch (measured: 27k vs 21k vs 17k rows/s).
    const raw = (this.store as SqliteStore).raw;
    this.sqliteInsert ??= raw.prepare(`insert into "vitals" (${INSERT_COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${INSERT_COLUMNS.map(() => '?').join(', ')})`);
    for (const r of rows) this.sqliteInsert.run(INSERT_COLUMNS.map((c) => r[c]));
  }

  /**
   * Samples in [from, to], at most maxPoints: the raw rows when they are few enough, else one point
   * per time bucket with the mean as its value and the bucket's min and max (see TrendPoint).
   */
  async window(sessionId: string, from: number, to: number, maxPoints: number): Promise<TrendPoint[]> {
    return (await this.bucketedWindow(sessionId, from, to, maxPoints)).points;
  }

  /**
   * As `window`, saying how the points were made: `bucketMs` null when they are the stored readings,
   * else each point stands for the readings of [from + k·bucketMs, from + (k+1)·bucketMs).
   */
  async bucketedWindow(sessionId: string, from: number, to: number, maxPoints: number): Promise<{ points: TrendPoint[]; from: number; bucketMs: number | null }> {
    const plan = await this.windowPlan(sessionId, from, to, maxPoints);
    // t is whole milliseconds, so t <= to is t < to + 1.
    if (plan.bucketMs === null) {
      const rows = await this.inWindow(sessionId, plan.from, plan.to + 1).select(['t', ...VITAL_FIELDS]).orderBy('t').execute();
      return { points: rows.map(toSample), from: plan.from, bucketMs: null };
    }
    return { points: await this.bucketsIn(sessionId, plan.from, plan.bucketMs, plan.from, plan.to + 1), from: plan.from, bucketMs: plan.bucketMs };
  }

  async latest(sessionId: string, n: number): Promise<VitalsSample[]> {
    const rows = await this.db.selectFrom('vitals').select(['t', ...VITAL_FIELDS]).where('session_id', '=', sessionId).orderBy('t', 'desc').limit(n).execute();
    return rows.map(toSample).reverse();
  }

  /** The device's `n` highest-seq frames of the session (to rebuild its duplicate window after a restart). */
  async recentFrames(sessionId: string, deviceId: number, n: number): Promise<({ seq: number } & VitalsSample)[]> {
    const rows = await this.db.selectFrom('vitals').select(['seq', 't', ...VITAL_FIELDS]).where('session_id', '=', sessionId).where('device_id', '=', deviceId).orderBy('seq', 'desc').limit(n).execute();
    return rows.map((r) => ({ ...toSample(r), seq: r.seq }));
  }

  async lastFrame(sessionId: string): Promise<{ t: number; receivedAt: number } | null> {
    const r = await this.db.selectFrom('vitals').select(['t', 'received_at']).where('session_id', '=', sessionId).orderBy('t', 'desc').limit(1).executeTakeFirst();
    return r ? { t: r.t, receivedAt: r.received_at } : null;
  }

  async lastNibpAt(sessionId: string): Promise<number | null> {
    const r = await this.db
      .selectFrom('vitals')
      .select((eb) => eb.fn.max('t').as('t'))
      .where('session_id', '=', sessionId)
      .where('sbp', 'is not', null)
      .executeTakeFirst();
    return r?.t ?? null;
  }

  /** The stored frame with this (session, device, seq), or null. */
  async frameAt(sessionId: string, deviceId: number, seq: number): Promise<VitalsSample | null> {
    const r = await this.db.selectFrom('vitals').select(['t', ...VITAL_FIELDS]).where('session_id', '=', sessionId).where('device_id', '=', deviceId).where('seq', '=', seq).executeTakeFirst();
    return r ? toSample(r) : null;
  }
}
