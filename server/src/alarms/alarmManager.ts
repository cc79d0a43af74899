import {
  formatSource,
  type Alarm,
  type AlarmTransition,
  type AlarmUpdate,
  type RuleTransition,
} from '@infusion/shared';
import type { AlarmRepo } from '../persistence/alarmRepo';
import { isStorageError } from '../persistence/storageErrors';
import type { WriteQueue } from '../persistence/writeQueue';
import type { Tx } from '../persistence/store';
import type { Clock } from '../util/clock';
import { conflict, notFound } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';

export interface AlarmLifecycleConfig {
  /** Minimum re-raise interval: a cleared condition resolves only after this long, so a flapping value re-arms the same alarm instead of raising new ones. */
  reArmMs: number;
  /** An acknowledged alarm whose condition lasts this long sounds again. */
  reminderMs: number;
}

/** Alarm transitions held in memory while storage fails; beyond this they are still shown but not kept. */
export const MAX_HELD_ALARM_WRITES = 10_000;

interface Held {
  update: AlarmUpdate;
  actor: string | null;
}

/**
 * Alarm lifecycle: active → acknowledged → resolved, with latching.
 * - A non-latching alarm resolves when its condition has stayed clear for the re-arm interval.
 * - A latching alarm whose condition clears stays shown (state active) until acknowledged.
 * - Acknowledging silences audio; the alarm stays shown while its condition lasts.
 * Every transition is committed (write queue) before it is emitted, except while storage fails:
 * then it is emitted at once marked `recorded: false` (a patient's alarm is never held back by a full
 * disk) and held in memory, in event order, until `flushHeld` writes it once storage is back.
 */
export class AlarmManager {
  /** Unresolved alarms by `${sessionId}\u0000${ruleId}`. */
  private readonly open = new Map<string, Alarm>();
  /** Highest ids this node has seen (its own, other nodes', stored): ids for transitions shown while storage fails. */
  private lastAlarmId: number;
  private lastEventId: number;
  /** Transitions shown but not yet written, by event id. */
  private held: Held[] = [];
  private heldDropped = 0;

  constructor(
    private readonly repo: AlarmRepo,
    private readonly queue: WriteQueue,
    private readonly hub: Hub,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly cfg: AlarmLifecycleConfig = { reArmMs: 0, reminderMs: 5 * 60_000 },
    private readonly storage: { readonly ok: boolean } = { ok: true },
  ) {
    // Ids come from the database (unique across nodes): an alarm's when it is raised (it is referenced
    // before its batch commits), an event's when it is written.
    const max = repo.maxIds();
    this.lastAlarmId = max.alarmId;
    this.lastEventId = max.eventId;
    for (const a of repo.unresolved()) this.open.set(key(a.sessionId, a.ruleId), a);
  }

  unresolved(): Alarm[] {
    return [...this.open.values()].sort((a, b) => a.id - b.id);
  }

  apply(session: { id: string; unit: string; simulated: boolean; ruleSetVersion: number }, transitions: RuleTransition[]): void {
    const { id: sessionId, unit, simulated, ruleSetVersion } = session;
    for (const tr of transitions) {
      const k = key(sessionId, tr.rule.id);
      const existing = this.open.get(k);
      if (tr.type === 'fire') {
        const base: Alarm = existing ?? {
          id: this.newAlarmId(),
          sessionId,
          unit,
          ruleId: tr.rule.id,
          ruleSetVersion,
          priority: tr.rule.priority,
          kind: tr.rule.category,
          title: tr.rule.title,
          message: tr.message,
          field: 'field' in tr.rule ? tr.rule.field : null,
          value: tr.value,
          limit: tr.limit,
          state: 'active',
          latching: tr.rule.latching,
          conditionActive: true,
          startedAt: tr.t,
          conditionClearedAt: null,
          acknowledgedAt: null,
          acknowledgedBy: null,
          resolvedAt: null,
          simulated,
          actions: tr.rule.actions,
          rescue: tr.rule.rescue,
          source: formatSource(tr.rule.source),
        };
        const alarm: Alarm = { ...base, message: tr.message, value: tr.value, conditionActive: true, conditionClearedAt: null };
        this.commit(alarm, 'raised', tr.t, null).catch(logged);
      } else if (existing) {
        const cleared = { ...existing, conditionActive: false, conditionClearedAt: tr.t, value: tr.value };
        const latched = existing.latching && existing.state === 'active';
        if (!latched && this.cfg.reArmMs === 0) this.commit({ ...cleared, state: 'resolved', resolvedAt: tr.t }, 'resolved', tr.t, null).catch(logged);
        else this.commit(cleared, 'condition_cleared', tr.t, null).catch(logged);
      }
    }
  }

