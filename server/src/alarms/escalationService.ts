import type { Alarm, AlarmUpdate, Escalation, EscalationLevel } from '@infusion/shared';
import { sql, type SelectQueryBuilder } from 'kysely';
import { insertAudit } from '../persistence/auditRepo';
import { escalationsForTakeover } from '../persistence/escalationReadRepo';
import type { Database } from '../persistence/schema';
import type { Store, Tx } from '../persistence/store';
import { isStorageError } from '../persistence/storageErrors';
import type { Clock } from '../util/clock';
import { conflict, notFound } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import { Serial } from '../util/serial';

export interface EscalationConfig {
  /** A medium alarm not acknowledged this long goes to the physicians. */
  mediumMs: number;
  /** An escalation the physicians do not acknowledge this long goes to every clinician of the unit. */
  unitMs: number;
  webhooks: string[];
}

/** Escalation steps written in one transaction at most (a burst of raises is written in several). */
const ESCALATION_BATCH = 100;

/** Level 1 opened for an alarm, or an open escalation raised to level 2. */
type EscalationStep = { alarm: Alarm; level: EscalationLevel; existing?: undefined } | { alarm: null; level: EscalationLevel; existing: Escalation };
type StepResult = 'done' | 'later' | 'failed';

/** Who the dashboard push of an escalation step is for (recorded in the notifications outbox). */
const dashboardTarget = (e: Escalation) => (e.simulated ? `trainers:${e.unit}` : e.level === 1 ? `physicians:${e.unit}` : `unit:${e.unit}`);

/**
 * Escalation to the second responder. Driven by alarm updates and a clock tick; every step is stored
 * (escalations + notifications outbox) before anything is sent, and survives a restart.
 * A step that cannot be stored (disk full) is not lost: it is retried every tick until it commits.
 * Steps run one at a time in arrival order (`serial`): an acknowledgement that arrives while the
 * escalation it stops is still being written is applied after that write, never before it.
 */
