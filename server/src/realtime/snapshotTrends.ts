import type { TrendPoint } from '@infusion/shared';
import { performance } from 'node:perf_hooks';
import type { VitalsRepo } from '../persistence/vitalsRepo';

/** Rows appended to a cached trend at most (a few seconds of 1 Hz data; more are bucketed). */
const MAX_APPENDED = 60;

/**
 * The snapshot's per-session trends, shared between screens for a moment: when every screen of a
 * unit reconnects at once (a server restart, a network blip), the downsampling query runs once per
 * session, not once per screen. A cached trend is topped up with the rows stored since it was built,
 * so a screen never misses the samples between the cache and its joining the live stream.
 */
export class SnapshotTrends {
  private readonly cache = new Map<string, { at: number; points: number; trend: TrendPoint[]; coveredTo: number }>();

  constructor(
    private readonly vitals: VitalsRepo,
    private readonly ttlMs = 2_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(sessionId: string, from: number, to: number, points: number): TrendPoint[] {
    const now = this.now();
    const c = this.cache.get(sessionId);
    if (c && c.points === points && now - c.at < this.ttlMs) {
      // A bucket is stamped with its first sample's time: top up from the newest row it covered, not from its stamp.
      const newer = this.vitals.window(sessionId, c.coveredTo + 1, to, MAX_APPENDED);
      return newer.length ? [...c.trend, ...newer] : c.trend;
    }
    const trend = this.vitals.window(sessionId, from, to, points);
    const coveredTo = Math.min(to, this.vitals.lastFrame(sessionId)?.t ?? from - 1);
    this.cache.set(sessionId, { at: now, points, trend, coveredTo });
    return trend;
  }

  /** Forgets entries past their time (ended sessions, quiet periods). */
  prune(): void {
    const now = this.now();
    for (const [id, c] of this.cache) if (now - c.at >= this.ttlMs) this.cache.delete(id);
  }
}
