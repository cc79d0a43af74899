import type { Logger } from '../util/logger';
import { isStorageError } from './storageErrors';
import type { Store, Tx } from './store';

/** One write: statements against the batch's transaction. */
export type WriteOp = (trx: Tx) => Promise<unknown> | void;

/**
 * Writes rows of one table several at a time: the rows of one write batch are handed over together
 * (one multi-row INSERT on PostgreSQL instead of a round trip per row).
 */
export interface RowSink<R> {
  insertRows(trx: Tx, rows: readonly R[]): Promise<void>;
}

/** An op, a row for a sink, or a barrier (nothing to write: settles once what was queued before it is committed). */
type Work = { op: WriteOp; sink?: undefined } | { op?: undefined; sink: RowSink<unknown>; row: unknown } | { op?: undefined; sink?: undefined };
type Entry = Work & {
  resolve: () => void;
  reject: (e: Error) => void;
};

export interface WriteQueueDeps {
  store: Store;
  log: Logger;
  /** A batch commits at the latest this long after its first op. */
  flushMs: number;
  /** A batch this large commits at once. */
  maxBatch?: number;
  /** Hears every storage failure (disk full, I/O error, store unreachable): recording is then reported as failed. */
  onStorageError?: (err: unknown) => void;
}

/**
 * The entries' writes: the ops in queue order, then each sink's rows in queue order as one call, so a batch
 * costs one multi-row statement per table however its rows interleave with other ops (alarm writes fall
 * between frames). Rows therefore land after every op of their transaction: a sink is for rows no op of
 * the queue reads or needs first (vitals: no op reads them, no key refers to them; alarm changes: the
 * only op that writes alarms is the backlog held while storage failed, older than any row queued with it).
 */
async function run(trx: Tx, batch: readonly Entry[]): Promise<void> {
  const rows = new Map<RowSink<unknown>, unknown[]>();
  for (const e of batch) {
    if (e.op) await e.op(trx);
    else if (e.sink) {
      const list = rows.get(e.sink);
      if (list) list.push(e.row);
      else rows.set(e.sink, [e.row]);
    }
  }
  for (const [sink, list] of rows) await sink.insertRows(trx, list);
}

/**
 * The single writer for high-rate data. Ops queue up and are committed together in one
 * transaction, at the latest `flushMs` after the first op of a batch. Each `enqueue` resolves only
 * once its op is committed, so device acks and alarm emits can wait for durability. Batches commit
 * one after another, in the order their ops were queued.
 */
export class WriteQueue {
  private entries: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The batch being committed; the next one starts only after it settles. */
  private flushing: Promise<void> | null = null;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly onStorageError: (err: unknown) => void;
  readonly stats = { batches: 0, ops: 0, maxBatch: 0, failedOps: 0 };

  constructor(deps: WriteQueueDeps) {
    this.store = deps.store;
    this.log = deps.log;
    this.flushMs = deps.flushMs;
    this.maxBatch = deps.maxBatch ?? 5000;
    this.onStorageError = deps.onStorageError ?? (() => {});
  }

  enqueue(op: WriteOp): Promise<void> {
    return this.push({ op });
  }

  /** A row for `sink`, written with the other rows of its batch after the batch's ops; resolves once committed, as `enqueue`. */
  enqueueRow<R>(sink: RowSink<R>, row: R): Promise<void> {
    return this.push({ sink: sink as RowSink<unknown>, row });
  }

  /** Resolves once everything queued before it is committed (rejects if the queue is closed). */
  barrier(): Promise<void> {
    return this.push({});
  }

  private push(what: Work): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write queue is closed'));
    return new Promise((resolve, reject) => {
      this.entries.push({ ...what, resolve, reject });
      // A full batch commits without waiting for the window, but in a task of its own: a
      // transaction never shares its statements' turn with the caller's code.
      if (this.entries.length >= this.maxBatch) this.schedule(0);
      else this.schedule(this.flushMs);
    });
  }

  /** Ops queued and not yet being committed. */
  get pending(): number {
    return this.entries.length;
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
  }

  /** Commits what is queued now (after the batch in progress, if any). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing) await this.flushing;
    const batch = this.entries;
    if (batch.length === 0) return;
    this.entries = [];
    this.flushing = this.commit(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    // Ops queued while this batch committed: their window has run.
    if (this.entries.length > 0 && !this.timer) this.schedule(0);
  }

  private async commit(batch: Entry[]): Promise<void> {
    try {
      await this.store.transaction((trx) => run(trx, batch));
      for (const e of batch) e.resolve();
    } catch (err) {
      if (isStorageError(err)) {
        // The storage refuses writes (disk full, I/O error): no op of this batch is stored. Retrying
        // them one by one would only hammer a failing disk; callers hold or refuse them instead.
        this.onStorageError(err);
        this.stats.failedOps += batch.length;
        for (const e of batch) e.reject(err);
      } else {
        // One bad op must not lose the good ones: retry each alone; only the failing ones reject.
        this.log.error({ err, ops: batch.length }, 'batch commit failed; retrying ops one by one');
        for (const e of batch) {
          try {
            await this.store.transaction((trx) => run(trx, [e]));
            e.resolve();
          } catch (opErr) {
            if (isStorageError(opErr)) this.onStorageError(opErr);
            this.stats.failedOps++;
            e.reject(opErr instanceof Error ? opErr : new Error(String(opErr)));
          }
        }
      }
    }
    this.stats.batches++;
    this.stats.ops += batch.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, batch.length);
  }

  /** Commits what is pending; later enqueues are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
