import type { VitalsFrame } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { Outbox } from './outbox';

const frame = (sessionId: string, seq: number): VitalsFrame => ({ sessionId, seq, t: 1_700_000_000_000 + seq, hr: 70 });
const fill = (o: Outbox, sessionId: string, from: number, to: number) => {
  for (let s = from; s <= to; s++) o.push(frame(sessionId, s));
};

describe('Outbox', () => {
  it('hands out the oldest frames of one session per batch, at most one batch per session in flight', () => {
    const o = new Outbox();
    fill(o, 'a', 1, 5);
    fill(o, 'b', 1, 2);
    const first = o.take(0, 3)!;
    expect(first.sessionId).toBe('a');
    expect(first.frames.map((f) => f.seq)).toEqual([1, 2, 3]);
    const second = o.take(0, 3)!;
    expect(second.sessionId).toBe('b');
    expect(o.take(0, 3)).toBeNull(); // 'a' is still in flight
    expect(o.inFlight).toBe(2);
    expect(o.size).toBe(7);
  });

  it('removes accepted, duplicate and rejected frames and keeps the rest at the head, in order', () => {
    const o = new Outbox();
    fill(o, 'a', 1, 6);
    const b = o.take(0, 5)!;
    const s = o.settle(b, { accepted: [1, 3], duplicates: [2], rejected: [{ index: 4, sessionId: 'a', seq: 5, errors: [{ field: 'hr', reason: 'bad' }] }], conflicts: [] }, 100);
    expect(s).toEqual({ accepted: 2, duplicates: 1, rejected: [{ frame: frame('a', 5), errors: [{ field: 'hr', reason: 'bad' }] }], unsettled: 1 });
    expect(o.size).toBe(2);
    // Unsettled seq 4 waits for the retry delay, then goes first, followed by 6.
    expect(o.take(99, 5)).toBeNull();
    expect(o.nextRetryAt(0)).toBe(100);
    const again = o.take(100, 5)!;
    expect(again.frames.map((f) => f.seq)).toEqual([4, 6]);
    expect(again.resent).toBe(1);
  });

  it('keeps a batch whose ack never came and sends it again first', () => {
    const o = new Outbox();
    fill(o, 'a', 1, 3);
    const b = o.take(0, 2)!;
    fill(o, 'a', 4, 4);
    o.release(b, 50);
    expect(o.take(10, 10)).toBeNull();
    o.clearDelays();
    const again = o.take(10, 10)!;
    expect(again.frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(again.resent).toBe(2);
    o.settle(again, { accepted: [3, 4], duplicates: [1, 2], rejected: [], conflicts: [] }, 0);
    expect(o.size).toBe(0);
    expect(o.take(1_000, 10)).toBeNull();
  });

  it('does not confuse equal seqs of different sessions', () => {
    const o = new Outbox();
    fill(o, 'a', 1, 2);
    fill(o, 'b', 1, 2);
    const a = o.take(0, 10)!;
    const b = o.take(0, 10)!;
    o.settle(a, { accepted: [1], duplicates: [], rejected: [], conflicts: [] }, 0);
    expect(o.size).toBe(3);
    o.settle(b, { accepted: [1, 2], duplicates: [], rejected: [], conflicts: [] }, 0);
    expect(o.size).toBe(1);
    expect(o.take(0, 10)!.frames).toEqual([frame('a', 2)]);
  });

  it('serves sessions round robin so one busy session cannot starve the others', () => {
    const o = new Outbox();
    fill(o, 'a', 1, 100);
    fill(o, 'b', 1, 1);
    const a1 = o.take(0, 10)!;
    o.settle(a1, { accepted: a1.frames.map((f) => f.seq), duplicates: [], rejected: [], conflicts: [] }, 0);
    expect(o.take(0, 10)!.sessionId).toBe('b');
  });
});