  async acknowledge(alarmId: number, actor: string): Promise<Alarm> {
    const alarm = [...this.open.values()].find((a) => a.id === alarmId);
    if (!alarm) {
      // Either never existed or already resolved: say which.
      if (alarmId > 0 && this.repo.exists(alarmId)) throw conflict(`alarm ${alarmId} is already resolved`);
      throw notFound(`alarm ${alarmId}`);
    }
    if (alarm.state === 'acknowledged') throw conflict(`alarm ${alarmId} is already acknowledged by ${alarm.acknowledgedBy}`);
    const now = this.clock.now();
    const acked: Alarm = { ...alarm, acknowledgedAt: now, acknowledgedBy: actor };
    const next: Alarm = alarm.conditionActive ? { ...acked, state: 'acknowledged' } : { ...acked, state: 'resolved', resolvedAt: now };
    await this.commit(next, next.state === 'resolved' ? 'resolved' : 'acknowledged', now, actor);
    return next;
  }

  /**
   * Another node committed an alarm change: keep this node's view (snapshots, acknowledge) current.
   */
  applyRemote(u: AlarmUpdate): void {
    const a = u.alarm;
    this.seen(a.id, u.eventId);
    const k = key(a.sessionId, a.ruleId);
    const mine = this.open.get(k);
    // An older event of the same alarm arriving late must not roll it back.
    if (mine && mine.id === a.id && rank(mine.state) > rank(a.state)) return;
    if (a.state === 'resolved') {
      if (mine?.id === a.id) this.open.delete(k);
    } else this.open.set(k, a);
  }

  /** This node took the session over: its unresolved alarms as stored (the previous node committed them). */
  adoptSession(sessionId: string): void {
    for (const [k, a] of this.open) if (a.sessionId === sessionId) this.open.delete(k);
    for (const a of this.repo.unresolved()) if (a.sessionId === sessionId) this.open.set(key(a.sessionId, a.ruleId), a);
    const max = this.repo.maxIds();
    this.seen(max.alarmId, max.eventId);
  }

  private seen(alarmId: number, eventId: number): void {
    if (alarmId > this.lastAlarmId) this.lastAlarmId = alarmId;
    if (eventId > this.lastEventId) this.lastEventId = eventId;
  }

  /**
   * A new alarm's id from the database. While storage refuses writes the alarm is still raised (shown,
   * held): it takes the next id past every one this node has seen, written with it once storage is back.
   */
  private newAlarmId(): number {
    try {
      const id = this.repo.reserveAlarmId(this.lastAlarmId);
      this.seen(id, 0);
      return id;
    } catch (err) {
      if (!isStorageError(err)) throw err;
      return ++this.lastAlarmId;
    }
  }

  /** Server-time housekeeping, every second: resolve what stayed clear past the re-arm interval; remind. Only the sessions this node evaluates. */
  tick(now = this.clock.now(), owns: (sessionId: string) => boolean = () => true): void {
    for (const a of [...this.open.values()]) {
      if (!owns(a.sessionId)) continue;
      const latched = a.latching && a.state === 'active';
      if (!a.conditionActive && !latched && a.conditionClearedAt !== null && now - a.conditionClearedAt >= this.cfg.reArmMs) {
        this.commit({ ...a, state: 'resolved', resolvedAt: now }, 'resolved', now, null).catch(logged);
      } else if (a.state === 'acknowledged' && a.conditionActive && a.acknowledgedAt !== null && now - a.acknowledgedAt >= this.cfg.reminderMs) {
        this.commit({ ...a, state: 'active' }, 'reminder', now, null).catch(logged);
      }
    }
  }

