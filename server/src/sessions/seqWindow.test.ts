import { describe, expect, it } from 'vitest';
import { SeqWindow } from './seqWindow';

describe('seq window', () => {
  it('knows recent seqs, calls far older ones unknown, and forgets a failed one', () => {
    const w = new SeqWindow(10, [1, 2, 3]);
    expect(w.check(2)).toBe('seen');
    expect(w.check(4)).toBe('new');
    for (let s = 4; s <= 100; s++) w.add(s);
    expect(w.check(100)).toBe('seen');
    expect(w.check(95)).toBe('seen');
    expect(w.check(50)).toBe('unknown');
    w.forget(100);
    expect(w.check(100)).toBe('new');
  });
  it('accepts an out-of-order new seq inside the window', () => {
    const w = new SeqWindow(10, [1, 2, 4]);
    expect(w.check(3)).toBe('new');
  });
});
