import type { Db } from './db';
import type { Logger } from '../util/logger';

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
      // One bad op must not lose the good ones: retry each alone; only the failing ones reject.
      this.log.error({ err, ops: batch.length }, 'batch commit failed; retrying ops one by one');
      for (const e of batch) {
        try {
          this.db.transaction(() => e.op(this.db))();
          e.resolve();
        } catch (opErr) {
          this.stats.failedOps++;
          e.reject(opErr instanceof Error ? opErr : new Error(String(opErr)));
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
