import {
  formatSource,
  type Alarm,
  type AlarmTransition,
  type AlarmUpdate,
  type RuleTransition,
} from '@infusion/shared';
import type { AlarmRepo, AlarmWrite } from '../persistence/alarmRepo';
import { isStorageError } from '../persistence/storageErrors';
import type { WriteQueue } from '../persistence/writeQueue';
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
  /**
   * The session's time elapsed between two wall instants (re-arm, reminders): wall time, except a
   * training run's session, which runs on its scenario clock (and stands still while paused).
   */
  elapsed: (sessionId: string, fromWall: number, toWall: number) => number = (_id, from, to) => to - from;
  /** Unresolved alarms by `${sessionId}\u0000${ruleId}`. */
  private readonly open = new Map<string, Alarm>();
  /**
   * Alarm ids reserved in the database ahead of need: the rules raise synchronously, within one
   * evaluation, so an id must be at hand without a round trip. Refilled in the background below
   * ID_LOW; a raise that finds none waits (with every transition after it, in order) for the refill.
   */
  private ids: number[] = [];
  private refilling: Promise<void> | null = null;
  /** The last refill failed on storage: raises take ids past every id seen, as while storage fails. */
  private refillFailed = false;
  /** The highest id this node handed out without a reservation (storage failing). */
  private provisionalId = 0;
  /** Transitions waiting for alarm ids, in the order the rules produced them. */
  private waiting: { session: AlarmSession; transitions: RuleTransition[] }[] = [];
  /** Raises being re-applied after a reservation (they may wait again): the next one is sized for them. */
  private demand = 0;
  /** Ids a coming burst wants at hand (`reserveAhead`). */
  private wanted = 0;
  /** Ids handed out since the last reservation began, and that reservation's size: the next block's size follows them. */
  private handedOut = 0;
  private lastBlock = 0;
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
    this.lastAlarmId = 0;
    this.lastEventId = 0;
  }

  /**
   * Reads what storage holds (at start): the highest ids and the unresolved alarms, and reserves the
   * first block of alarm ids. Ids come from the database (unique across nodes): an alarm's when it is
   * raised (it is referenced before its batch commits), an event's when it is written.
   */
  async restore(): Promise<void> {
    const [max, open] = await Promise.all([this.repo.maxIds(), this.repo.unresolved()]);
    this.seen(max.alarmId, max.eventId);
    for (const a of open) this.open.set(key(a.sessionId, a.ruleId), a);
    this.refillIds();
    await this.refilling;
  }

  unresolved(): Alarm[] {
    return [...this.open.values()].sort((a, b) => a.id - b.id);
  }

  apply(session: AlarmSession, transitions: RuleTransition[]): void {
    // Earlier transitions wait for ids: these wait behind them, so each alarm's changes keep their order.
    if (this.waiting.length > 0) return void this.waiting.push({ session, transitions });
    const { id: sessionId, unit, simulated, ruleSetVersion } = session;
    for (let i = 0; i < transitions.length; i++) {
      const tr = transitions[i]!;
      const k = key(sessionId, tr.rule.id);
      const existing = this.open.get(k);
      if (tr.type === 'fire') {
        const id = existing ? existing.id : this.newAlarmId();
        if (id === null) {
          this.waiting.push({ session, transitions: transitions.slice(i) });
          return;
        }
        const base: Alarm = existing ?? {
          id,
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
      if (alarmId > 0 && (await this.repo.exists(alarmId))) throw conflict(`alarm ${alarmId} is already resolved`);
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

  /** What a takeover of sessions adopts: their unresolved alarms as stored (the previous node committed them), one read for all. */
  async readSessions(sessionIds: readonly string[]): Promise<{ open: Alarm[]; max: { alarmId: number; eventId: number } }> {
    const [open, max] = await Promise.all([this.repo.unresolvedOf(sessionIds), this.repo.maxIds()]);
    return { open, max };
  }

  /** This node took the sessions over: their alarms as `readSessions` read them. */
  adoptSessions(sessionIds: readonly string[], stored: { open: Alarm[]; max: { alarmId: number; eventId: number } }): void {
    const taken = new Set(sessionIds);
    for (const [k, a] of this.open) if (taken.has(a.sessionId)) this.open.delete(k);
    for (const a of stored.open) if (taken.has(a.sessionId)) this.open.set(key(a.sessionId, a.ruleId), a);
    this.seen(stored.max.alarmId, stored.max.eventId);
  }

  private seen(alarmId: number, eventId: number): void {
    if (alarmId > this.lastAlarmId) this.lastAlarmId = alarmId;
    if (eventId > this.lastEventId) this.lastEventId = eventId;
  }

  /**
   * A new alarm's id, reserved in the database ahead of need; null when none is at hand yet (the
   * caller waits for the refill). While storage refuses writes the alarm is still raised (shown,
   * held): it takes the next id past every one this node has seen, written with it once storage is back.
   */
  private newAlarmId(): number | null {
    const id = this.ids.shift();
    if (id !== undefined) this.handedOut++;
    if (this.ids.length < Math.max(ID_LOW, this.lastBlock / 2)) this.refillIds();
    if (id !== undefined) return id;
    if (!this.storage.ok || this.refillFailed) return (this.provisionalId = ++this.lastAlarmId);
    return null;
  }

  /**
   * A burst of raises is coming (a takeover: each session taken may raise at once): ids for `n` of
   * them are reserved now, in one statement, rather than a block of 16 after another while the raises wait.
   */
  reserveAhead(n: number): void {
    this.wanted = Math.min(Math.max(this.wanted, n), ID_MAX_BLOCK);
    if (this.ids.length < this.wanted) this.refillIds();
  }

  /**
   * Reserves the next ids (one reservation at a time), then applies the transitions that waited for
   * them. The block follows demand: twice the ids handed out since the last reservation began, every
   * raise waiting, and any burst announced. With a fixed block of 16 a burst waited for a round trip per
   * 16 raises, one after the other: 100 taken sessions 0.5-1.2 s, and 1,000 sessions raising within a
   * second on a loaded machine (round trips of 0.1-1.6 s) longer than the raises arrived, so no alarm was shown.
   */
  private refillIds(): void {
    if (this.refilling) return;
    const n = Math.min(ID_MAX_BLOCK, Math.max(ID_BLOCK, 2 * this.handedOut, this.demand + fires(this.waiting) + ID_LOW, this.wanted - this.ids.length));
    this.wanted = 0;
    this.handedOut = 0;
    this.lastBlock = n;
    this.refilling = this.repo
      .reserveAlarmIds(n, this.lastAlarmId)
      .then(
        (ids) => {
          this.refillFailed = false;
          // Ids this node handed out itself meanwhile (storage failing) are not handed out twice.
          this.ids.push(...ids.filter((id) => id > this.provisionalId));
          this.seen(ids.at(-1) ?? 0, 0);
        },
        (err: unknown) => {
          this.refillFailed = true;
          if (!isStorageError(err)) this.log.error({ err }, 'alarm ids could not be reserved');
        },
      )
      .finally(() => {
        this.refilling = null;
        const waiting = this.waiting;
        this.waiting = [];
        // Raises of these that find no id wait again: the next reservation is sized for all of them.
        this.demand = fires(waiting);
        for (const w of waiting) this.apply(w.session, w.transitions);
        this.demand = 0;
        // A burst announced while this reservation was under way.
        if (this.wanted > this.ids.length) this.refillIds();
      });
  }

  /** Server-time housekeeping, every second: resolve what stayed clear past the re-arm interval; remind. Only the sessions this node evaluates. */
  tick(now = this.clock.now(), owns: (sessionId: string) => boolean = () => true): void {
    for (const a of [...this.open.values()]) {
      if (!owns(a.sessionId)) continue;
      const latched = a.latching && a.state === 'active';
      if (!a.conditionActive && !latched && a.conditionClearedAt !== null && this.elapsed(a.sessionId, a.conditionClearedAt, now) >= this.cfg.reArmMs) {
        this.commit({ ...a, state: 'resolved', resolvedAt: now }, 'resolved', now, null).catch(logged);
      } else if (a.state === 'acknowledged' && a.conditionActive && a.acknowledgedAt !== null && this.elapsed(a.sessionId, a.acknowledgedAt, now) >= this.cfg.reminderMs) {
        this.commit({ ...a, state: 'active' }, 'reminder', now, null).catch(logged);
      }
    }
  }

  /** Ending a session resolves whatever it still shows. */
  resolveSession(sessionId: string): void {
    const now = this.clock.now();
    // Raises still waiting for ids would bring an ended session's alarms back.
    this.waiting = this.waiting.filter((w) => w.session.id !== sessionId);
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
    // A row of the batch (the batch's changes are written together); it may be written again alone if its
    // batch fails for another write: the event id is the committed run's.
    const row: AlarmWrite = { update: draft, actor, eventId: 0 };
    return this.queue.enqueueRow(this.repo.changes, row).then(
      () => {
        this.seen(alarm.id, row.eventId);
        this.hub.emit('alarm', { eventId: row.eventId, ...draft });
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

/** Alarm ids reserved per round trip at least, and the stock below which the next block is fetched (or half the last block). */
const ID_BLOCK = 16;
const ID_LOW = 8;
/** The most ids one reservation takes (a burst beyond it waits for another). */
const ID_MAX_BLOCK = 4096;

/** The raises among waiting transitions (an upper bound of the new ids they need: a raise of an open alarm keeps its id). */
const fires = (waiting: readonly { transitions: readonly RuleTransition[] }[]) => waiting.reduce((n, w) => n + w.transitions.filter((t) => t.type === 'fire').length, 0);

type AlarmSession = { id: string; unit: string; simulated: boolean; ruleSetVersion: number };

const key = (sessionId: string, ruleId: string) => `${sessionId}\u0000${ruleId}`;
const rank = (state: Alarm['state']) => (state === 'resolved' ? 2 : state === 'acknowledged' ? 1 : 0);
/** `commit` has already logged the failure; callers that cannot wait for it only keep the rejection from escaping. */
const logged = (): void => {};
