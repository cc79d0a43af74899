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

  /** Seqs held in memory (at most the window and an eighth of it). */
  get held(): number {
    return this.seen.size;
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
    // Pruned once it holds an eighth more than the window (not twice as much): a session streams for hours,
    // so the window is full most of its life and this slack is kept per session, per device.
    if (this.seen.size > this.size + Math.max(1, this.size >> 3)) {
      const floor = this.maxSeq - this.size;
      for (const s of this.seen.keys()) if (s < floor) this.seen.delete(s);
      this.floor = Math.max(this.floor, floor);
    }
  }
}

/** The duplicate windows of one session, one per device (a seq is the device's own counter). */
export class DeviceSeqs {
  private readonly byDevice = new Map<number, SeqWindow>();

  constructor(
    private readonly size: number,
    /** The device's highest-seq stored frames of this session, at most n (empty for a new session). */
    private readonly load: (deviceId: number, n: number) => ({ seq: number } & VitalsSample)[] = () => [],
  ) {}

  for(deviceId: number): SeqWindow {
    let w = this.byDevice.get(deviceId);
    if (!w) this.byDevice.set(deviceId, (w = SeqWindow.restore(this.size, this.load(deviceId, this.size), this.size)));
    return w;
  }
}
