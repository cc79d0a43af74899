import type { Db } from './db';
import type { Logger } from '../util/logger';
import { isStorageError } from './storageErrors';

type Op = (db: Db) => void;
interface Entry {
  op: Op;
  resolve: () => void;
  reject: (e: Error) => void;
}

/**
 * The single writer for high-rate data. Ops queue up and are committed together in one
 * transaction, at the latest `flushMs` after the first op of a batch. Each `enqueue` resolves only
 * once its op is committed, so device acks and alarm emits can wait for durability.
 */
export class WriteQueue {
  private entries: Entry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  readonly stats = { batches: 0, ops: 0, maxBatch: 0, failedOps: 0 };

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly flushMs: number,
    private readonly maxBatch = 5000,
    /** Hears every storage failure (disk full, I/O error): recording is then reported as failed. */
    private readonly onStorageError: (err: unknown) => void = () => {},
  ) {}

  enqueue(op: Op): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write queue is closed'));
    return new Promise((resolve, reject) => {
      this.entries.push({ op, resolve, reject });
      if (this.entries.length >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
    });
  }

  get pending(): number {
    return this.entries.length;
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.entries;
    if (batch.length === 0) return;
    this.entries = [];
    try {
      this.db.transaction(() => {
        for (const e of batch) e.op(this.db);
      })();
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
            this.db.transaction(() => e.op(this.db))();
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
  close(): void {
    this.flush();
    this.closed = true;
  }
}
