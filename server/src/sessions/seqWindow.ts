import { VITAL_FIELDS, type VitalsSample } from '@infusion/shared';

/** What a frame said (event time and every value, absent = null): equal keys mean an identical resend. */
export const frameKey = (s: VitalsSample): string => JSON.stringify([s.t, ...VITAL_FIELDS.map((f) => s[f] ?? null)]);

export function sampleOfKey(key: string): VitalsSample {
  const [t, ...values] = JSON.parse(key) as [number, ...(number | null)[]];
  const s: VitalsSample = { t };
  VITAL_FIELDS.forEach((f, i) => (s[f] = values[i] ?? null));
  return s;
}

/** The fields in which two frames with the same seq differ, for a conflict answer. */
export function frameDiff(stored: VitalsSample, sent: VitalsSample): { field: string; reason: string }[] {
  const out: { field: string; reason: string }[] = [];
  for (const f of ['t', ...VITAL_FIELDS] as const) {
    const a = stored[f] ?? null;
    const b = sent[f] ?? null;
    if (a !== b) out.push({ field: f, reason: `seq already stored with ${f} ${a === null ? 'null' : a}, resent with ${b === null ? 'null' : b}` });
  }
  return out;
}

/**
 * Remembers which sequence numbers of one (session, device) are taken and what each frame said,
 * so a resent frame is recognised as a duplicate (same values) or a conflict (different values)
 * before it reaches the rules. Keeps a recent window in memory; seqs below `floor` may be stored
 * without being remembered, so for them the caller asks the database.
 */
export class SeqWindow {
  private readonly seen = new Map<number, string>();
  maxSeq = -1;
  /** Every taken seq >= floor is in memory; below it, ask the database. */
  private floor = -Infinity;

  constructor(readonly size: number) {}

  /**
   * A window rebuilt from the database: `rows` are the highest-seq stored frames, at most `limit`.
   * Fewer than `limit` rows are all there is; otherwise only seqs from the lowest returned one up are known.
   */
  static restore(size: number, rows: ({ seq: number } & VitalsSample)[], limit: number): SeqWindow {
    const w = new SeqWindow(size);
    for (const r of rows) w.add(r.seq, frameKey(r));
    if (rows.length >= limit && rows.length > 0) w.floor = Math.max(w.floor, Math.min(...rows.map((r) => r.seq)));
    return w;
  }

  /** The key of the frame stored under this seq; null if it is free; 'unknown' if only the database can tell. */
  lookup(seq: number): string | null | 'unknown' {
    const k = this.seen.get(seq);
    if (k !== undefined) return k;
    return seq < this.floor ? 'unknown' : null;
  }

  /** A frame that could not be stored must be accepted again when the device resends it. */
  forget(seq: number): void {
    this.seen.delete(seq);
  }

  add(seq: number, key: string): void {
    this.seen.set(seq, key);
    if (seq > this.maxSeq) this.maxSeq = seq;
    if (this.seen.size > this.size * 2) {
      const floor = this.maxSeq - this.size;
      for (const s of this.seen.keys()) if (s < floor) this.seen.delete(s);
      this.floor = Math.max(this.floor, floor);
    }
  }
}

/**
 * The duplicate windows of one session, one per device (a seq is the device's own counter). Kept in
 * memory, so a frame is checked without a query; a device's window of a session restored from storage
 * is read back once, when its first frame arrives.
 */
export class DeviceSeqs {
  private readonly byDevice = new Map<number, SeqWindow>();
  private readonly loading = new Map<number, Promise<SeqWindow>>();

  constructor(
    private readonly size: number,
    /** The device's highest-seq stored frames of this session, at most n; none for a session opened here (nothing stored yet). */
    private readonly load: ((deviceId: number, n: number) => Promise<({ seq: number } & VitalsSample)[]>) | null = null,
  ) {}

  /** The device's window if it is in memory (or needs no reading), else undefined: then `for` reads it. */
  peek(deviceId: number): SeqWindow | undefined {
    let w = this.byDevice.get(deviceId);
    if (!w && !this.load) this.byDevice.set(deviceId, (w = new SeqWindow(this.size)));
    return w;
  }

  /** The device's window, read back from storage the first time (one read however many frames ask at once). */
  for(deviceId: number): Promise<SeqWindow> {
    const w = this.peek(deviceId);
    if (w) return Promise.resolve(w);
    let p = this.loading.get(deviceId);
    if (!p) {
      const load = this.load!;
      p = load(deviceId, this.size).then(
        (rows) => {
          this.loading.delete(deviceId);
          // Seqs taken while the read was in flight cannot exist: nothing adds to a window before it is here.
          const restored = SeqWindow.restore(this.size, rows, this.size);
          this.byDevice.set(deviceId, restored);
          return restored;
        },
        (err: unknown) => {
          this.loading.delete(deviceId);
          throw err;
        },
      );
      this.loading.set(deviceId, p);
    }
    return p;
  }
}
