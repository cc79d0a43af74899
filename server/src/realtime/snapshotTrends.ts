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

  async get(sessionId: string, from: number, to: number, points: number): Promise<TrendPoint[]> {
    const now = this.now();
    const c = this.cache.get(sessionId);
    if (c && c.points === points && now - c.at < this.ttlMs) {
      // A bucket is stamped with its first sample's time: top up from the newest row it covered, not from its stamp.
      const newer = await this.vitals.window(sessionId, c.coveredTo + 1, to, MAX_APPENDED);
      return newer.length ? [...c.trend, ...newer] : c.trend;
    }
    // The newest row is read first and the trend built up to it: rows stored after it (even while the
    // trend is read) are topped up later, neither skipped nor drawn twice.
    const last = await this.vitals.lastFrame(sessionId);
    const coveredTo = Math.min(to, last?.t ?? from - 1);
    const trend = coveredTo >= from ? await this.vitals.window(sessionId, from, coveredTo, points) : [];
    this.cache.set(sessionId, { at: now, points, trend, coveredTo });
    return trend;
  }

  /** Forgets entries past their time (ended sessions, quiet periods). */
  prune(): void {
    const now = this.now();
    for (const [id, c] of this.cache) if (now - c.at >= this.ttlMs) this.cache.delete(id);
  }
}
