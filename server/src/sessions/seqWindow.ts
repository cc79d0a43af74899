/**
 * Remembers which frame sequence numbers of one session are already taken, so a resent frame is
 * recognised as a duplicate before it reaches the rules. Keeps a recent window in memory; older
 * seqs are checked against the database by the caller.
 */
export class SeqWindow {
  private seen = new Set<number>();
  maxSeq = -1;

  constructor(
    readonly size: number,
    initial: number[] = [],
  ) {
    for (const s of initial) this.add(s);
  }

  /** 'seen', 'new', or 'unknown' (older than the window: ask the database). */
  check(seq: number): 'seen' | 'new' | 'unknown' {
    if (this.seen.has(seq)) return 'seen';
    if (seq < this.maxSeq - this.size) return 'unknown';
    return 'new';
  }

  /** A frame that could not be stored must be accepted again when the device resends it. */
  forget(seq: number): void {
    this.seen.delete(seq);
  }

  add(seq: number): void {
    this.seen.add(seq);
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (this.seen.size > this.size * 2) {
      const floor = this.maxSeq - this.size;
      for (const s of this.seen) if (s < floor) this.seen.delete(s);
    }
  }
}
