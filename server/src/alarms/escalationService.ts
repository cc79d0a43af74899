import type { Alarm, AlarmUpdate, Escalation, EscalationLevel } from '@infusion/shared';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import { isStorageError } from '../persistence/storageErrors';
import type { Clock } from '../util/clock';
import { conflict, notFound } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';

export interface EscalationConfig {
  /** A medium alarm not acknowledged this long goes to the physicians. */
  mediumMs: number;
  /** An escalation the physicians do not acknowledge this long goes to every clinician of the unit. */
  unitMs: number;
  webhooks: string[];
}

/** Who the dashboard push of an escalation step is for (recorded in the notifications outbox). */
const dashboardTarget = (e: Escalation) => (e.simulated ? `trainers:${e.unit}` : e.level === 1 ? `physicians:${e.unit}` : `unit:${e.unit}`);

/**
 * Escalation to the second responder. Driven by alarm updates and a clock tick; every step is stored
 * (escalations + notifications outbox) before anything is sent, and survives a restart.
 * A step that cannot be stored (disk full) is not lost: it is retried every tick until it commits.
 */
export class EscalationService {
  private readonly open = new Map<number, Escalation>();
  /** Alarms waiting to open level 1: medium ones out their acknowledge window, any whose step could not be stored yet. */
  private readonly pendingMedium = new Map<number, { due: number; alarm: Alarm }>();
  /** Escalations whose closing could not be stored yet: alarmId → reason. */
  private readonly pendingClose = new Map<number, string>();
  private readonly sInsert;
  private readonly sUpdate;
  private readonly sOpen;
  private readonly sNotify;
  private readonly sGet;

  constructor(
    private readonly db: Db,
    private readonly hub: Hub,
    private readonly clock: Clock,
    private readonly audit: AuditRepo,
    private readonly log: Logger,
    private readonly cfg: EscalationConfig,
    private readonly locationOf: (sessionId: string) => string,
  ) {
    this.sInsert = db.prepare(`INSERT INTO escalations (alarm_id, session_id, unit, state, level, opened_at, next_level_at, simulated, body)
      VALUES (@alarmId, @sessionId, @unit, @state, @level, @openedAt, @nextLevelAt, @simulated, '{}')`);
    this.sUpdate = db.prepare('UPDATE escalations SET state = @state, level = @level, next_level_at = @nextLevelAt, body = @body WHERE id = @id');
    this.sOpen = db.prepare("SELECT body FROM escalations WHERE state = 'open' ORDER BY id");
    this.sGet = db.prepare('SELECT body FROM escalations WHERE id = ?');
    this.sNotify = db.prepare(`INSERT INTO notifications (escalation_id, level, channel, target, payload, status, attempts, next_attempt_at, created_at, sent_at)
      VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`);
  }

  /** After a restart: open escalations from the database, medium windows from the unresolved alarms. */
  restore(unresolved: Alarm[]): void {
    for (const r of this.sOpen.all() as { body: string }[]) {
      const e = JSON.parse(r.body) as Escalation;
      this.open.set(e.alarmId, e);
    }
    for (const a of unresolved) if (a.priority === 'medium' && a.state === 'active' && !this.open.has(a.id)) this.pendingMedium.set(a.id, { due: a.startedAt + this.cfg.mediumMs, alarm: a });
  }

  list(): Escalation[] {
    return [...this.open.values()];
  }

  onAlarm(u: AlarmUpdate): void {
    const a = u.alarm;
    const esc = this.open.get(a.id);
    if (u.transition === 'raised') {
      if (esc || this.pendingMedium.has(a.id)) return;
      if (a.priority === 'high') {
        if (!this.tryEscalate(a, 1)) this.pendingMedium.set(a.id, { due: this.clock.now(), alarm: a });
      } else if (a.priority === 'medium') this.pendingMedium.set(a.id, { due: this.clock.now() + this.cfg.mediumMs, alarm: a });
      return;
    }
    if (u.transition === 'acknowledged' || u.transition === 'resolved') this.pendingMedium.delete(a.id);
    if (!esc) return;
    if (a.state === 'resolved') this.tryClose(esc, 'alarm resolved');
    // Someone is at the bedside: no further levels, but the physicians still see and acknowledge it.
    else if (u.transition === 'acknowledged' && esc.nextLevelAt !== null) {
      if (!this.tryStore(() => this.save({ ...esc, nextLevelAt: null }), esc.alarmId)) this.open.set(esc.alarmId, { ...esc, nextLevelAt: null });
    }
  }

  /** Another node stored an escalation step (an acknowledgement, a level): this node's copy follows it. */
  applyRemote(e: Escalation): void {
    if (e.state === 'open') this.open.set(e.alarmId, e);
    else if (this.open.get(e.alarmId)?.id === e.id) this.open.delete(e.alarmId);
    this.pendingMedium.delete(e.alarmId);
  }

