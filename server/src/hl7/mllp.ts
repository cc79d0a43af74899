/** MLLP framing: <VT> message <FS><CR>. Bytes outside a frame are discarded. */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export const frameMllp = (message: string): Buffer => Buffer.concat([Buffer.from([VT]), Buffer.from(message, 'utf8'), Buffer.from([FS, CR])]);

/** A received frame: a whole message, or the head of one dropped for its size (still answered). */
export interface MllpItem {
  text: string;
  oversized: boolean;
}

/** Bytes kept of an oversized frame: enough for its MSH segment, so the refusal names its control id. */
const HEAD_BYTES = 4096;

/**
 * Incremental decoder for one TCP connection: feed chunks, get whole messages in order. A frame
 * larger than `maxBytes` is dropped, so a broken or hostile peer cannot grow memory without bound,
 * but its head is returned so the sender still gets an answer.
 */
export class MllpDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private inFrame = false;
  /** Skipping the rest of an oversized frame until its end. */
  private skipping = false;

  constructor(readonly maxBytes = 1 << 20) {}

  push(chunk: Buffer): MllpItem[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const items: MllpItem[] = [];
    for (;;) {
      if (this.skipping) {
        const end = this.frameEnd();
        const next = this.buf.indexOf(VT);
        if (next >= 0 && (end < 0 || next < end)) {
          // A new frame starts before the dropped one ended: stop skipping there.
          this.buf = this.buf.subarray(next);
          this.skipping = false;
          continue;
        }
        if (end < 0) {
          // Keep a possible <FS> at the very end: its <CR> may come in the next chunk.
          this.buf = this.buf.at(-1) === FS ? this.buf.subarray(this.buf.length - 1) : Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(end + 2);
        this.skipping = false;
        continue;
      }
      if (!this.inFrame) {
        const start = this.buf.indexOf(VT);
        if (start < 0) {
          this.buf = Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(start + 1);
        this.inFrame = true;
      }
      const end = this.frameEnd();
      if (end < 0) {
        if (this.buf.length > this.maxBytes) {
          items.push({ text: this.buf.subarray(0, HEAD_BYTES).toString('utf8'), oversized: true });
          this.buf = Buffer.alloc(0);
          this.inFrame = false;
          this.skipping = true;
        }
        break;
      }
      if (end > this.maxBytes) items.push({ text: this.buf.subarray(0, HEAD_BYTES).toString('utf8'), oversized: true });
      else items.push({ text: this.buf.subarray(0, end).toString('utf8'), oversized: false });
      this.buf = this.buf.subarray(end + 2);
      this.inFrame = false;
    }
    return items;
  }

  /** Index of the <FS><CR> that ends the current frame, or -1. A lone <FS> is data. */
  private frameEnd(): number {
    let from = 0;
    for (;;) {
      const i = this.buf.indexOf(FS, from);
      if (i < 0 || i + 1 >= this.buf.length) return -1;
      if (this.buf[i + 1] === CR) return i;
      from = i + 1;
    }
  }
}
