import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceSeqs, frameKey, sampleOfKey, SeqWindow } from './seqWindow';

const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: to - i, t: 1000 * (to - i), hr: 70 }));

describe('seq window', () => {
  it('knows recent seqs with what they said, calls far older ones unknown, and forgets a failed one', () => {
    const w = new SeqWindow(10);
    for (const s of [1, 2, 3]) w.add(s, frameKey({ t: s, hr: 70 }));
    expect(w.lookup(2)).toBe(frameKey({ t: 2, hr: 70 }));
    expect(w.lookup(4)).toBeNull();
    for (let s = 4; s <= 100; s++) w.add(s, 'k');
    expect(w.lookup(100)).toBe('k');
    expect(w.lookup(95)).toBe('k');
    expect(w.lookup(50)).toBe('unknown');
    w.forget(100);
    expect(w.lookup(100)).toBeNull();
  });

  it('holds at most the window and an eighth of it, and still knows every seq within the window', () => {
    const w = new SeqWindow(64);
    let most = 0;
    for (let s = 1; s <= 1000; s++) {
      w.add(s, frameKey({ t: s * 1000, hr: 70 }));
      most = Math.max(most, w.held);
      for (const back of [0, 32, 64]) expect(w.lookup(s - back), `seq ${s - back} after ${s}`).toBe(s - back >= 1 ? frameKey({ t: (s - back) * 1000, hr: 70 }) : null);
    }
    expect(most).toBeLessThanOrEqual(64 + 8);
    expect(w.lookup(1000 - 80)).toBe('unknown');
  });

  it('answers every lookup as a plain map of every taken seq would, whatever the order of seqs, resends and failures', () => {
    // The model: every seq ever taken and not forgotten, and the floor below which only the database can tell.
    const op = fc.oneof(
      fc.record({ add: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5_000_000 })) }),
      fc.record({ forget: fc.integer({ min: 0, max: 300 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 1, max: 40 }), (ops, size) => {
        const w = new SeqWindow(size);
        const model = new Map<number, string>();
        let max = -1;
        let floor = -Infinity;
        for (const o of ops) {
          if ('add' in o) {
            const key = frameKey({ t: o.add * 1000, hr: o.add % 200 });
            w.add(o.add, key);
            model.set(o.add, key);
            max = Math.max(max, o.add);
            if (model.size > size + Math.max(1, size >> 3)) {
              floor = Math.max(floor, max - size);
              for (const s of [...model.keys()]) if (s < max - size) model.delete(s);
            }
          } else {
            w.forget(o.forget);
            model.delete(o.forget);
          }
          expect(w.held).toBe(model.size);
        }
        for (const s of [...model.keys(), ...Array.from({ length: 320 }, (_, i) => i), max + 1]) expect(w.lookup(s)).toBe(model.get(s) ?? (s < floor ? 'unknown' : null));
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
    for (const s of [1, 2, 4]) w.add(s, 'k');
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
    expect(w.lookup(10)).toBe(frameKey({ t: 10_000, hr: 70 }));
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