  /** This node took the session over: its open escalations and medium windows as stored. */
  adoptSession(sessionId: string, unresolved: Alarm[]): void {
    for (const row of this.sOpen.all() as { body: string }[]) {
      const e = JSON.parse(row.body) as Escalation;
      if (e.sessionId === sessionId) this.open.set(e.alarmId, e);
    }
    for (const a of unresolved)
      if (a.sessionId === sessionId && a.priority === 'medium' && a.state === 'active' && !this.open.has(a.id)) this.pendingMedium.set(a.id, { due: a.startedAt + this.cfg.mediumMs, alarm: a });
  }

  /** Called every second with server time: medium windows and level-2 timers that fell due, of the sessions this node evaluates. */
  tick(now = this.clock.now(), owns: (sessionId: string) => boolean = () => true): void {
    for (const [id, reason] of this.pendingClose) {
      const e = this.open.get(id);
      if (e && !owns(e.sessionId)) continue;
      if (!e) this.pendingClose.delete(id);
      else if (this.tryClose(e, reason)) this.pendingClose.delete(id);
    }
    for (const [id, p] of this.pendingMedium) {
      if (p.due > now || !owns(p.alarm.sessionId)) continue;
      // Kept (and retried next tick) while the step cannot be stored.
      if (this.tryEscalate(p.alarm, 1)) this.pendingMedium.delete(id);
    }
    for (const e of [...this.open.values()]) {
      if (e.state === 'open' && e.nextLevelAt !== null && e.nextLevelAt <= now && owns(e.sessionId)) this.tryEscalate(null, 2, e);
    }
  }

  /** Any escalation by id, open or not (null when there is none). */
  get(id: number): Escalation | null {
    const row = this.sGet.get(id) as { body: string } | undefined;
    return row ? (JSON.parse(row.body) as Escalation) : null;
  }

  acknowledge(id: number, actor: string): Escalation {
    const row = this.sGet.get(id) as { body: string } | undefined;
    if (!row) throw notFound(`escalation ${id}`);
    const e = this.open.get((JSON.parse(row.body) as Escalation).alarmId);
    if (!e || e.id !== id) throw conflict(`escalation ${id} is no longer open`);
    const now = this.clock.now();
    const next: Escalation = { ...e, state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: actor, nextLevelAt: null };
    this.save(next);
    this.audit.record({ at: now, actor, action: 'escalation.acknowledge', entity: 'escalation', entityId: String(id), before: e, after: next });
    return next;
  }

  /** Runs a storage step; false (logged) when the disk refuses it, so the caller retries it later. */
  private tryStore(step: () => void, alarmId: number): boolean {
    try {
      step();
      return true;
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.log.error({ err, alarmId }, 'escalation step could not be stored; retrying every tick');
      return false;
    }
  }

  private tryEscalate(alarm: Alarm | null, level: EscalationLevel, existing?: Escalation): boolean {
    return this.tryStore(() => this.escalate(alarm, level, existing), alarm?.id ?? existing!.alarmId);
  }

  private tryClose(e: Escalation, reason: string): boolean {
    const done = this.tryStore(() => this.close(e, reason), e.alarmId);
    if (!done) this.pendingClose.set(e.alarmId, reason);
    return done;
  }

  /** Opens level 1 for an alarm, or raises an open escalation to level 2: one transaction, nothing shown unless it commits. */
  private escalate(alarm: Alarm | null, level: EscalationLevel, existing?: Escalation): void {
    const now = this.clock.now();
    let e!: Escalation;
    this.db.transaction(() => {
      if (existing) {
        e = { ...existing, level, nextLevelAt: null };
      } else {
        const a = alarm!;
        const base = {
          alarmId: a.id,
          sessionId: a.sessionId,
          unit: a.unit,
          state: 'open' as const,
          level,
          openedAt: now,
          nextLevelAt: now + this.cfg.unitMs,
          simulated: a.simulated ? 1 : 0,
        };
        const id = Number(this.sInsert.run(base).lastInsertRowid);
        e = {
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
        };
      }
      this.sUpdate.run({ id: e.id, state: e.state, level: e.level, nextLevelAt: e.nextLevelAt, body: JSON.stringify(e) });
      // The dashboard push happens now (below); webhooks go through the outbox with retries. A simulated
      // escalation goes to the trainers' screens only: never to a pager, a physician or the whole unit.
      this.sNotify.run(e.id, level, 'dashboard', dashboardTarget(e), JSON.stringify(e), 'sent', now, now, now);
      if (!e.simulated) for (const url of this.cfg.webhooks) this.sNotify.run(e.id, level, 'webhook', url, JSON.stringify(e), 'pending', now, now, null);
    })();
    this.open.set(e.alarmId, e);
    this.log.info({ escalationId: e.id, alarmId: e.alarmId, level }, 'escalated');
    this.hub.emit('escalation', e);
  }

  private close(e: Escalation, reason: string): void {
    const now = this.clock.now();
    this.save({ ...e, state: 'closed', closedAt: now, closedReason: reason, nextLevelAt: null });
  }

  private save(e: Escalation): void {
    this.sUpdate.run({ id: e.id, state: e.state, level: e.level, nextLevelAt: e.nextLevelAt, body: JSON.stringify(e) });
    if (e.state === 'open') this.open.set(e.alarmId, e);
    else this.open.delete(e.alarmId);
    this.hub.emit('escalation', e);
  }
}
