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

/** Seqs per block of the stored-seq bitmap: 128 bytes of bits for 1,024 frames. */
const BLOCK = 1024;

/**
 * What a window knows of a seq: the key of a frame taken and not yet committed (a string); 'stored', a
 * committed frame whose values only the database holds now; null, free; 'unknown', only the database can tell.
 */
export type SeqState = string | 'stored' | null | 'unknown';

/**
 * Remembers which sequence numbers of one (session, device) are taken, so a resent frame is recognised as
 * a duplicate (same values) or a conflict (different values) before it reaches the rules, and a late frame
 * under a free seq is accepted. A frame's values (its key) are kept only until it is committed, for the
 * resends that arrive meanwhile; once committed, the database holds them and one bit says the seq is taken.
 * A session streams for hours: keys of every committed frame would cost about 70 bytes each, the bits an
 * eighth of a byte. Every taken seq >= floor is known; below it, ask the database.
 */
export class SeqWindow {
  /** Taken, not yet committed: what each frame said. Only the frames in flight. */
  private readonly pending = new Map<number, string>();
  /** Committed seqs as bits, one Uint32Array per block of BLOCK consecutive seqs; blocks below the floor are dropped. */
  private readonly stored = new Map<number, Uint32Array>();
  /** The highest seq taken (pending or committed). */
  maxSeq = -1;
  /** Every taken seq >= floor is in memory; below it, ask the database. */
  private floor = -Infinity;

  /** `size`: how many seqs below the highest one are known without the database. */
  constructor(readonly size: number) {}

  /**
   * A window rebuilt from the database: `rows` are the highest-seq stored frames, at most `limit`.
   * Fewer than `limit` rows are all there is; otherwise only seqs from the lowest returned one up are known.
   */
  static restore(size: number, rows: readonly { seq: number }[], limit: number): SeqWindow {
    const w = new SeqWindow(size);
    for (const r of rows) {
      w.setStored(r.seq);
      if (r.seq > w.maxSeq) w.maxSeq = r.seq;
    }
    if (rows.length >= limit && rows.length > 0) w.floor = Math.min(...rows.map((r) => r.seq));
    w.prune();
    return w;
  }

  /** Frame keys held in memory: the frames taken and not yet committed (or failed). */
  get held(): number {
    return this.pending.size;
  }

  /** Bitmap blocks held in memory (each BLOCK seqs). */
  get blocks(): number {
    return this.stored.size;
  }

  lookup(seq: number): SeqState {
    const k = this.pending.get(seq);
    if (k !== undefined) return k;
    if (this.isStored(seq)) return 'stored';
    return seq < this.floor ? 'unknown' : null;
  }

  /** The seq is taken by a frame being written (`key`: what it said). */
  add(seq: number, key: string): void {
    this.pending.set(seq, key);
    if (seq > this.maxSeq) this.maxSeq = seq;
    this.prune();
  }

  /** The frame taken under `seq` is committed: its key is dropped, the seq stays taken. */
  commit(seq: number): void {
    if (this.pending.delete(seq)) this.setStored(seq);
  }

  /** A frame that could not be stored must be accepted again when the device resends it. */
  forget(seq: number): void {
    this.pending.delete(seq);
  }

  private isStored(seq: number): boolean {
    const b = Math.floor(seq / BLOCK);
    const i = seq - b * BLOCK;
    return ((this.stored.get(b)?.[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  private setStored(seq: number): void {
    const b = Math.floor(seq / BLOCK);
    const i = seq - b * BLOCK;
    let bits = this.stored.get(b);
    if (!bits) this.stored.set(b, (bits = new Uint32Array(BLOCK / 32)));
    bits[i >>> 5]! |= 1 << (i & 31);
  }

  /**
   * The floor follows the highest seq at `size` behind it; bitmap blocks wholly below it are dropped (a
   * seq there is then 'unknown': the database answers). Pending keys stay until their write settles,
   * unless one lags the floor by a whole window (a write whose outcome never came back): the database
   * answers for it too.
   */
  private prune(): void {
    const floor = this.maxSeq - this.size;
    if (floor <= this.floor) return;
    const crossed = this.floor === -Infinity || Math.floor(floor / BLOCK) > Math.floor(this.floor / BLOCK);
    this.floor = floor;
    if (!crossed) return;
    const below = Math.floor(floor / BLOCK);
    for (const b of this.stored.keys()) if (b < below) this.stored.delete(b);
    for (const seq of this.pending.keys()) if (seq < floor - this.size) this.pending.delete(seq);
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
