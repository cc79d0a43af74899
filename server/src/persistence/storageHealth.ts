import type { StorageStatus } from '@infusion/shared';
import type { Clock } from '../util/clock';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import type { AuditRepo } from './auditRepo';
import { isStorageError, storageReason } from './storageErrors';
import type { Store } from './store';

/** Bytes each probe writes: enough to need fresh pages on a full disk, little enough to be harmless. */
const PROBE_BYTES = 16 * 1024;
const ACTOR = 'system:storage';

/**
 * Whether the database takes writes. Any write that fails with a storage error reports here; the
 * first one turns recording to `failed` (a technical alarm to every screen, 503 on /api/health).
 * While failed, a probe write runs every `probeMs`; once it commits, the work held meanwhile
 * (alarm transitions) is written in order, and only then is recording `ok` again. The outage is
 * logged when it starts and ends, and audited when it ends (the audit log is in the same database).
 */
export class StorageHealth {
  private failure: { since: number; reason: string } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private closed = false;
  /** Work to write back before recording counts as restored (rejects if storage is still failing). */
  private readonly recoverSteps: (() => Promise<void>)[] = [];
  /** Alarm transitions held in memory (set by the alarm manager). */
  held: () => { count: number; alarmIds: number[] } = () => ({ count: 0, alarmIds: [] });

  constructor(
    private readonly store: Pick<Store, 'probe'>,
    private readonly audit: AuditRepo,
    private readonly hub: Hub,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly probeMs: number,
  ) {}

  get ok(): boolean {
    return this.failure === null;
  }

  status(): StorageStatus {
    const h = this.held();
    return { recording: this.failure ? 'failed' : 'ok', since: this.failure?.since ?? null, reason: this.failure?.reason ?? null, heldAlarmWrites: h.count, unrecordedAlarmIds: h.alarmIds };
  }

  onRecover(step: () => Promise<void>): void {
    this.recoverSteps.push(step);
  }

  /** A write failed. Storage errors turn recording to failed; other errors are the caller's business. */
  report(err: unknown): void {
    if (!isStorageError(err) || this.closed) return;
    if (this.failure) return;
    this.failure = { since: this.clock.now(), reason: storageReason(err) };
    this.log.error({ err, since: this.failure.since }, 'recording failed: storage does not take writes; monitoring continues, alarms are held in memory');
    this.hub.emit('storage', this.status());
    this.timer = setInterval(() => void this.check(), this.probeMs);
    this.timer.unref();
  }

  /** Writes a probe row now (through the store: the dialect's own write); reports and resolves false when storage refuses it. */
  async probe(): Promise<boolean> {
    try {
      await this.store.probe(this.clock.now(), PROBE_BYTES);
      return true;
    } catch (err) {
      this.report(err);
      if (!isStorageError(err)) this.log.error({ err }, 'storage probe failed');
      return false;
    }
  }

  /** One recovery attempt: probe, write back what was held, then declare recording restored. */
  async check(): Promise<void> {
    if (!this.failure || this.checking || this.closed) return;
    this.checking = true;
    try {
      if (!(await this.probe())) return;
      for (const step of this.recoverSteps) await step();
      const outage = this.failure;
      const now = this.clock.now();
      this.audit.record({ at: outage.since, actor: ACTOR, action: 'storage.recording_failed', entity: 'storage', entityId: null, after: { reason: outage.reason } });
      this.audit.record({ at: now, actor: ACTOR, action: 'storage.recording_restored', entity: 'storage', entityId: null, before: outage, after: { outageMs: now - outage.since } });
      this.failure = null;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.log.warn({ since: outage.since, outageMs: now - outage.since, reason: outage.reason }, 'recording restored: held writes committed');
      this.hub.emit('storage', this.status());
    } catch (err) {
      // Still failing (the held writes or the audit did not commit): stay failed, probe again later.
      if (!isStorageError(err)) this.log.error({ err }, 'storage recovery failed');
    } finally {
      this.checking = false;
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
