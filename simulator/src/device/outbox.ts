import type { FieldError, IngestResult, VitalsFrame } from '@infusion/shared';

interface Entry {
  frame: VitalsFrame;
  /** Times this frame has been emitted. */
  attempts: number;
}

/** A batch handed to the transport: frames of one session, oldest first. */
export interface Batch {
  sessionId: string;
  entries: readonly Entry[];
  frames: VitalsFrame[];
  /** Frames in this batch already emitted before (a resend). */
  resent: number;
}

export interface Settlement {
  accepted: number;
  duplicates: number;
  rejected: { frame: VitalsFrame; errors: FieldError[] }[];
  /** Frames the ack said nothing about: they stay queued and are sent again. */
  unsettled: number;
}

interface SessionQueue {
  entries: Entry[];
  inFlight: Batch | null;
  /** No new batch for this session before this time (ms), after a failure. */
  notBefore: number;
}

/**
 * Ordered store of frames not yet acknowledged, one queue per session.
 *
 * A batch holds frames of one session only: the ack names accepted and duplicate frames by seq
 * alone, which is unambiguous only within a session. At most one batch per session is in flight,
 * so a session's frames always reach the server in seq order, resends included.
 */
export class Outbox {
  private readonly queues = new Map<string, SessionQueue>();
  private count = 0;
  private flying = 0;

  /** Frames waiting or in flight. */
  get size(): number {
    return this.count;
  }

  /** Batches awaiting an ack. */
  get inFlight(): number {
    return this.flying;
  }

  push(frame: VitalsFrame): void {
    let q = this.queues.get(frame.sessionId);
    if (!q) {
      q = { entries: [], inFlight: null, notBefore: 0 };
      this.queues.set(frame.sessionId, q);
    }
    q.entries.push({ frame, attempts: 0 });
    this.count++;
  }

  /** The oldest frames of the next session that is ready, or null when none is. Marks the batch in flight. */
  take(now: number, maxFrames: number): Batch | null {
    for (const [sessionId, q] of this.queues) {
      if (q.inFlight || q.entries.length === 0 || q.notBefore > now) continue;
      const entries = q.entries.slice(0, maxFrames);
      const resent = entries.filter((e) => e.attempts > 0).length;
      for (const e of entries) e.attempts++;
      const batch: Batch = { sessionId, entries, frames: entries.map((e) => e.frame), resent };
      q.inFlight = batch;
      this.flying++;
      // Round robin: a busy session goes to the back so others are not starved.
      this.queues.delete(sessionId);
      this.queues.set(sessionId, q);
      return batch;
    }
    return null;
  }

  /** Applies an ack: accepted, duplicate, rejected and conflicting frames leave the outbox; the rest stay, in order. */
  settle(batch: Batch, result: IngestResult, retryAt: number): Settlement {
    const q = this.finish(batch);
    const accepted = new Set(result.accepted);
    const duplicates = new Set(result.duplicates);
    // A conflict (seq already stored with other values) is refused like a rejection: logged, never resent.
    const rejectedAt = new Map([...result.rejected, ...(result.conflicts ?? [])].map((r) => [r.index, r.errors] as const));
    const out: Settlement = { accepted: 0, duplicates: 0, rejected: [], unsettled: 0 };
    const done = new Set<Entry>();
    batch.entries.forEach((entry, index) => {
      const errors = rejectedAt.get(index);
      if (errors) {
        out.rejected.push({ frame: entry.frame, errors });
      } else if (accepted.has(entry.frame.seq)) {
        out.accepted++;
      } else if (duplicates.has(entry.frame.seq)) {
        out.duplicates++;
      } else {
        out.unsettled++;
        return;
      }
      done.add(entry);
    });
    if (q) {
      q.entries = q.entries.filter((e) => !done.has(e));
      if (out.unsettled > 0) q.notBefore = retryAt;
      this.count -= done.size;
      this.forgetIfEmpty(batch.sessionId, q);
    }
    return out;
  }

  /** No usable ack (timeout, disconnect, server error): the batch stays at the head of its queue. */
  release(batch: Batch, retryAt: number): void {
    const q = this.finish(batch);
    if (q) q.notBefore = retryAt;
  }

  /** Earliest future time a delayed session becomes ready again, or null if none is delayed. */
  nextRetryAt(now: number): number | null {
    let next: number | null = null;
    for (const q of this.queues.values()) {
      if (!q.inFlight && q.entries.length > 0 && q.notBefore > now && (next === null || q.notBefore < next)) next = q.notBefore;
    }
    return next;
  }

  /** After a reconnect every waiting session may send again at once. */
  clearDelays(): void {
    for (const q of this.queues.values()) q.notBefore = 0;
  }

  private finish(batch: Batch): SessionQueue | undefined {
    const q = this.queues.get(batch.sessionId);
    if (q?.inFlight === batch) {
      q.inFlight = null;
      this.flying--;
    }
    return q;
  }

  private forgetIfEmpty(sessionId: string, q: SessionQueue) {
    if (q.entries.length === 0 && !q.inFlight) this.queues.delete(sessionId);
  }
}
