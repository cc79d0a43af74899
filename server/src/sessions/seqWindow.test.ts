import { describe, expect, it } from 'vitest';
import { DeviceSeqs, frameKey, SeqWindow } from './seqWindow';

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
