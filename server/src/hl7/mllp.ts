/** MLLP framing: <VT> message <FS><CR>. Bytes outside a frame are discarded. */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

export const frameMllp = (message: string): Buffer => Buffer.concat([Buffer.from([VT]), Buffer.from(message, 'utf8'), Buffer.from([FS, CR])]);

/**
 * Incremental decoder for one TCP connection: feed chunks, get whole messages. A frame larger than
 * `maxBytes` is dropped and reported, so a broken or hostile peer cannot grow memory without bound.
 */
export class MllpDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private inFrame = false;

  constructor(private readonly maxBytes = 1 << 20) {}

  push(chunk: Buffer): { messages: string[]; oversized: number } {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const messages: string[] = [];
    let oversized = 0;
    for (;;) {
      if (!this.inFrame) {
        const start = this.buf.indexOf(VT);
        if (start < 0) {
          this.buf = Buffer.alloc(0);
          break;
        }
        this.buf = this.buf.subarray(start + 1);
        this.inFrame = true;
      }
      const end = this.buf.indexOf(FS);
      if (end < 0 || end + 1 >= this.buf.length) {
        if (this.buf.length > this.maxBytes) {
          oversized++;
          this.buf = Buffer.alloc(0);
          this.inFrame = false;
        }
        break;
      }
      if (this.buf[end + 1] !== CR) {
        // <FS> not followed by <CR>: not a frame end; keep scanning after it.
        this.buf = this.buf.subarray(end + 1);
        this.inFrame = false;
        continue;
      }
      if (end > this.maxBytes) oversized++;
      else messages.push(this.buf.subarray(0, end).toString('utf8'));
      this.buf = this.buf.subarray(end + 2);
      this.inFrame = false;
    }
    return { messages, oversized };
  }
}
