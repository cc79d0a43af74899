import type { LiveVitals, VitalsSample } from '@infusion/shared';

/**
 * Coalesces live vitals per session and hands them out at a fixed pace (a few Hz), so a screen
 * watching 1,000 sessions gets a handful of messages per second, not a thousand.
 */
export class LiveVitalsCoalescer {
  private pending = new Map<string, VitalsSample[]>();
  private timer: NodeJS.Timeout;

  constructor(
    intervalMs: number,
    private readonly send: (batch: LiveVitals[]) => void,
    /** Per session and push: a slow or bursty device should not flood the screen. */
    private readonly maxSamplesPerPush = 20,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  add(sessionId: string, sample: VitalsSample): void {
    let q = this.pending.get(sessionId);
    if (!q) this.pending.set(sessionId, (q = []));
    q.push(sample);
    if (q.length > this.maxSamplesPerPush) q.shift();
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const batch: LiveVitals[] = [];
    for (const [sessionId, samples] of this.pending) batch.push({ sessionId, samples });
    this.pending = new Map();
    this.send(batch);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
