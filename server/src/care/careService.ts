import {
  checklistInputSchema,
  defaultFormulary,
  evaluateChecklist,
  hypertensionLimitOf,
  fieldErrors,
  formularySchema,
  observationInputSchema,
  rescueDoseInputSchema,
  checkRescue,
  orderHardCrossings,
  orderInputSchema,
  type ChecklistRecord,
  type DoseOverride,
  type Order,
  type RuleSet,
  type Formulary,
  type Observation,
  type RescueDose,
} from '@infusion/shared';
import type { StoredSession } from '../persistence/sessionRepo';
import { GuardrailLog } from './guardrailLog';
import { OrderRepo } from './orderRepo';
import { insertAudit } from '../persistence/auditRepo';
import type { ObservationRepo } from '../persistence/observationRepo';
import { readCareRecords, toRescue, type CareRecord } from '../persistence/careRecordRepo';
import type { Store } from '../persistence/store';
import { isKeyViolation } from '../persistence/storageErrors';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { Actor, SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { Serial } from '../util/serial';
import { badRequest, DomainError } from '../util/errors';
import type { Hub } from '../util/hub';

/**
 * Bedside documentation around the infusion: sedation and pain scores, the pre-infusion checklist
 * (and a physician's override of it), rescue doses linked to alarms, and the site formulary.
 */
export class CareService {
  private formulary: Formulary = defaultFormulary;
  /**
   * The checklist, current order and rescue doses of the sessions live here. The dose gate, the
   * start check and the rules' modifiers read them synchronously (per dose action, per evaluation),
   * so the module keeps them in memory: loaded at start and on takeover (`load`), refreshed before
   * each dose action (`refresh`), changed with each write here and by other nodes' events.
   */
  private readonly live = new Map<string, CareRecord>();
  /**
   * Checklist, order and formulary changes run one at a time: each reads what it changes (the next
   * order version, the checklist an order re-binds, the next formulary version) and writes it in one step.
   */
  private readonly changes = new Serial();
  readonly orders: OrderRepo;
  readonly guardrails: GuardrailLog;
  /** The session's rule set (its version, profile applied): the rescue limits come from it. Set by the app. */
  ruleSetOf: (s: StoredSession) => RuleSet | null = () => null;
  /** Told when a background read of a session's care record fails. */
  onLoadError: (err: unknown, sessionId: string) => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly obs: ObservationRepo,
    private readonly sessions: SessionService,
    private readonly vitals: VitalsRepo,
    private readonly clock: Clock,
    private readonly hub: Hub,
  ) {
    this.orders = new OrderRepo(store);
    this.guardrails = new GuardrailLog(store);
  }

  private async readFormulary(): Promise<Formulary> {
    const latest = await this.store.db.selectFrom('formulary_versions').select('body').orderBy('version', 'desc').limit(1).executeTakeFirst();
    return latest ? formularySchema.parse(JSON.parse(latest.body)) : defaultFormulary;
  }

  /** Told after this node stored a new formulary version (other nodes then reload theirs). */
  formularyChanged: () => void = () => {};

  /** At start, and when another node stored a new formulary version: read it again. */
  async reloadFormulary(): Promise<void> {
    this.formulary = await this.readFormulary();
  }

  /** Reads a session's care record from storage into memory (start, takeover, before a dose action). */
  async refresh(sessionId: string): Promise<void> {
    await this.refreshAll([sessionId]);
  }

  /** `refresh` for many sessions (a takeover): one statement per table, not three per session. */
  async refreshAll(sessionIds: readonly string[]): Promise<void> {
    for (const [id, record] of await readCareRecords(this.store, sessionIds)) this.live.set(id, record);
  }

  /** The sessions live on this node at start: their care records in memory. */
  async load(sessionIds: Iterable<string>): Promise<void> {
    for (const id of sessionIds) await this.refresh(id);
  }

  /** A session live here (opened, or changed on another node): its record is read unless already held. */
  track(sessionId: string): void {
    if (!this.live.has(sessionId)) this.refresh(sessionId).catch((err: unknown) => this.onLoadError(err, sessionId));
  }

  /** A session ended: its record leaves memory. */
  ended(sessionId: string): void {
    this.live.delete(sessionId);
  }

  /** Another node changed a session's care record: this node's copy follows its event. */
  applyRemote(e: { checklist: ChecklistRecord } | { order: Order } | { rescueDose: RescueDose }): void {
    const id = 'checklist' in e ? e.checklist.sessionId : 'order' in e ? e.order.sessionId : e.rescueDose.sessionId;
    const c = this.live.get(id);
    // Not held here: the next dose action or takeover reads it from storage.
    if (!c) return;
    if ('checklist' in e) c.checklist = e.checklist;
    else if ('order' in e) c.order = !c.order || e.order.version >= c.order.version ? e.order : c.order;
    else if (!c.rescue.some((d) => d.id === e.rescueDose.id)) c.rescue = [...c.rescue, e.rescueDose].sort((a, b) => a.t - b.t || a.id - b.id);
  }

  /** The in-memory record; a session not held here is read in the background and answers "not loaded". */
  private held(sessionId: string): CareRecord | null {
    const c = this.live.get(sessionId);
    if (c) return c;
    this.refresh(sessionId).catch((err: unknown) => this.onLoadError(err, sessionId));
    return null;
  }

  private requireHeld(sessionId: string): CareRecord {
    const c = this.held(sessionId);
    if (!c) throw new DomainError(503, `the care record of session ${sessionId} is being loaded on this server; retry`);
    return c;
  }

  /** The checklist as held in memory (dose gate, start check). */
  heldChecklist(sessionId: string): ChecklistRecord | null {
    return this.requireHeld(sessionId).checklist;
  }

  /** The current order as held in memory (dose gate). */
  heldOrder(sessionId: string): Order | null {
    return this.requireHeld(sessionId).order;
  }

  /** Rescue doses as held in memory (the rules' modifiers: a sedative tightens respiratory limits). */
  heldRescueDoses(sessionId: string): RescueDose[] {
    return this.held(sessionId)?.rescue ?? [];
  }

  async recordObservation(sessionId: string, input: unknown, actor: Actor): Promise<Observation> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = observationInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid observation', fieldErrors(p.error));
    const now = this.clock.now();
    const t = p.data.t ?? now;
    if (t > now + 60_000) throw badRequest('invalid observation', [{ field: 't', reason: 'more than 60 s in the future' }]);
    const obs = await this.obs.insert({ sessionId, scale: p.data.scale, score: p.data.score, t, note: p.data.note ?? null, by: actor.id }, s.simulated);
    await insertAudit(this.store.db, { at: now, actor: actor.id, action: 'observation.record', entity: 'session', entityId: sessionId, after: obs, requestId: actor.requestId ?? null });
    this.hub.emit('observation', obs);
    return obs;
  }

  observations(sessionId: string): Promise<Observation[]> {
    return this.obs.list(sessionId);
  }

  /** Stores the answers with the evaluated result; a new submission replaces the last (and its override). */
  submitChecklist(sessionId: string, input: unknown, actor: Actor): Promise<ChecklistRecord> {
    return this.changes.run(() => this.submitChecklistNow(sessionId, input, actor));
  }

  private async submitChecklistNow(sessionId: string, input: unknown, actor: Actor): Promise<ChecklistRecord> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = checklistInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid checklist', fieldErrors(p.error));
    const now = this.clock.now();
    const [obs, measured] = await Promise.all([this.observations(sessionId), this.sessions.measuredBaseline(sessionId, s.createdAt, now)]);
    const rs = this.ruleSetOf(s);
    // Bound to the order: the checklist is passed for the order's highest rate, not for a number typed apart from it.
    const order = await this.orders.current(sessionId);
    const answers = order ? { ...p.data, orderedRateMgKgH: order.rateMaxMgKgH } : p.data;
    const result = evaluateChecklist(answers, {
      setting: s.setting,
      // Each baseline vital as measured so far; the BP is also judged against the site's hypertension limit.
      baselineVitals: measured ?? {},
      hypertensionLimit: rs ? hypertensionLimitOf(rs) : null,
      sedationRecorded: obs.some((o) => o.scale !== 'NRS_PAIN'),
      painRecorded: obs.some((o) => o.scale === 'NRS_PAIN'),
      physicianAssigned: s.supervisingPhysician.trim().length > 0,
    });
    const record: ChecklistRecord = { sessionId, input: answers, result, at: now, by: actor.id, override: null, orderVersion: order?.version ?? null, reopened: null };
    await this.store.transaction(async (trx) => {
      await trx
        .insertInto('checklists')
        .values({ session_id: sessionId, body: JSON.stringify(record), passed: result.passed ? 1 : 0, at: now, by: actor.id, override: null })
        .onConflict((oc) => oc.column('session_id').doUpdateSet((eb) => ({ body: eb.ref('excluded.body'), passed: eb.ref('excluded.passed'), at: eb.ref('excluded.at'), by: eb.ref('excluded.by'), override: null })))
        .execute();
      await insertAudit(trx, { at: now, actor: actor.id, action: 'checklist.submit', entity: 'session', entityId: sessionId, after: { passed: result.passed, failed: result.items.filter((i) => !i.ok).map((i) => i.id) }, requestId: actor.requestId ?? null });
    });
    this.noteChecklist(record);
    this.hub.emit('checklist', record);
    return record;
  }

  private noteChecklist(c: ChecklistRecord): void {
    const held = this.live.get(c.sessionId);
    if (held) held.checklist = c;
  }

  async checklist(sessionId: string): Promise<ChecklistRecord | null> {
    const r = await this.store.db.selectFrom('checklists').select(['body', 'override']).where('session_id', '=', sessionId).executeTakeFirst();
    if (!r) return null;
    return { ...(JSON.parse(r.body) as ChecklistRecord), override: r.override ? (JSON.parse(r.override) as ChecklistRecord['override']) : null };
  }

  overrideChecklist(sessionId: string, input: unknown, actor: Actor): Promise<ChecklistRecord> {
    return this.changes.run(() => this.overrideChecklistNow(sessionId, input, actor));
  }

  private async overrideChecklistNow(sessionId: string, input: unknown, actor: Actor): Promise<ChecklistRecord> {
    this.sessions.requireActiveSession(sessionId);
    const reason = (input as { reason?: unknown } | undefined)?.reason;
    if (typeof reason !== 'string' || reason.trim().length < 5)
      throw badRequest('invalid override', [{ field: 'reason', reason: 'a reason of at least 5 characters is required' }]);
    const current = await this.checklist(sessionId);
    if (!current) throw new DomainError(409, 'no checklist submitted yet: submit it first, then override the failed items');
    if (current.result.passed) throw new DomainError(409, 'the checklist passed: nothing to override');
    const override = { reason: reason.trim().slice(0, 500), by: actor.id, at: this.clock.now() };
    await this.store.transaction(async (trx) => {
      await trx.updateTable('checklists').set({ override: JSON.stringify(override) }).where('session_id', '=', sessionId).execute();
      await insertAudit(trx, { at: override.at, actor: actor.id, action: 'checklist.override', entity: 'session', entityId: sessionId, before: { failed: current.result.items.filter((i) => !i.ok).map((i) => i.id) }, after: override, requestId: actor.requestId ?? null });
    });
    const record = { ...current, override };
    this.noteChecklist(record);
    this.hub.emit('checklist', record);
    return record;
  }

  /**
   * A physician writes or changes the order (a new version, audited). An order whose highest rate
   * needs a more monitored setting than the checklist was passed for re-opens the checklist's
   * setting item (Table 6): a start or a bolus then waits for a new checklist or a physician's override.
   */
  writeOrder(sessionId: string, input: unknown, actor: Actor): Promise<{ order: Order; checklist: ChecklistRecord | null }> {
    return this.changes.run(() => this.writeOrderNow(sessionId, input, actor));
  }

  private async writeOrderNow(sessionId: string, input: unknown, actor: Actor): Promise<{ order: Order; checklist: ChecklistRecord | null }> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = orderInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid order', fieldErrors(p.error));
    if (p.data.setting !== s.setting)
      throw badRequest('invalid order', [{ field: 'setting', reason: `the order is written for ${p.data.setting.replace('_', ' ')}, the session runs in ${s.setting.replace('_', ' ')}` }]);
    const rs = this.ruleSetOf(s);
    const beyond = rs ? orderHardCrossings(p.data, [rs]) : [];
    if (beyond.length)
      throw new DomainError(409, `the order crosses ${beyond.length} hard limit(s) no one may give at the bedside`, beyond.map((c) => ({ field: c.unit === 'mg/kg/h' ? 'rateMaxMgKgH' : c.id.includes('cumulative') ? 'maxCumulativeMgKg' : 'bolusMaxMgKg', reason: c.message })));
    const before = await this.orders.current(sessionId);
    const now = this.clock.now();
    const order: Order = { ...p.data, sessionId, version: (before?.version ?? 0) + 1, at: now, by: actor.id };
    const current = await this.checklist(sessionId);
    const rebound = current ? this.rebindChecklist(current, order, s, now) : null;
    // The order, the checklist it re-binds and their audit entries commit together. A second writer
    // of the same version (another node on the same database, between our read and our write) fails
    // on the primary key and writes nothing: a conflict to reload and retry, as any stale write is.
    try {
      await this.store.transaction(async (trx) => {
        if (rebound) await trx.updateTable('checklists').set(rebound.row).where('session_id', '=', sessionId).execute();
        await this.orders.insert(order, trx);
        await insertAudit(trx, { at: now, actor: actor.id, action: 'order.write', entity: 'session', entityId: sessionId, before, after: order, requestId: actor.requestId ?? null });
        if (rebound?.record.reopened?.orderVersion === order.version)
          await insertAudit(trx, { at: now, actor: actor.id, action: 'checklist.reopen', entity: 'session', entityId: sessionId, after: rebound.record.reopened, requestId: actor.requestId ?? null });
      });
    } catch (err) {
      if (isKeyViolation(err)) throw new DomainError(409, `order version ${order.version} was written meanwhile by someone else: reload the order and write it again`);
      throw err;
    }
    const checklist = rebound?.record ?? null;
    const held = this.live.get(sessionId);
    if (held) held.order = order;
    if (checklist) this.noteChecklist(checklist);
    // Every screen showing the session sees the new order (and the checklist it re-bound) without a reload.
    this.hub.emit('order', order);
    if (checklist) this.hub.emit('checklist', checklist);
    return { order, checklist };
  }

  order(sessionId: string): Promise<Order | null> {
    return this.orders.current(sessionId);
  }

  orderHistory(sessionId: string): Promise<Order[]> {
    return this.orders.history(sessionId);
  }

  /** Re-evaluates the checklist's setting item for a new order; a newly failing item re-opens it (and drops an override). */
  private rebindChecklist(c: ChecklistRecord, order: Order, s: StoredSession, now: number): { record: ChecklistRecord; row: { body: string; passed: number; override: string | null } } {
    const wasOk = new Set(c.result.items.filter((i) => i.ok).map((i) => i.id));
    const input = { ...c.input, orderedRateMgKgH: order.rateMaxMgKgH };
    const fresh = evaluateChecklist(input, {
      setting: s.setting,
      // Only the setting item is taken from this evaluation: the recorded facts stand as they were.
      baselineVitals: {},
      hypertensionLimit: null,
      sedationRecorded: c.result.items.find((i) => i.id === 'baseline_sedation')?.ok ?? false,
      painRecorded: c.result.items.find((i) => i.id === 'baseline_pain')?.ok ?? false,
      physicianAssigned: s.supervisingPhysician.trim().length > 0,
    });
    // Only the setting item depends on the order: the other items keep their answers and result.
    const setting = fresh.items.find((i) => i.id === 'setting')!;
    const items = c.result.items.map((i) => (i.id === 'setting' ? setting : i));
    const opened = items.filter((i) => !i.ok && wasOk.has(i.id)).map((i) => i.id);
    const result = { passed: items.every((i) => i.ok), items };
    const reopened = opened.length ? { orderVersion: order.version, items: opened, at: now } : (c.reopened ?? null);
    const override = opened.length ? null : c.override;
    const record: ChecklistRecord = { ...c, input, result, override, orderVersion: order.version, reopened };
    const { override: _o, ...body } = record;
    return { record, row: { body: JSON.stringify(body), passed: result.passed ? 1 : 0, override: override ? JSON.stringify(override) : null } };
  }

  /** Why an infusion may not start yet (empty = it may), from the checklist held in memory. */
  startBlockers(sessionId: string): string[] {
    const held = this.held(sessionId);
    if (!held) return ['the pre-infusion checklist is being loaded on this server: retry'];
    const c = held.checklist;
    if (!c) return ['pre-infusion checklist not submitted'];
    if (c.result.passed || c.override) return [];
    return c.result.items.filter((i) => !i.ok).map((i) => `${i.label}: ${i.reason}`);
  }

  /** The weight per-kg doses are figured on for this session (the rule set's choice). */
  dosingWeightKg(s: StoredSession): number {
    return this.sessions.dosing(s).kg;
  }

  async documentRescue(sessionId: string, input: unknown, actor: Actor): Promise<RescueDose> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = rescueDoseInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid rescue dose', fieldErrors(p.error));
    const entry = this.formulary.entries.find((e) => e.id === p.data.drugId);
    if (!entry) throw badRequest('invalid rescue dose', [{ field: 'drugId', reason: `not in the site formulary (${this.formulary.entries.map((e) => e.id).join(', ')})` }]);
    const now = this.clock.now();
    const t = p.data.t ?? now;
    // Checked before it is stored: soft above the formulary dose, hard at the rule set's multiple of it.
    const check = checkRescue(entry, p.data.doseMg, this.dosingWeightKg(s), this.ruleSetOf(s)?.doseSafety?.rescue);
    const who = { id: sessionId, unit: s.unit, simulated: s.simulated };
    const logged = { at: now, by: actor.id, action: `rescue.${entry.id}` };
    if (check.outcome === 'refused') {
      await this.guardrails.record(who, { ...logged, outcome: 'refused', reason: null }, check.crossings);
      throw new DomainError(409, `refused by a hard limit: ${check.crossings.filter((c) => c.level === 'hard').map((c) => c.message).join('; ')}`, check.crossings.map((c) => ({ field: c.id, reason: c.message })), { check });
    }
    let override: DoseOverride | null = null;
    if (check.outcome === 'needs_confirmation') {
      if (!p.data.confirm) {
        await this.guardrails.record(who, { ...logged, outcome: 'alerted', reason: null }, check.crossings);
        throw new DomainError(409, `confirmation needed: ${check.crossings.map((c) => c.message).join('; ')}; confirm with a reason (confirm.reason)`, check.crossings.map((c) => ({ field: c.id, reason: c.message })), { check });
      }
      override = { reason: p.data.confirm.reason, by: actor.id, limits: check.crossings.map((c) => ({ id: c.id, value: c.value, limit: c.limit, unit: c.unit, source: c.source })) };
    }
    const confirmed = override;
    // The dose, its audit entry and the confirmed limits commit together.
    const dose = await this.store.transaction(async (trx) => {
      const { id } = await trx
        .insertInto('rescue_doses')
        .values({
          session_id: sessionId,
          alarm_id: p.data.alarmId ?? null,
          drug_id: entry.id,
          drug: entry.drug,
          dose_mg: p.data.doseMg,
          route: p.data.route,
          t,
          note: p.data.note ?? null,
          by: actor.id,
          simulated: s.simulated ? 1 : 0,
          override: confirmed ? JSON.stringify(confirmed) : null,
          dose_note: check.note,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const dose: RescueDose = { id, sessionId, drugId: entry.id, drug: entry.drug, doseMg: p.data.doseMg, route: p.data.route, alarmId: p.data.alarmId ?? null, t, note: p.data.note ?? null, by: actor.id, override: confirmed, doseNote: check.note };
      await insertAudit(trx, { at: now, actor: actor.id, action: 'rescue.document', entity: 'session', entityId: sessionId, after: dose, requestId: actor.requestId ?? null });
      if (confirmed) await this.guardrails.record(who, { ...logged, outcome: 'overridden', reason: confirmed.reason }, check.crossings, trx);
      return dose;
    });
    const held = this.live.get(sessionId);
    if (held) held.rescue = [...held.rescue, dose].sort((a, b) => a.t - b.t || a.id - b.id);
    this.hub.emit('rescueDose', dose);
    return dose;
  }

  async rescueDoses(sessionId: string): Promise<RescueDose[]> {
    const rows = await this.store.db.selectFrom('rescue_doses').selectAll().where('session_id', '=', sessionId).orderBy('t').orderBy('id').execute();
    return rows.map(toRescue);
  }

  getFormulary(): Formulary {
    return this.formulary;
  }

  /** A site edits its formulary as a new version; doses stay text exactly as the site writes them. */
  updateFormulary(input: unknown, actor: Actor): Promise<Formulary> {
    return this.changes.run(() => this.updateFormularyNow(input, actor));
  }

  private async updateFormularyNow(input: unknown, actor: Actor): Promise<Formulary> {
    const p = formularySchema.safeParse({ ...(input as object), version: this.formulary.version + 1 });
    if (!p.success) throw badRequest('invalid formulary', fieldErrors(p.error));
    const now = this.clock.now();
    const before = this.formulary;
    // As an order: a version another node stored first fails on the key, writes nothing, and is a
    // conflict; this node reads the formulary again so the retry builds on what was stored meanwhile.
    try {
      await this.store.transaction(async (trx) => {
        await trx.insertInto('formulary_versions').values({ version: p.data.version, body: JSON.stringify(p.data), created_at: now, created_by: actor.id }).execute();
        await insertAudit(trx, { at: now, actor: actor.id, action: 'formulary.update', entity: 'formulary', entityId: String(p.data.version), before, after: p.data, requestId: actor.requestId ?? null });
      });
    } catch (err) {
      if (!isKeyViolation(err)) throw err;
      await this.reloadFormulary().catch(() => {});
      throw new DomainError(409, `formulary version ${p.data.version} was stored meanwhile by someone else: reload the formulary and edit it again`);
    }
    this.formulary = p.data;
    this.formularyChanged();
    return p.data;
  }
}