  /** Ending a session resolves whatever it still shows. */
  resolveSession(sessionId: string): void {
    const now = this.clock.now();
    for (const a of [...this.open.values()])
      if (a.sessionId === sessionId) this.commit({ ...a, state: 'resolved', resolvedAt: now }, 'resolved', now, 'session-end').catch(logged);
  }

  /** What is held: the count, and the alarms concerned (the screens mark them "not yet recorded"). */
  heldInfo(): { count: number; alarmIds: number[] } {
    return { count: this.held.length, alarmIds: [...new Set(this.held.map((h) => h.update.alarm.id))] };
  }

  /**
   * Writes the held transitions in order (storage is back). Rejects, keeping them held, while storage
   * still fails. Transitions raised meanwhile are held behind them and written in the same call.
   */
  async flushHeld(): Promise<void> {
    while (this.held.length > 0) {
      const batch = this.held;
      this.held = [];
      try {
        // One op: the whole backlog commits in one transaction, or none of it does.
        await this.queue.enqueue(async (trx) => {
          for (const h of batch) await this.repo.write(trx, h.update, h.actor);
        });
      } catch (err) {
        if (isStorageError(err)) {
          this.held = [...batch, ...this.held];
          throw err;
        }
        // Not the disk: one bad row must not block the rest. Write each alone; log what cannot be.
        const results = await Promise.allSettled(batch.map((h) => this.queue.enqueue((trx) => this.repo.write(trx, h.update, h.actor))));
        const lost = batch.filter((_, i) => results[i]!.status === 'rejected');
        if (lost.length) this.log.error({ err, eventIds: lost.map((h) => h.update.eventId) }, 'held alarm transitions could not be stored');
      }
      this.log.info({ count: batch.length, firstEventId: batch[0]!.update.eventId, lastEventId: batch.at(-1)!.update.eventId }, 'held alarm transitions committed');
    }
    if (this.heldDropped > 0) {
      this.log.error({ dropped: this.heldDropped }, 'alarm transitions beyond the held limit were shown but never stored');
      this.heldDropped = 0;
    }
  }

  private commit(alarm: Alarm, transition: AlarmTransition, at: number, actor: string | null): Promise<void> {
    const k = key(alarm.sessionId, alarm.ruleId);
    if (alarm.state === 'resolved') this.open.delete(k);
    else this.open.set(k, alarm);
    const draft = { transition, at, alarm };
    // Storage known to fail, or older transitions still held: hold this one behind them (order kept).
    if (!this.storage.ok || this.held.length > 0) {
      this.hold(draft, actor);
      return Promise.resolve();
    }
    // The op may run again alone if its batch fails for another op: the id is the committed run's.
    let eventId = 0;
    const write = async (trx: Tx) => {
      eventId = await this.repo.write(trx, draft, actor);
    };
    return this.queue.enqueue(write).then(
      () => {
        this.seen(alarm.id, eventId);
        this.hub.emit('alarm', { eventId, ...draft });
      },
      (err: unknown) => {
        if (isStorageError(err)) return this.hold(draft, actor);
        this.log.error({ err, alarmId: alarm.id }, 'alarm transition could not be stored');
        throw err;
      },
    );
  }

  /** Shows a transition that could not be written yet, and keeps it (bounded) to write later. */
  private hold(draft: Omit<AlarmUpdate, 'eventId'>, actor: string | null): void {
    // Shown now, so it needs an event id now: the next past every id seen, written with it later.
    const update: AlarmUpdate = { eventId: ++this.lastEventId, ...draft };
    if (this.held.length < MAX_HELD_ALARM_WRITES) {
      let i = this.held.length;
      while (i > 0 && this.held[i - 1]!.update.eventId > update.eventId) i--;
      this.held.splice(i, 0, { update, actor });
    } else if (this.heldDropped++ === 0) {
      this.log.error({ limit: MAX_HELD_ALARM_WRITES }, 'held alarm transitions at their limit: later ones are shown but not kept');
    }
    this.hub.emit('alarm', { ...update, recorded: false });
  }
}

const key = (sessionId: string, ruleId: string) => `${sessionId}\u0000${ruleId}`;
const rank = (state: Alarm['state']) => (state === 'resolved' ? 2 : state === 'acknowledged' ? 1 : 0);
/** `commit` has already logged the failure; callers that cannot wait for it only keep the rejection from escaping. */
const logged = (): void => {};
