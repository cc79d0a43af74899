import { createHash } from 'node:crypto';
import type { Db } from '../persistence/db';
import type { WriteQueue } from '../persistence/writeQueue';
import type { Hl7Message } from './message';

export interface LoggedAnswer {
  digest: string;
  code: 'AA' | 'AE' | 'AR';
  text: string;
}

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
  private readonly sGet;

  constructor(
    db: Db,
    private readonly queue: WriteQueue,
  ) {
    this.sGet = db.prepare('SELECT digest, ack_code code, ack_text text FROM hl7_messages WHERE device_id = ? AND control_id = ?');
  }

  get(deviceId: number, controlId: string): LoggedAnswer | null {
    return (this.sGet.get(deviceId, controlId) as LoggedAnswer | undefined) ?? null;
  }

  /** Committed before the ACK goes out. */
  record(deviceId: number, controlId: string, sessionId: string, answer: LoggedAnswer, at: number): Promise<void> {
    return this.queue.enqueue((trx) =>
      trx
        .insertInto('hl7_messages')
        .values({ device_id: deviceId, control_id: controlId, digest: answer.digest, session_id: sessionId, ack_code: answer.code, ack_text: answer.text, received_at: at })
        .onConflict((oc) => oc.doNothing())
        .execute(),
    );
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