export class EscalationService {
  private readonly open = new Map<number, Escalation>();
  /** Alarms waiting to open level 1: medium ones out their acknowledge window, any whose step could not be stored yet. */
  private readonly pendingMedium = new Map<number, { from: number; waitMs: number; alarm: Alarm }>();
  /**
   * The session's time elapsed between two wall instants: wall time, except a training run's session,
   * whose escalation runs on its scenario clock (a 2-minute escalation at x60 is 2 s; none while paused).
   */
  elapsed: (sessionId: string, fromWall: number, toWall: number) => number = (_id, from, to) => to - from;
  /** Escalations whose closing could not be stored yet: alarmId → reason. */
  private readonly pendingClose = new Map<number, string>();
  private readonly steps = new Serial();
  /**
   * Alarm updates whose step is queued but not started: updates that arrive meanwhile join it, so a burst
   * (1,000 sessions raising at once) is one step and its level-1 openings one transaction per batch.
   * Any other step queued after it (acknowledge, tick, takeover) closes it: later updates run after that step.
   */
  private inbox: AlarmUpdate[] | null = null;
  /** A tick waiting in the queue: a later tick updates its time rather than piling up behind a slow store. */
  private nextTick: { now: number; owns: (sessionId: string) => boolean } | null = null;

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly cfg: EscalationConfig,
    private readonly locationOf: (sessionId: string) => string,
  ) {}

  private serial<T>(step: () => Promise<T>): Promise<T> {
    this.inbox = null;
    return this.steps.run(step);
  }

  /** Queues a step nobody awaits (alarm updates, ticks): an unexpected failure is logged. */
  private background(what: string, step: () => Promise<void>): void {
    this.serial(step).catch((err: unknown) => this.log.error({ err }, `escalation ${what} failed`));
  }

  /** Resolves once every step queued so far has run (tests, shutdown). */
  idle(): Promise<void> {
    return this.steps.idle();
  }

  private async openRows(): Promise<Escalation[]> {
    const rows = await this.store.db.selectFrom('escalations').select('body').where('state', '=', 'open').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.body) as Escalation);
  }

  /** After a restart: open escalations from the database, medium windows from the unresolved alarms. */
  async restore(unresolved: Alarm[]): Promise<void> {
    for (const e of await this.openRows()) this.open.set(e.alarmId, e);
    for (const a of unresolved) if (a.priority === 'medium' && a.state === 'active' && !this.open.has(a.id)) this.pendingMedium.set(a.id, { from: a.startedAt, waitMs: this.cfg.mediumMs, alarm: a });
  }

  list(): Escalation[] {
    return [...this.open.values()];
  }

  /**
   * Escalations acknowledged since `since` (the alarm may have resolved since, closing them), newest
   * first: read from storage, so every node and every reload lists the same ones.
   */
  async recentlyAcknowledged(since: number, limit: number): Promise<Escalation[]> {
    const rows = await this.store.db.selectFrom('escalations').select('body').where('state', '!=', 'open').where('opened_at', '>=', since).orderBy('id', 'desc').limit(limit * 10).execute();
    return rows
      .map((r) => JSON.parse(r.body) as Escalation)
      .filter((e) => e.acknowledgedAt !== null && e.acknowledgedAt >= since)
      .sort((a, b) => (b.acknowledgedAt ?? 0) - (a.acknowledgedAt ?? 0) || b.id - a.id)
      .slice(0, limit);
  }

  onAlarm(u: AlarmUpdate): void {
    if (this.inbox) return void this.inbox.push(u);
    const inbox = [u];
    this.background('step', async () => {
      if (this.inbox === inbox) this.inbox = null;
      await this.applyAlarms(inbox);
    });
    this.inbox = inbox;
  }

  /**
   * Alarm updates in arrival order. High alarms raised open level 1 together (one transaction per
   * batch); an update of an alarm whose opening is still in the batch writes the batch first, so each
   * alarm's steps keep their order.
   */
  private async applyAlarms(updates: AlarmUpdate[]): Promise<void> {
    let batch = new Map<number, Alarm>();
    const flush = async () => {
      if (batch.size === 0) return;
      const raised = [...batch.values()];
      batch = new Map();
      const now = this.clock.now();
      const results = await this.tryEscalateMany(raised.map((alarm) => ({ alarm, level: 1 as const })));
      raised.forEach((a, i) => {
        // Not stored yet (or refused): retried every tick, as a medium alarm past its window.
        if (results[i] !== 'done') this.pendingMedium.set(a.id, { from: now, waitMs: 0, alarm: a });
      });
    };
    for (const u of updates) {
      const a = u.alarm;
      if (u.transition === 'raised') {
        if (this.open.has(a.id) || this.pendingMedium.has(a.id) || batch.has(a.id)) continue;
        if (a.priority === 'high') batch.set(a.id, a);
        else if (a.priority === 'medium') this.pendingMedium.set(a.id, { from: this.clock.now(), waitMs: this.cfg.mediumMs, alarm: a });
        continue;
      }
      if (batch.has(a.id)) await flush();
      await this.applyAlarm(u);
    }
    await flush();
  }

  /** An alarm's acknowledgement or resolution: the medium window ends, an open escalation stops or closes. */
  private async applyAlarm(u: AlarmUpdate): Promise<void> {
    const a = u.alarm;
    const esc = this.open.get(a.id);
    if (u.transition === 'acknowledged' || u.transition === 'resolved') this.pendingMedium.delete(a.id);
    if (!esc) return;
    if (a.state === 'resolved') await this.tryClose(esc, 'alarm resolved');
    // Someone is at the bedside: no further levels, but the physicians still see and acknowledge it.
    else if (u.transition === 'acknowledged' && esc.nextLevelAt !== null) {
      if (!(await this.tryStore(() => this.save({ ...esc, nextLevelAt: null }), esc.alarmId))) this.open.set(esc.alarmId, { ...esc, nextLevelAt: null });
    }
  }

  /** Another node stored an escalation step (an acknowledgement, a level): this node's copy follows it. */
  applyRemote(e: Escalation): void {
    if (e.state === 'open') this.open.set(e.alarmId, e);
    else if (this.open.get(e.alarmId)?.id === e.id) this.open.delete(e.alarmId);
    this.pendingMedium.delete(e.alarmId);
  }

  /**
   * This node took sessions over: their open escalations and medium windows as stored, and the high
   * alarms the previous node raised but died before escalating (an escalation is written after its
   * alarm): those open level 1 now, or they would never be paged. An alarm with any escalation on
   * record (open, or closed by an acknowledgement) is not escalated again. One read for all the
   * sessions of a takeover (a single session is a batch of one).
   */
  adoptSessions(sessionIds: readonly string[], unresolved: Alarm[]): Promise<void> {
    return this.serial(async () => {
      const taken = new Set(sessionIds);
      const theirs = unresolved.filter((a) => taken.has(a.sessionId) && a.state === 'active');
      const highs = theirs.filter((a) => a.priority === 'high').map((a) => a.id);
      const { open, escalated } = await escalationsForTakeover(this.store, [...taken], highs);
      for (const e of open) this.open.set(e.alarmId, e);
      for (const a of theirs) {
        if (this.open.has(a.id)) continue;
        if (a.priority === 'medium') this.pendingMedium.set(a.id, { from: a.startedAt, waitMs: this.cfg.mediumMs, alarm: a });
        else if (a.priority === 'high' && !escalated.has(a.id)) this.pendingMedium.set(a.id, { from: this.clock.now(), waitMs: 0, alarm: a });
      }
    });
  }

  /** Called every second with server time: medium windows and level-2 timers that fell due, of the sessions this node evaluates. */
  tick(now = this.clock.now(), owns: (sessionId: string) => boolean = () => true): void {
    const queued = this.nextTick !== null;
    this.nextTick = { now, owns };
    if (queued) return;
    this.background('tick', async () => {
      const t = this.nextTick!;
      this.nextTick = null;
      await this.runTick(t.now, t.owns);
    });
  }

  private async runTick(now: number, owns: (sessionId: string) => boolean): Promise<void> {
    for (const [id, reason] of [...this.pendingClose]) {
      const e = this.open.get(id);
      if (e && !owns(e.sessionId)) continue;
      if (!e) this.pendingClose.delete(id);
      else if (await this.tryClose(e, reason)) this.pendingClose.delete(id);
    }
    const due = [...this.pendingMedium].filter(([, p]) => !(p.waitMs > 0 && this.elapsed(p.alarm.sessionId, p.from, now) < p.waitMs) && owns(p.alarm.sessionId));
    const opened = await this.tryEscalateMany(due.map(([, p]) => ({ alarm: p.alarm, level: 1 as const })));
    // Kept (and retried next tick) while the step cannot be stored.
    due.forEach(([id], i) => opened[i] === 'done' && this.pendingMedium.delete(id));
    // nextLevelAt is when it falls due on wall time; a session on its own time counts from the opening.
    const raise = [...this.open.values()].filter((e) => e.state === 'open' && e.nextLevelAt !== null && this.elapsed(e.sessionId, e.openedAt, now) >= e.nextLevelAt - e.openedAt && owns(e.sessionId));
    await this.tryEscalateMany(raise.map((e) => ({ alarm: null, level: 2 as const, existing: e })));
  }

  /** Any escalation by id, open or not (null when there is none). */
  async get(id: number): Promise<Escalation | null> {
    const row = await this.store.db.selectFrom('escalations').select('body').where('id', '=', id).executeTakeFirst();
    return row ? (JSON.parse(row.body) as Escalation) : null;
  }

  acknowledge(id: number, actor: string): Promise<Escalation> {
    return this.serial(async () => {
      const stored = await this.get(id);
      if (!stored) throw notFound(`escalation ${id}`);
      const e = this.open.get(stored.alarmId);
      if (!e || e.id !== id) throw conflict(`escalation ${id} is no longer open`);
      const now = this.clock.now();
      const next: Escalation = { ...e, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actor, nextLevelAt: null };
      // The acknowledgement and its audit entry commit together.
      await this.store.transaction(async (trx) => {
        await this.write(trx, next);
        await insertAudit(trx, { at: now, actor, action: 'escalation.acknowledge', entity: 'escalation', entityId: String(id), before: e, after: next });
      });
      this.applied(next);
      return next;
    });
  }

  /** Runs a storage step; false (logged) when the disk refuses it, so the caller retries it later. */
  private async tryStore(step: () => Promise<void>, alarmId: number): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.log.error({ err, alarmId }, 'escalation step could not be stored; retrying every tick');
      return false;
    }
  }

  /**
   * Escalation steps in transactions of up to ESCALATION_BATCH steps: for each step 'done' (stored, or
   * already taken by another node), 'later' (the disk refused it: logged, the caller retries it) or
   * 'failed' (anything else: logged). A batch refused for another reason than storage is not blocked by
   * one bad step: its steps are written one by one.
   */
  private async tryEscalateMany(steps: EscalationStep[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (let i = 0; i < steps.length; i += ESCALATION_BATCH) {
      const chunk = steps.slice(i, i + ESCALATION_BATCH);
      try {
        await this.escalate(chunk);
        results.push(...chunk.map((): StepResult => 'done'));
      } catch (err) {
        const alarmIds = chunk.map((x) => x.alarm?.id ?? x.existing!.alarmId);
        if (isStorageError(err)) {
          this.log.error({ err, alarmIds }, 'escalation step could not be stored; retrying every tick');
          results.push(...chunk.map((): StepResult => 'later'));
        } else if (chunk.length > 1) {
          for (const one of chunk) results.push(...(await this.tryEscalateMany([one])));
        } else {
          this.log.error({ err, alarmIds }, 'escalation step failed');
          results.push('failed');
        }
      }
    }
    return results;
  }

  private async tryClose(e: Escalation, reason: string): Promise<boolean> {
    const done = await this.tryStore(() => this.close(e, reason), e.alarmId);
    if (!done) this.pendingClose.set(e.alarmId, reason);
    return done;
  }

  /**
   * Opens level 1 for alarms, and raises open escalations to level 2: one transaction for all of them,
   * nothing shown unless it commits. Another node on the same database may have taken a step first (the
   * unique index on alarm and level, or a level already raised, acknowledged or closed there): then
   * nothing is paged again for it and this node follows the stored escalation.
   */
  private async escalate(steps: EscalationStep[]): Promise<void> {
    const now = this.clock.now();
    const { paged, taken } = await this.store.transaction(async (trx) => {
      const paged: Escalation[] = [];
      const taken: { alarmId: number; level: EscalationLevel; stored: Escalation | null }[] = [];
      for (const { existing, level } of steps) {
        if (!existing) continue;
        const e: Escalation = { ...existing, level, nextLevelAt: null };
        const raised = await trx
          .updateTable('escalations')
          .set({ state: e.state, level: e.level, next_level_at: e.nextLevelAt, body: JSON.stringify(e) })
          .where('id', '=', e.id)
          .where('state', '=', 'open')
          .where('level', '<', level)
          .executeTakeFirst();
        if (Number(raised.numUpdatedRows) > 0) paged.push(e);
        else taken.push({ alarmId: e.alarmId, level, stored: await this.storedIn(trx, (q) => q.where('id', '=', e.id)) });
      }
      const opening = steps.filter((x): x is EscalationStep & { alarm: Alarm } => !x.existing && x.alarm !== null);
      if (opening.length > 0) {
        const rows = await trx
          .insertInto('escalations')
          .values(opening.map(({ alarm: a, level }) => ({ alarm_id: a.id, session_id: a.sessionId, unit: a.unit, state: 'open', level, opened_at: now, next_level_at: now + this.cfg.unitMs, simulated: a.simulated ? 1 : 0, body: '{}' })))
          .onConflict((oc) => oc.columns(['alarm_id', 'level']).doNothing())
          .returning(['id', 'alarm_id'])
          .execute();
        const idOf = new Map(rows.map((r) => [Number(r.alarm_id), Number(r.id)]));
        const opened: Escalation[] = [];
        for (const { alarm: a, level } of opening) {
          const id = idOf.get(a.id);
          if (id === undefined) {
            taken.push({ alarmId: a.id, level, stored: await this.storedIn(trx, (q) => q.where('alarm_id', '=', a.id).where('level', '=', level)) });
            continue;
          }
          opened.push({
            id,
            alarmId: a.id,
            sessionId: a.sessionId,
            unit: a.unit,
            location: this.locationOf(a.sessionId),
            simulated: a.simulated,
            level,
            state: 'open',
            priority: a.priority,
            title: a.title,
            message: a.message,
            openedAt: now,
            nextLevelAt: now + this.cfg.unitMs,
            acknowledgedAt: null,
            acknowledgedBy: null,
            closedAt: null,
            closedReason: null,
          });
        }
        await this.writeBodies(trx, opened);
        paged.push(...opened);
      }
      // The dashboard push happens now (below); webhooks go through the outbox with retries. A simulated
      // escalation goes to the trainers' screens only: never to a pager, a physician or the whole unit.
      const notification = (e: Escalation, channel: string, target: string, status: string, sentAt: number | null) => ({
        escalation_id: e.id,
        level: e.level,
        channel,
        target,
        payload: JSON.stringify(e),
        status,
        attempts: 0,
        next_attempt_at: now,
        created_at: now,
        sent_at: sentAt,
      });
      const rows = paged.flatMap((e) => [notification(e, 'dashboard', dashboardTarget(e), 'sent', now), ...(e.simulated ? [] : this.cfg.webhooks.map((url) => notification(e, 'webhook', url, 'pending', null)))]);
      if (rows.length > 0) await trx.insertInto('notifications').values(rows).execute();
      return { paged, taken };
    });
    for (const t of taken) {
      // Already paged (or stopped) by another node: its step stands, this node's copy follows it.
      if (t.stored) this.applyRemote(t.stored);
      this.log.info({ alarmId: t.alarmId, level: t.level }, 'escalation step already taken by another node');
    }
    for (const e of paged) {
      this.open.set(e.alarmId, e);
      this.log.info({ escalationId: e.id, alarmId: e.alarmId, level: e.level }, 'escalated');
      this.hub.emit('escalation', e);
    }
  }

  /**
   * The stored bodies of escalations just opened (their ids come from the insert): one statement for
   * the batch. dialect: PostgreSQL types the column json, and a parameter assigned through CASE is text.
   */
  private async writeBodies(trx: Tx, es: Escalation[]): Promise<void> {
    if (es.length === 0) return;
    const body = (e: Escalation) => (this.store.kind === 'postgres' ? sql`CAST(${JSON.stringify(e)} AS json)` : sql`${JSON.stringify(e)}`);
    await trx
      .updateTable('escalations')
      .set({ body: sql<string>`CASE id ${sql.join(es.map((e) => sql`WHEN ${e.id} THEN ${body(e)}`), sql` `)} END` })
      .where('id', 'in', es.map((e) => e.id))
      .execute();
  }

  /** The stored escalation a query picks, read in the step's transaction. */
  private async storedIn(trx: Tx, pick: (q: SelectQueryBuilder<Database, 'escalations', { body: string }>) => SelectQueryBuilder<Database, 'escalations', { body: string }>): Promise<Escalation | null> {
    const row = await pick(trx.selectFrom('escalations').select('body')).executeTakeFirst();
    return row ? (JSON.parse(row.body) as Escalation) : null;
  }

  private close(e: Escalation, reason: string): Promise<void> {
    const now = this.clock.now();
    return this.save({ ...e, state: 'closed', closedAt: now, closedReason: reason, nextLevelAt: null });
  }

  private async write(trx: Tx, e: Escalation): Promise<void> {
    await trx.updateTable('escalations').set({ state: e.state, level: e.level, next_level_at: e.nextLevelAt, body: JSON.stringify(e) }).where('id', '=', e.id).execute();
  }

  private async save(e: Escalation): Promise<void> {
    await this.write(this.store.db, e);
    this.applied(e);
  }

  /** A committed step: this node's copy and every screen follow it. */
  private applied(e: Escalation): void {
    if (e.state === 'open') this.open.set(e.alarmId, e);
    else this.open.delete(e.alarmId);
    this.hub.emit('escalation', e);
  }
}
