import type { Db } from '../persistence/db';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';

const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 5_000;
/** 1 s, 2 s, 4 s … capped at 60 s: a paging gateway that is down gets retried, not hammered. */
export const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));

interface Row {
  id: number;
  target: string;
  payload: string;
  attempts: number;
}

/**
 * Delivers pending webhook notifications from the stored outbox, with retries. Nothing is
 * fire-and-forget: each attempt's outcome is written back (status, attempts, last error, sent time).
 */
export class OutboxSender {
  private readonly sDue;
  private readonly sSent;
  private readonly sRetry;
  private readonly inFlight = new Set<number>();
  private closed = false;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly post: (url: string, body: string) => Promise<number> = defaultPost,
  ) {
    this.sDue = db.prepare("SELECT id, target, payload, attempts FROM notifications WHERE status = 'pending' AND channel = 'webhook' AND next_attempt_at <= ? ORDER BY id LIMIT 100");
    this.sSent = db.prepare("UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?");
    this.sRetry = db.prepare('UPDATE notifications SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?');
  }

  /** Stops writing results: the database is about to close (unsent rows stay pending for the next start). */
  close(): void {
    this.closed = true;
  }

  /** Sends what is due; resolves when this round's attempts have finished. */
  async tick(): Promise<void> {
    if (this.closed) return;
    const now = this.clock.now();
    const due = (this.sDue.all(now) as Row[]).filter((r) => !this.inFlight.has(r.id));
    await Promise.all(due.map((r) => this.deliver(r)));
  }

  private async deliver(r: Row): Promise<void> {
    // A simulated escalation never pages anyone (rows queued by an older version are withdrawn, not sent).
    if (isSimulated(r.payload)) return void this.sRetry.run('withdrawn', this.clock.now(), 'simulated session: not sent to a pager', r.id);
    this.inFlight.add(r.id);
    try {
      let outcome: string | null;
      try {
        const status = await this.post(r.target, r.payload);
        outcome = status >= 200 && status < 300 ? null : `HTTP ${status}`;
      } catch (err) {
        outcome = err instanceof Error ? err.message : String(err);
      }
      if (this.closed) return;
      try {
        if (outcome === null) this.sSent.run(this.clock.now(), r.id);
        else this.fail(r, outcome);
      } catch (err) {
        // The outcome could not be written (disk full): the row stays pending and is sent again later
        // (at least once). Nothing escapes this round: an escaping rejection would stop the server.
        this.log.error({ err, notificationId: r.id }, 'webhook outcome could not be stored; will send again');
      }
    } finally {
      this.inFlight.delete(r.id);
    }
  }

  private fail(r: Row, error: string): void {
    const attempts = r.attempts + 1;
    const gaveUp = attempts >= MAX_ATTEMPTS;
    this.sRetry.run(gaveUp ? 'failed' : 'pending', this.clock.now() + backoffMs(attempts), error.slice(0, 300), r.id);
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
