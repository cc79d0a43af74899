import { fieldErrors, sampleOf, vitalsFrameSchema, type IngestResult, type RejectedFrame, type VitalsSample } from '@infusion/shared';
import type { SessionRepo } from '../persistence/sessionRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import { isStorageError } from '../persistence/storageErrors';
import type { WriteQueue } from '../persistence/writeQueue';
import type { SessionRules } from '../rules/sessionRules';
import type { LiveSession, SessionService } from '../sessions/sessionService';
import type { Device } from '../auth/deviceKeys';
import { frameDiff, frameKey, sampleOfKey, type SeqState } from '../sessions/seqWindow';
import type { Clock } from '../util/clock';
import { badRequest } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import type { DeviceAssignments } from './deviceAssignments';

/** Who sent a batch: the authenticated device (its key, or its registered HL7 equipment id). */
export type IngestSource = Pick<Device, 'id' | 'simulator'>;

export const MAX_FRAMES_PER_BATCH = 1000;
/** Frames stamped long before the session was opened are a device clock fault, not data. */
const MAX_BEFORE_SESSION_MS = 3_600_000;

const pick = <T>(item: unknown, k: string, type: 'string' | 'number'): T | null =>
  typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>)[k] === type ? ((item as Record<string, unknown>)[k] as T) : null;

