import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceSeqs, frameKey, sampleOfKey, SeqWindow } from './seqWindow';

const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: to - i, t: 1000 * (to - i), hr: 70 }));

/** Takes a seq and commits it, as ingest does once the frame's row is stored. */
const store = (w: SeqWindow, seq: number, key = 'k') => {
  w.add(seq, key);
  w.commit(seq);
};

describe('seq window', () => {
  it('knows a frame in flight by what it said, a committed one as stored, far older ones as unknown, and forgets a failed one', () => {
    const w = new SeqWindow(10);
    for (const s of [1, 2, 3]) w.add(s, frameKey({ t: s, hr: 70 }));
    expect(w.lookup(2)).toBe(frameKey({ t: 2, hr: 70 }));
    expect(w.lookup(4)).toBeNull();
    w.commit(2);
    // Committed: taken (never free again), what it said is in the database.
    expect(w.lookup(2)).toBe('stored');
    for (let s = 4; s <= 3000; s++) store(w, s);
    w.add(3001, 'k3001');
    expect(w.lookup(3001)).toBe('k3001');
    expect(w.lookup(2995)).toBe('stored');
    expect(w.lookup(50)).toBe('unknown');
    w.forget(3001);
    expect(w.lookup(3001)).toBeNull();
    // A committed seq cannot be forgotten: only a write that failed frees its seq.
    w.forget(3000);
    expect(w.lookup(3000)).toBe('stored');
  });

  it('never calls a taken seq free: a resend of a frame in flight or committed is refused, whatever the order', () => {
    const w = new SeqWindow(4096);
    // Out of order: 10 first, then 1..9 late, each committed; 12 taken but still in flight.
    store(w, 10);
    for (let s = 1; s <= 9; s++) store(w, s);
    w.add(12, 'k12');
    for (let s = 1; s <= 10; s++) expect(w.lookup(s)).toBe('stored');
    expect(w.lookup(12)).toBe('k12');
    // The late frame never sent yet is new: accepted.
    expect(w.lookup(11)).toBeNull();
    expect(w.lookup(0)).toBeNull();
  });

  it('accepts a late frame under a free seq anywhere in the window, and sends older ones to the database', () => {
    const w = new SeqWindow(64);
    // A stream with every seventh frame missing: each gap stays free until the late frame comes.
    for (let s = 1; s <= 3000; s++) if (s % 7 !== 0) store(w, s);
    for (let s = 3000 - 64; s <= 3000; s++) expect(w.lookup(s)).toBe(s % 7 === 0 ? null : 'stored');
    store(w, 2996);
    expect(w.lookup(2996)).toBe('stored');
    // Older than the window: only the database can tell (it holds the frame, or the seq is free).
    expect(w.lookup(10)).toBe('unknown');
    expect(w.lookup(14)).toBe('unknown');
  });

  it('stays small over a 4-hour stream at 1 Hz: no frame keys once committed, a few bitmap blocks', () => {
    const w = new SeqWindow(4096);
    let mostKeys = 0;
    let mostBlocks = 0;
    // 14,400 frames, sent in batches of 10 that commit together (keys held only while in flight).
    for (let s = 1; s <= 14_400; s += 10) {
      for (let k = s; k < s + 10; k++) w.add(k, frameKey({ t: k * 1000, hr: 70, spo2: 97, rr: 14 }));
      mostKeys = Math.max(mostKeys, w.held);
      mostBlocks = Math.max(mostBlocks, w.blocks);
      for (let k = s; k < s + 10; k++) w.commit(k);
    }
    expect(mostKeys).toBe(10);
    expect(w.held).toBe(0);
    // 4,096 seqs at 1,024 per block: at most 6 blocks (partial ones at both ends), 128 bytes of bits each.
    expect(mostBlocks).toBeLessThanOrEqual(6);
    expect(w.lookup(14_400 - 4096)).toBe('stored');
    expect(w.lookup(14_401)).toBeNull();
  });

  it('drops the key of a write whose outcome never came back once it lags a whole window behind (the database answers for it)', () => {
    const w = new SeqWindow(64);
    w.add(1, 'lost');
    for (let s = 2; s <= 2000; s++) store(w, s);
    expect(w.held).toBe(0);
    expect(w.lookup(1)).toBe('unknown');
  });

  it('answers every lookup as a model of every taken seq would, whatever the order of seqs, commits, resends and failures', () => {
    // The model: seqs in flight with their keys, committed seqs, and the floor below which the window may say 'unknown'.
    const op = fc.oneof(
      fc.record({ add: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 5_000_000 })) }),
      fc.record({ commit: fc.integer({ min: 0, max: 3000 }) }),
      fc.record({ forget: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 1, max: 2000 }), (ops, size) => {
        const w = new SeqWindow(size);
        const pending = new Map<number, string>();
        const committed = new Set<number>();
        let max = -1;
        for (const o of ops) {
          if ('add' in o) {
            // Ingest takes only a seq the window (or the database) calls free.
            if (pending.has(o.add) || committed.has(o.add)) continue;
            const key = frameKey({ t: o.add * 1000, hr: o.add % 200 });
            w.add(o.add, key);
            pending.set(o.add, key);
            max = Math.max(max, o.add);
          } else if ('commit' in o) {
            w.commit(o.commit);
            if (pending.delete(o.commit)) committed.add(o.commit);
          } else {
            w.forget(o.forget);
            pending.delete(o.forget);
          }
        }
        const floor = max - size;
        const wrong: string[] = [];
        for (const s of [...pending.keys(), ...committed, ...Array.from({ length: 3100 }, (_, i) => i), max + 1]) {
          const got = w.lookup(s);
          const key = pending.get(s);
          // Below the floor the window may say 'unknown' (the database answers) for any seq; never free for a taken one.
          // A key in flight lagging a whole window behind may have been dropped too.
          const ok =
            key !== undefined
              ? got === key || (s < floor - size && got === 'unknown')
              : committed.has(s)
                ? got === 'stored' || (s < floor && got === 'unknown')
                : got === null || (s < floor && got === 'unknown');
          if (!ok) wrong.push(`seq ${s}: ${got}`);
        }
        expect(wrong).toEqual([]);
        expect(w.held).toBeLessThanOrEqual(pending.size);
      }),
    );
  });

  it('gives back from a key exactly what the frame said, absent values as null', () => {
    const frame = { t: 1_764_568_000_123, hr: 72, sbp: 118.5, dbp: null, map: 0, spo2: 97, etco2: 38.25, rr: 14 };
    const back = sampleOfKey(frameKey(frame));
    expect(back).toEqual(frame);
    expect(sampleOfKey(frameKey({ t: 5, hr: 70 }))).toEqual({ t: 5, hr: 70, sbp: null, dbp: null, map: null, spo2: null, etco2: null, rr: null });
    // Different frames never share a key; the same frame always has the same one.
    expect(frameKey({ t: 5, hr: 70 })).toBe(frameKey({ t: 5, hr: 70, sbp: null }));
    expect(frameKey({ t: 5, hr: 70 })).not.toBe(frameKey({ t: 5, sbp: 70 }));
    expect(frameKey({ t: 5, hr: 7 })).not.toBe(frameKey({ t: 57 }));
  });

  it('accepts an out-of-order new seq inside the window', () => {
    const w = new SeqWindow(10);
    for (const s of [1, 2, 4]) store(w, s);
    expect(w.lookup(3)).toBeNull();
  });

  it('after a restart, calls every seq below the rows it reloaded unknown (the one just below included)', () => {
    // 5000 stored seqs, the window reloads the highest 4096: 905..5000.
    const w = SeqWindow.restore(4096, rows(905, 5000), 4096);
    expect(w.lookup(905)).not.toBeNull();
    expect(w.lookup(904)).toBe('unknown');
    expect(w.lookup(1)).toBe('unknown');
    expect(w.lookup(5001)).toBeNull();
  });

  it('after a restart with fewer rows than the window, knows they are all there is', () => {
    const w = SeqWindow.restore(4096, rows(1, 10), 4096);
    expect(w.lookup(0)).toBeNull();
    expect(w.lookup(10)).toBe('stored');
  });

  it('keeps one window per device, read back once on first use', async () => {
    const loaded: number[] = [];
    const seqs = new DeviceSeqs(10, (deviceId) => {
      loaded.push(deviceId);
      return Promise.resolve(deviceId === 1 ? rows(1, 3) : []);
    });
    expect(seqs.peek(1)).toBeUndefined();
    // Two frames asking at once: one read.
    const [a, b] = await Promise.all([seqs.for(1), seqs.for(1)]);
    expect(a).toBe(b);
    expect(a.lookup(2)).not.toBeNull();
    expect((await seqs.for(2)).lookup(2)).toBeNull();
    expect(seqs.peek(1)).toBe(a);
    await seqs.for(1);
    expect(loaded).toEqual([1, 2]);
  });

  it("a session opened here has nothing to read: its windows are there at once", () => {
    const seqs = new DeviceSeqs(10);
    expect(seqs.peek(7)?.lookup(1)).toBeNull();
  });
});
