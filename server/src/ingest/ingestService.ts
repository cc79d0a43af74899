import { fieldErrors, sampleOf, vitalsFrameSchema, type IngestResult, type RejectedFrame } from '@infusion/shared';
import type { SessionRepo } from '../persistence/sessionRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { WriteQueue } from '../persistence/writeQueue';
import type { SessionRules } from '../rules/sessionRules';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';
import type { Hub } from '../util/hub';

export const MAX_FRAMES_PER_BATCH = 1000;
/** Frames stamped long before the session was opened are a device clock fault, not data. */
const MAX_BEFORE_SESSION_MS = 3_600_000;

const pick = <T>(item: unknown, k: string, type: 'string' | 'number'): T | null =>
  typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>)[k] === type ? ((item as Record<string, unknown>)[k] as T) : null;

/**
 * The one ingest path (Socket.IO devices, HTTP batches, the simulator): validate → dedupe →
 * store → evaluate rules → alarms. Each frame is judged alone; the answer comes after commit.
 */
export class IngestService {
  constructor(
    private readonly sessions: SessionService,
    private readonly sessionRepo: SessionRepo,
    private readonly vitals: VitalsRepo,
    private readonly queue: WriteQueue,
    private readonly rules: SessionRules,
    private readonly hub: Hub,
    private readonly clock: Clock,
    private readonly maxFutureSkewMs: number,
  ) {}

  async ingest(raw: unknown): Promise<IngestResult> {
    if (!Array.isArray(raw)) throw badRequest('frames must be an array of vitals frames', [{ field: 'frames', reason: 'not an array' }]);
    if (raw.length > MAX_FRAMES_PER_BATCH)
      throw badRequest(`at most ${MAX_FRAMES_PER_BATCH} frames per batch`, [{ field: 'frames', reason: `${raw.length} frames` }]);

    const rejected: RejectedFrame[] = [];
    const duplicates: number[] = [];
    const stored: { seq: number; index: number; sessionId: string; done: Promise<void> }[] = [];
    const now = this.clock.now();
    let needBarrier = false;

    raw.forEach((item, index) => {
      const reject = (errors: RejectedFrame['errors']) =>
        rejected.push({ index, sessionId: pick<string>(item, 'sessionId', 'string'), seq: pick<number>(item, 'seq', 'number'), errors });

      const parsed = vitalsFrameSchema.safeParse(item);
      if (!parsed.success) return reject(fieldErrors(parsed.error));
      const f = parsed.data;
      const live = this.sessions.getLive(f.sessionId);
      if (!live) {
        const s = this.sessionRepo.get(f.sessionId);
        return reject([{ field: 'sessionId', reason: s ? `session ended at ${new Date(s.endedAt ?? 0).toISOString()}` : 'unknown session' }]);
      }
      if (f.t > now + this.maxFutureSkewMs)
        return reject([{ field: 't', reason: `${f.t - now} ms ahead of the server clock (limit ${this.maxFutureSkewMs} ms)` }]);
      if (f.t < live.stored.createdAt - MAX_BEFORE_SESSION_MS)
        return reject([{ field: 't', reason: 'more than 1 h before the session was opened' }]);

      const seen = live.seqs.check(f.seq);
      if (seen === 'seen' || (seen === 'unknown' && this.vitals.hasSeq(f.sessionId, f.seq))) {
        duplicates.push(f.seq);
        // The original may still be in the queue: answer only after it is committed too.
        needBarrier = true;
        return;
      }
      live.seqs.add(f.seq);
      const sim = live.stored.simulated ? 1 : 0;
      const done = this.queue.enqueue(() =>
        this.vitals.insert.run(f.sessionId, f.seq, f.t, f.hr ?? null, f.sbp ?? null, f.dbp ?? null, f.map ?? null, f.spo2 ?? null, f.etco2 ?? null, f.rr ?? null, now, sim),
      );
      stored.push({ seq: f.seq, index, sessionId: f.sessionId, done });

      const sample = sampleOf(f);
      // The engine judges a late frame at the latest event time it has seen (time never runs backwards).
      this.rules.onVitals(live, sample, now);
      if (f.t >= (live.latest?.t ?? 0)) live.latest = { ...(live.latest ?? {}), ...sample };
      this.hub.emit('vitals', f.sessionId, sample);
    });

    const barrier = needBarrier ? this.queue.enqueue(() => {}) : Promise.resolve();
    const outcomes = await Promise.allSettled(stored.map((s) => s.done));
    await barrier;
    const accepted: number[] = [];
    outcomes.forEach((o, i) => {
      const s = stored[i]!;
      if (o.status === 'fulfilled') accepted.push(s.seq);
      else {
        this.sessions.getLive(s.sessionId)?.seqs.forget(s.seq);
        rejected.push({ index: s.index, sessionId: s.sessionId, seq: s.seq, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] });
      }
    });
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, duplicates, rejected };
  }
}