/**
 * The one ingest path (Socket.IO devices, HTTP batches, HL7, the simulator): validate → identity
 * (the device is assigned to the session) → dedupe per (session, device, seq) → store → once
 * committed, evaluate rules → alarms. Each frame is judged alone; the answer comes after commit, and what it calls
 * accepted is exactly what was stored and evaluated. While storage fails, refused frames are still evaluated.
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
    private readonly assignments: DeviceAssignments,
    private readonly log: Logger,
  ) {}

  /**
   * Whether this node evaluates a session's rules (several nodes: the lease holder). A frame of a session
   * evaluated elsewhere is forwarded, once committed, to that node over the hub.
   */
  evaluatesHere: (sessionId: string) => boolean = () => true;

  /** Reads the device's seq window of a session into memory (after a restart), so `nextSeq` can answer. */
  async prepareSeqs(sessionId: string, deviceId: number): Promise<void> {
    await this.sessions.getLive(sessionId)?.seqs.for(deviceId);
  }

  /**
   * The next free seq of a device in a session (for sources without their own counter, such as HL7),
   * from memory once `prepareSeqs` has run. Call `ingest` in the same turn, so nothing else takes it
   * (`ingest` takes the seqs of frames whose window is in memory before it first waits).
   */
  nextSeq(sessionId: string, deviceId: number): number {
    const w = this.sessions.getLive(sessionId)?.seqs.peek(deviceId);
    return w ? w.maxSeq + 1 : 0;
  }

  /** Why a frame of a live session is refused before its seq is looked at (device not assigned, clock fault), or null. */
  private refusal(source: IngestSource, live: LiveSession, t: number, now: number): RejectedFrame['errors'] | null {
    const notAssigned = this.assignments.refusal(source, live.stored);
    if (notAssigned) return [{ field: 'sessionId', reason: notAssigned }];
    if (t > now + this.maxFutureSkewMs) return [{ field: 't', reason: `${t - now} ms ahead of the server clock (limit ${this.maxFutureSkewMs} ms)` }];
    if (t < live.stored.createdAt - MAX_BEFORE_SESSION_MS) return [{ field: 't', reason: 'more than 1 h before the session was opened' }];
    return null;
  }

  async ingest(raw: unknown, source: IngestSource): Promise<IngestResult> {
    if (!Array.isArray(raw)) throw badRequest('frames must be an array of vitals frames', [{ field: 'frames', reason: 'not an array' }]);
    if (raw.length > MAX_FRAMES_PER_BATCH)
      throw badRequest(`at most ${MAX_FRAMES_PER_BATCH} frames per batch`, [{ field: 'frames', reason: `${raw.length} frames` }]);

    const rejected: RejectedFrame[] = [];
    const duplicates: { index: number; sessionId: string; seq: number; committed: boolean }[] = [];
    const conflicts: RejectedFrame[] = [];
    const stored: { seq: number; index: number; sessionId: string; sample: VitalsSample; done: Promise<void> }[] = [];
    const now = this.clock.now();
    let needBarrier = false;

    // Frame by frame, in order. A frame waits on storage only for what memory cannot tell (a device's
    // window after a restart, a seq below it, an unknown session); between the window lookup and taking
    // the seq nothing awaits, so two batches resending one seq cannot both take it.
    for (const [index, item] of raw.entries()) {
      const reject = (errors: RejectedFrame['errors']) =>
        rejected.push({ index, sessionId: pick<string>(item, 'sessionId', 'string'), seq: pick<number>(item, 'seq', 'number'), errors });

      const parsed = vitalsFrameSchema.safeParse(item);
      if (!parsed.success) {
        reject(fieldErrors(parsed.error));
        continue;
      }
      const f = parsed.data;
      let live = this.sessions.getLive(f.sessionId);
      if (!live) {
        // Refused either way; storage only says why. (No throw here: frames of this batch are already queued.)
        const s = await this.sessionRepo.get(f.sessionId).catch(() => undefined);
        reject([{ field: 'sessionId', reason: s ? `session ended at ${new Date(s.endedAt ?? 0).toISOString()}` : s === null ? 'unknown session' : 'not an active session' }]);
        continue;
      }
      const refusal = this.refusal(source, live, f.t, now);
      if (refusal) {
        reject(refusal);
        continue;
      }

      const sample = sampleOf(f);
      const key = frameKey(sample);
      const inMemory = live.seqs.peek(source.id);
      let prior: SeqState = inMemory ? inMemory.lookup(f.seq) : 'unknown';
      /** The prior frame was read from storage: committed, so a duplicate of it needs no second read. */
      let readFromStorage = false;
      if (prior === 'unknown' || prior === 'stored') {
        // Read from storage: a committed frame (memory keeps only that its seq is taken), the device's
        // window after a restart, or a seq older than the window.
        let storedFrame: VitalsSample | null = null;
        let window;
        try {
          window = inMemory ?? (await live.seqs.for(source.id));
          const known = window.lookup(f.seq);
          if (known === 'unknown' || known === 'stored') storedFrame = await this.vitals.frameAt(f.sessionId, source.id, f.seq);
          // Another batch took this seq and committed it while that read ran: it is in storage now.
          if (!storedFrame && window.lookup(f.seq) === 'stored') storedFrame = await this.vitals.frameAt(f.sessionId, source.id, f.seq);
        } catch (err) {
          this.log.warn({ err, sessionId: f.sessionId, deviceId: source.id }, 'ingest: stored frames could not be read; frame refused');
          reject([{ field: '(storage)', reason: 'could not be checked against the stored frames; resend' }]);
          continue;
        }
        // The session may have ended meanwhile, and another batch may have taken this seq: look again.
        live = this.sessions.getLive(f.sessionId);
        if (!live) {
          reject([{ field: 'sessionId', reason: 'session ended' }]);
          continue;
        }
        prior = window.lookup(f.seq);
        if (prior === 'unknown' || prior === 'stored') {
          prior = storedFrame ? frameKey(storedFrame) : null;
          readFromStorage = storedFrame !== null;
        }
      }
      if (prior !== null) {
        // The original may still be in the queue: answer only after it is committed too.
        needBarrier = true;
        if (prior === key) {
          duplicates.push({ index, sessionId: f.sessionId, seq: f.seq, committed: readFromStorage });
          continue;
        }
        const errors = frameDiff(sampleOfKey(prior), sample);
        this.log.warn({ sessionId: f.sessionId, deviceId: source.id, seq: f.seq, fields: errors.map((e) => e.field) }, 'ingest: conflicting resend refused; the stored frame stands');
        conflicts.push({ index, sessionId: f.sessionId, seq: f.seq, errors });
        continue;
      }
      this.sessions.takeSeq(f.sessionId, source.id, f.seq, key);
      const sim = live.stored.simulated ? 1 : 0;
      const row = {
        session_id: f.sessionId,
        device_id: source.id,
        seq: f.seq,
        t: f.t,
        hr: f.hr ?? null,
        sbp: f.sbp ?? null,
        dbp: f.dbp ?? null,
        map: f.map ?? null,
        spo2: f.spo2 ?? null,
        etco2: f.etco2 ?? null,
        rr: f.rr ?? null,
        received_at: now,
        simulated: sim,
      };
      // A row, not an op: the rows queued together are written as one statement (see WriteQueue.enqueueRow).
      const done = this.queue.enqueueRow(this.vitals, row);
      stored.push({ seq: f.seq, index, sessionId: f.sessionId, sample, done });
    }

    const barrier = needBarrier ? this.queue.barrier() : Promise.resolve();
    // Awaited below, after the stored frames: handled now so a queue closed meanwhile cannot reject it unobserved.
    barrier.catch(() => {});
    const outcomes = await Promise.allSettled(stored.map((s) => s.done));
    // A session's first frames on this node wait for its rule inputs to be read, so the alarms they
    // raise are queued (and committed) before the device hears back, as for every later frame.
    await Promise.all(
      [...new Set(stored.map((s) => s.sessionId))].map((id) => {
        const live = this.sessions.getLive(id);
        return live && this.evaluatesHere(id) ? this.rules.whenRead(live) : undefined;
      }),
    );
    const accepted: number[] = [];
    const queuedBefore = this.queue.pending;
    const evaluate = (sessionId: string, sample: VitalsSample) => {
      // The engine judges a late frame at the latest event time it has seen (time never runs backwards).
      const live = this.sessions.getLive(sessionId);
      if (!live) return;
      if (this.evaluatesHere(sessionId)) this.rules.onVitals(live, sample, now);
      else this.hub.emit('frame', sessionId, sample, now);
      this.sessions.noteFrame(sessionId, sample);
      this.hub.emit('vitals', sessionId, sample);
    };
    outcomes.forEach((o, i) => {
      const s = stored[i]!;
      if (o.status === 'fulfilled') {
        accepted.push(s.seq);
        this.sessions.commitSeq(s.sessionId, source.id, s.seq);
        // Evaluated only once committed: an alarm never rests on a value the record does not hold.
        evaluate(s.sessionId, s.sample);
        return;
      }
      this.sessions.releaseSeq(s.sessionId, source.id, s.seq);
      rejected.push({ index: s.index, sessionId: s.sessionId, seq: s.seq, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] });
      // The one exception: while storage itself fails (disk full), monitoring goes on. The frame is refused
      // (the device keeps it and resends), but the patient is still judged and shown, and what it raises is
      // marked not yet recorded; a frame refused for any other reason is never evaluated.
      if (isStorageError(o.reason)) evaluate(s.sessionId, s.sample);
    });
    // The alarm transitions these frames caused are committed (and emitted) before the device hears back.
    const alarmsQueued = this.queue.pending > queuedBefore;
    await barrier;
    if (alarmsQueued) await this.queue.barrier();
    // A duplicate of a frame still queued is only as good as that frame's commit: confirm it is stored
    // (one read from storage found it already).
    const confirmed: number[] = [];
    for (const d of duplicates) {
      if (d.committed || (await this.vitals.frameAt(d.sessionId, source.id, d.seq))) confirmed.push(d.seq);
      else rejected.push({ index: d.index, sessionId: d.sessionId, seq: d.seq, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] });
    }
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, duplicates: confirmed, rejected, conflicts };
  }
}
