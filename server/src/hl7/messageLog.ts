import { createHash } from 'node:crypto';
import type { Hl7MessageRepo, LoggedAnswer } from '../persistence/hl7MessageRepo';
import type { WriteQueue } from '../persistence/writeQueue';
import type { Hl7Message } from './message';

export type { LoggedAnswer };

/** What a message says, whatever its header: every segment but MSH (a resend may restamp MSH-7). */
export const contentDigest = (msg: Hl7Message, text: string): string =>
  createHash('sha256')
    .update(
      text
        .split(/\r\n|\r|\n/)
        .filter((l) => l.length > 0 && !l.startsWith('MSH'))
        .join('\r'),
    )
    .update(msg.delimiters.field)
    .digest('hex');

/**
 * HL7 messages that stored observations, by equipment and message control id (MSH-10): a resend is
 * answered as the original was, without storing anything twice. Concurrent copies of one message
 * (two connections) share one handling.
 */
export class Hl7MessageLog {
  private readonly inflight = new Map<string, Promise<string>>();

  private readonly repo: Hl7MessageRepo;
  private readonly queue: WriteQueue;

  constructor(deps: { repo: Hl7MessageRepo; queue: WriteQueue }) {
    this.repo = deps.repo;
    this.queue = deps.queue;
  }

  get(deviceId: number, controlId: string): Promise<LoggedAnswer | null> {
    return this.repo.get(deviceId, controlId);
  }

  /** Committed before the ACK goes out. */
  record(deviceId: number, controlId: string, sessionId: string, answer: LoggedAnswer, at: number): Promise<void> {
    return this.queue.enqueue((trx) => this.repo.insert(trx, deviceId, controlId, sessionId, answer, at));
  }

  /** Runs `fn` once per (device, control id) at a time; a concurrent copy waits for the same answer. */
  once(deviceId: number, controlId: string, fn: () => Promise<string>): Promise<string> {
    if (!controlId) return fn();
    const key = `${deviceId}\u0000${controlId}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const p = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}
