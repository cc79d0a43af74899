import { VITAL_FIELDS, type VitalsSample } from '@infusion/shared';

/**
 * What a frame said (event time and every value, absent = empty), one flat string: equal keys mean an
 * identical resend. Joined, not JSON.stringify'd: V8 builds a JSON string in 32-character parts held by a
 * rope (three heap objects, about 110 bytes for a frame), and a window keeps thousands of keys per session;
 * a joined string is one object (about 64 bytes). Numbers print the same either way (shortest round trip).
 */
export const frameKey = (s: VitalsSample): string => [s.t, ...VITAL_FIELDS.map((f) => s[f] ?? null)].join(',');

export function sampleOfKey(key: string): VitalsSample {
  const [t, ...values] = key.split(',');
  const s: VitalsSample = { t: Number(t) };
  VITAL_FIELDS.forEach((f, i) => {
    const v = values[i];
    s[f] = v === undefined || v === '' ? null : Number(v);
  });
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
/** Consecutive seqs per block of the window. */
const BLOCK = 16;

export class SeqWindow {
  /**
   * Keys by seq, in blocks of 16 consecutive seqs: one map entry per block, not per frame. A session's
   * window is full (4,096 keys per device) for most of its life, and a Map of that many entries costs
   * more than the keys themselves. A device whose seqs are scattered costs one block per seq, about what
   * a map entry per seq did.
   */
  private readonly blocks = new Map<number, (string | undefined)[]>();
  private count = 0;
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

  /** Seqs held in memory (at most the window and an eighth of it). */
  get held(): number {
    return this.count;
  }

  /** The key of the frame stored under this seq; null if it is free; 'unknown' if only the database can tell. */
  lookup(seq: number): string | null | 'unknown' {
    const b = Math.floor(seq / BLOCK);
    const k = this.blocks.get(b)?.[seq - b * BLOCK];
    if (k !== undefined) return k;
    return seq < this.floor ? 'unknown' : null;
  }

  /** A frame that could not be stored must be accepted again when the device resends it. */
  forget(seq: number): void {
    const b = Math.floor(seq / BLOCK);
    const block = this.blocks.get(b);
    if (block?.[seq - b * BLOCK] === undefined) return;
    block[seq - b * BLOCK] = undefined;
    this.count--;
    if (block.every((k) => k === undefined)) this.blocks.delete(b);
  }

  add(seq: number, key: string): void {
    const b = Math.floor(seq / BLOCK);
    let block = this.blocks.get(b);
    if (!block) this.blocks.set(b, (block = new Array<string | undefined>(BLOCK).fill(undefined)));
    if (block[seq - b * BLOCK] === undefined) this.count++;
    block[seq - b * BLOCK] = key;
    if (seq > this.maxSeq) this.maxSeq = seq;
    // Pruned once it holds an eighth more than the window (not twice as much): a session streams for hours,
    // so the window is full most of its life and this slack is kept per session, per device.
    if (this.count > this.size + Math.max(1, this.size >> 3)) {
      const floor = this.maxSeq - this.size;
      for (const [id, keys] of this.blocks) {
        if (id * BLOCK >= floor) continue;
        for (let i = 0; i < BLOCK && id * BLOCK + i < floor; i++) {
          if (keys[i] === undefined) continue;
          keys[i] = undefined;
          this.count--;
        }
        if (keys.every((k) => k === undefined)) this.blocks.delete(id);
      }
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
