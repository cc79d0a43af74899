import type { OutboxRepo, OutboxRow } from '../persistence/outboxRepo';
import { isStorageError } from '../persistence/storageErrors';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 5_000;
/** How long a claimed row is this node's: well past one attempt, so only a dead node's claim lapses. */
export const CLAIM_MS = 30_000;
const BATCH = 100;
/** 1 s, 2 s, 4 s … capped at 60 s: a paging gateway that is down gets retried, not hammered. */
export const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));

export interface OutboxSenderDeps {
  outbox: OutboxRepo;
  clock: Clock;
  log: Logger;
  /** This server process: the name its claims carry. */
  nodeId: string;
  post?: (url: string, body: string) => Promise<number>;
}

/**
 * Delivers pending webhook notifications from the stored outbox, with retries. Nothing is
 * fire-and-forget: each attempt's outcome is written back (status, attempts, last error, sent time).
 * Rows are claimed in the store before they are sent, so servers sharing one database never both
 * page for the same step; a claim lapses after CLAIM_MS, so a dead server's rows are sent by another.
 */
export class OutboxSender {
  private readonly outbox: OutboxRepo;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly nodeId: string;
  private readonly post: (url: string, body: string) => Promise<number>;
  private readonly inFlight = new Set<number>();
  private closed = false;

  constructor(deps: OutboxSenderDeps) {
    this.outbox = deps.outbox;
    this.clock = deps.clock;
    this.log = deps.log;
    this.nodeId = deps.nodeId;
    this.post = deps.post ?? defaultPost;
  }

  /** Stops writing results: the database is about to close (unsent rows stay pending for the next start). */
  close(): void {
    this.closed = true;
  }

  /** Sends what is due; resolves when this round's attempts have finished. */
  async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.clock.now();
    let due: OutboxRow[];
    try {
      due = await this.outbox.claimDue(this.nodeId, now, now + CLAIM_MS, BATCH);
    } catch (err) {
      if (!isStorageError(err)) throw err;
      // The store takes no writes (disk full), so nothing can be claimed: a page sent at least once
      // beats none, and with one writer failing no other server could claim these rows either.
      due = await this.outbox.due(now, BATCH);
    }
    await Promise.all(due.filter((r) => !this.inFlight.has(r.id)).map((r) => this.deliver(r)));
  }

  private async deliver(r: OutboxRow): Promise<void> {
    this.inFlight.add(r.id);
    try {
      // A simulated escalation never pages anyone (rows queued by an older version are withdrawn, not sent).
      if (isSimulated(r.payload)) return await this.outbox.markRetry(r.id, 'withdrawn', this.clock.now(), 'simulated session: not sent to a pager');
      let outcome: string | null;
      try {
        const status = await this.post(r.target, r.payload);
        outcome = status >= 200 && status < 300 ? null : `HTTP ${status}`;
      } catch (err) {
        outcome = err instanceof Error ? err.message : String(err);
      }
      if (this.closed) return;
      if (outcome === null) await this.outbox.markSent(r.id, this.clock.now());
      else await this.fail(r, outcome);
    } catch (err) {
      // The outcome could not be written (disk full): the row stays pending and is sent again once
      // its claim lapses (at least once). Nothing escapes this round: an escaping rejection would stop the server.
      this.log.error({ err, notificationId: r.id }, 'webhook outcome could not be stored; will send again');
    } finally {
      this.inFlight.delete(r.id);
    }
  }

  private async fail(r: OutboxRow, error: string): Promise<void> {
    const attempts = r.attempts + 1;
    const gaveUp = attempts >= MAX_ATTEMPTS;
    await this.outbox.markRetry(r.id, gaveUp ? 'failed' : 'pending', this.clock.now() + backoffMs(attempts), error.slice(0, 300));
    if (gaveUp) this.log.error({ notificationId: r.id, attempts, error }, 'webhook notification failed for good');
    else this.log.warn({ notificationId: r.id, attempts, error }, 'webhook notification failed; will retry');
  }
}

function isSimulated(payload: string): boolean {
  try {
    return (JSON.parse(payload) as { simulated?: unknown }).simulated === true;
  } catch {
    return false;
  }
}

async function defaultPost(url: string, body: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}
