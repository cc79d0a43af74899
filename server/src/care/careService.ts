import {
  checklistInputSchema,
  defaultFormulary,
  evaluateChecklist,
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
import type { AuditRepo } from '../persistence/auditRepo';
import type { StoredSession } from '../persistence/sessionRepo';
import { GuardrailLog } from './guardrailLog';
import { OrderRepo } from './orderRepo';
import type { Db } from '../persistence/db';
import type { ObservationRepo } from '../persistence/observationRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { Actor, SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest, DomainError } from '../util/errors';
import type { Hub } from '../util/hub';

/**
 * Bedside documentation around the infusion: sedation and pain scores, the pre-infusion checklist
 * (and a physician's override of it), rescue doses linked to alarms, and the site formulary.
 */
export class CareService {
  private readonly sChecklistPut;
  private readonly sChecklistGet;
  private readonly sOverride;
  private readonly sChecklistRebind;
  private readonly sRescueInsert;
  private readonly sRescueList;
  private readonly sFormularyLatest;
  private readonly sFormularyInsert;
  private formulary: Formulary;
  readonly orders: OrderRepo;
  readonly guardrails: GuardrailLog;
  /** The session's rule set (its version, profile applied): the rescue limits come from it. Set by the app. */
  ruleSetOf: (s: StoredSession) => RuleSet | null = () => null;

  constructor(
    private readonly db: Db,
    private readonly sessions: SessionService,
    private readonly vitals: VitalsRepo,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
    private readonly hub: Hub,
    private readonly obs: ObservationRepo,
  ) {
    this.orders = new OrderRepo(db);
    this.guardrails = new GuardrailLog(db);
    this.sChecklistPut = db.prepare(`INSERT INTO checklists (session_id, body, passed, at, by, override) VALUES (@sessionId, @body, @passed, @at, @by, NULL)
      ON CONFLICT(session_id) DO UPDATE SET body = excluded.body, passed = excluded.passed, at = excluded.at, by = excluded.by, override = NULL`);
    this.sChecklistGet = db.prepare('SELECT body, override FROM checklists WHERE session_id = ?');
    this.sChecklistRebind = db.prepare('UPDATE checklists SET body = ?, passed = ?, override = ? WHERE session_id = ?');
    this.sOverride = db.prepare('UPDATE checklists SET override = ? WHERE session_id = ?');
    this.sRescueInsert = db.prepare('INSERT INTO rescue_doses (session_id, alarm_id, drug_id, drug, dose_mg, route, t, note, by, simulated, override, dose_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.sRescueList = db.prepare('SELECT * FROM rescue_doses WHERE session_id = ? ORDER BY t, id');
    this.sFormularyLatest = db.prepare('SELECT body FROM formulary_versions ORDER BY version DESC LIMIT 1');
    this.sFormularyInsert = db.prepare('INSERT INTO formulary_versions (version, body, created_at, created_by) VALUES (?, ?, ?, ?)');
    this.formulary = this.readFormulary();
  }

  private readFormulary(): Formulary {
    const latest = this.sFormularyLatest.get() as { body: string } | undefined;
    return latest ? formularySchema.parse(JSON.parse(latest.body)) : defaultFormulary;
  }

  /** Told after this node stored a new formulary version (other nodes then reload theirs). */
  formularyChanged: () => void = () => {};

  /** Another node stored a new formulary version: read it again. */
  reloadFormulary(): void {
    this.formulary = this.readFormulary();
  }

  async recordObservation(sessionId: string, input: unknown, actor: Actor): Promise<Observation> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = observationInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid observation', fieldErrors(p.error));
    const now = this.clock.now();
    const t = p.data.t ?? now;
    if (t > now + 60_000) throw badRequest('invalid observation', [{ field: 't', reason: 'more than 60 s in the future' }]);
    const obs = await this.obs.insert({ sessionId, scale: p.data.scale, score: p.data.score, t, note: p.data.note ?? null, by: actor.id }, s.simulated);
    this.audit.record({ at: now, actor: actor.id, action: 'observation.record', entity: 'session', entityId: sessionId, after: obs, requestId: actor.requestId ?? null });
    this.hub.emit('observation', obs);
    return obs;
  }

  observations(sessionId: string): Promise<Observation[]> {
    return this.obs.list(sessionId);
  }

  /** Stores the answers with the evaluated result; a new submission replaces the last (and its override). */
  async submitChecklist(sessionId: string, input: unknown, actor: Actor): Promise<ChecklistRecord> {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = checklistInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid checklist', fieldErrors(p.error));
    const [obs, latest] = await Promise.all([this.observations(sessionId), this.vitals.latest(sessionId, 1)]);
    const now = this.clock.now();
    // Bound to the order: the checklist is passed for the order's highest rate, not for a number typed apart from it.
    const order = this.orders.current(sessionId);
    const answers = order ? { ...p.data, orderedRateMgKgH: order.rateMaxMgKgH } : p.data;
    const result = evaluateChecklist(answers, {
      setting: s.setting,
      baselineVitalsRecorded: latest.length > 0,
      sedationRecorded: obs.some((o) => o.scale !== 'NRS_PAIN'),
      painRecorded: obs.some((o) => o.scale === 'NRS_PAIN'),
      physicianAssigned: s.supervisingPhysician.trim().length > 0,
    });
    const record: ChecklistRecord = { sessionId, input: answers, result, at: now, by: actor.id, override: null, orderVersion: order?.version ?? null, reopened: null };
    this.sChecklistPut.run({ sessionId, body: JSON.stringify(record), passed: result.passed ? 1 : 0, at: now, by: actor.id });
    this.audit.record({ at: now, actor: actor.id, action: 'checklist.submit', entity: 'session', entityId: sessionId, after: { passed: result.passed, failed: result.items.filter((i) => !i.ok).map((i) => i.id) }, requestId: actor.requestId ?? null });
    this.hub.emit('checklist', record);
    return record;
  }

  checklist(sessionId: string): ChecklistRecord | null {
    const r = this.sChecklistGet.get(sessionId) as { body: string; override: string | null } | undefined;
    if (!r) return null;
    return { ...(JSON.parse(r.body) as ChecklistRecord), override: r.override ? (JSON.parse(r.override) as ChecklistRecord['override']) : null };
  }

  overrideChecklist(sessionId: string, input: unknown, actor: Actor): ChecklistRecord {
    this.sessions.requireActiveSession(sessionId);
    const reason = (input as { reason?: unknown } | undefined)?.reason;
    if (typeof reason !== 'string' || reason.trim().length < 5)
      throw badRequest('invalid override', [{ field: 'reason', reason: 'a reason of at least 5 characters is required' }]);
    const current = this.checklist(sessionId);
    if (!current) throw new DomainError(409, 'no checklist submitted yet: submit it first, then override the failed items');
    if (current.result.passed) throw new DomainError(409, 'the checklist passed: nothing to override');
    const override = { reason: reason.trim().slice(0, 500), by: actor.id, at: this.clock.now() };
    this.sOverride.run(JSON.stringify(override), sessionId);
    this.audit.record({ at: override.at, actor: actor.id, action: 'checklist.override', entity: 'session', entityId: sessionId, before: { failed: current.result.items.filter((i) => !i.ok).map((i) => i.id) }, after: override, requestId: actor.requestId ?? null });
    const record = { ...current, override };
    this.hub.emit('checklist', record);
    return record;
  }

  /**
   * A physician writes or changes the order (a new version, audited). An order whose highest rate
   * needs a more monitored setting than the checklist was passed for re-opens the checklist's
   * setting item (Table 6): a start or a bolus then waits for a new checklist or a physician's override.
   */
  writeOrder(sessionId: string, input: unknown, actor: Actor): { order: Order; checklist: ChecklistRecord | null } {
    const s = this.sessions.requireActiveSession(sessionId);
    const p = orderInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid order', fieldErrors(p.error));
    if (p.data.setting !== s.setting)
      throw badRequest('invalid order', [{ field: 'setting', reason: `the order is written for ${p.data.setting.replace('_', ' ')}, the session runs in ${s.setting.replace('_', ' ')}` }]);
    const rs = this.ruleSetOf(s);
    const beyond = rs ? orderHardCrossings(p.data, [rs]) : [];
    if (beyond.length)
      throw new DomainError(409, `the order crosses ${beyond.length} hard limit(s) no one may give at the bedside`, beyond.map((c) => ({ field: c.unit === 'mg/kg/h' ? 'rateMaxMgKgH' : c.id.includes('cumulative') ? 'maxCumulativeMgKg' : 'bolusMaxMgKg', reason: c.message })));
    const before = this.orders.current(sessionId);
    const now = this.clock.now();
    const order: Order = { ...p.data, sessionId, version: (before?.version ?? 0) + 1, at: now, by: actor.id };
    const checklist = this.rebindChecklist(sessionId, order, s, now);
    this.orders.insert(order);
    this.audit.record({ at: now, actor: actor.id, action: 'order.write', entity: 'session', entityId: sessionId, before, after: order, requestId: actor.requestId ?? null });
    if (checklist?.reopened?.orderVersion === order.version)
      this.audit.record({ at: now, actor: actor.id, action: 'checklist.reopen', entity: 'session', entityId: sessionId, after: checklist.reopened, requestId: actor.requestId ?? null });
    // Every screen showing the session sees the new order (and the checklist it re-bound) without a reload.
    this.hub.emit('order', order);
    if (checklist) this.hub.emit('checklist', checklist);
    return { order, checklist };
  }

  order(sessionId: string): Order | null {
    return this.orders.current(sessionId);
  }

  orderHistory(sessionId: string): Order[] {
    return this.orders.history(sessionId);
  }

  /** Re-evaluates the checklist's setting item for a new order; a newly failing item re-opens it (and drops an override). */
  private rebindChecklist(sessionId: string, order: Order, s: StoredSession, now: number): ChecklistRecord | null {
    const c = this.checklist(sessionId);
    if (!c) return null;
    const wasOk = new Set(c.result.items.filter((i) => i.ok).map((i) => i.id));
    const input = { ...c.input, orderedRateMgKgH: order.rateMaxMgKgH };
    const fresh = evaluateChecklist(input, {
      setting: s.setting,
      // Recorded facts stand as they were when the checklist was submitted.
      baselineVitalsRecorded: c.result.items.find((i) => i.id === 'baseline_vitals')?.ok ?? false,
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
    this.sChecklistRebind.run(JSON.stringify(body), result.passed ? 1 : 0, override ? JSON.stringify(override) : null, sessionId);
    return record;
  }

  /** Why an infusion may not start yet (empty = it may). */
  startBlockers(sessionId: string): string[] {
    const c = this.checklist(sessionId);
    if (!c) return ['pre-infusion checklist not submitted'];
    if (c.result.passed || c.override) return [];
    return c.result.items.filter((i) => !i.ok).map((i) => `${i.label}: ${i.reason}`);
  }

  /** The weight per-kg doses are figured on for this session (the rule set's choice). */
  dosingWeightKg(s: StoredSession): number {
    return this.sessions.dosing(s).kg;
  }

  documentRescue(sessionId: string, input: unknown, actor: Actor): RescueDose {
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
      this.guardrails.record(who, { ...logged, outcome: 'refused', reason: null }, check.crossings);
      throw new DomainError(409, `refused by a hard limit: ${check.crossings.filter((c) => c.level === 'hard').map((c) => c.message).join('; ')}`, check.crossings.map((c) => ({ field: c.id, reason: c.message })), { check });
    }
    let override: DoseOverride | null = null;
    if (check.outcome === 'needs_confirmation') {
      if (!p.data.confirm) {
        this.guardrails.record(who, { ...logged, outcome: 'alerted', reason: null }, check.crossings);
        throw new DomainError(409, `confirmation needed: ${check.crossings.map((c) => c.message).join('; ')}; confirm with a reason (confirm.reason)`, check.crossings.map((c) => ({ field: c.id, reason: c.message })), { check });
      }
      override = { reason: p.data.confirm.reason, by: actor.id, limits: check.crossings.map((c) => ({ id: c.id, value: c.value, limit: c.limit, unit: c.unit, source: c.source })) };
    }
    const id = Number(
      this.sRescueInsert.run(sessionId, p.data.alarmId ?? null, entry.id, entry.drug, p.data.doseMg, p.data.route, t, p.data.note ?? null, actor.id, s.simulated ? 1 : 0, override ? JSON.stringify(override) : null, check.note).lastInsertRowid,
    );
    const dose: RescueDose = { id, sessionId, drugId: entry.id, drug: entry.drug, doseMg: p.data.doseMg, route: p.data.route, alarmId: p.data.alarmId ?? null, t, note: p.data.note ?? null, by: actor.id, override, doseNote: check.note };
    this.audit.record({ at: now, actor: actor.id, action: 'rescue.document', entity: 'session', entityId: sessionId, after: dose, requestId: actor.requestId ?? null });
    if (override) this.guardrails.record(who, { ...logged, outcome: 'overridden', reason: override.reason }, check.crossings);
    this.hub.emit('rescueDose', dose);
    return dose;
  }

  rescueDoses(sessionId: string): RescueDose[] {
    type Row = { id: number; session_id: string; alarm_id: number | null; drug_id: string; drug: string; dose_mg: number; route: string; t: number; note: string | null; by: string; override: string | null; dose_note: string | null };
    return (this.sRescueList.all(sessionId) as Row[]).map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      drugId: r.drug_id,
      drug: r.drug,
      doseMg: r.dose_mg,
      route: r.route,
      alarmId: r.alarm_id,
      t: r.t,
      note: r.note,
      by: r.by,
      override: r.override ? (JSON.parse(r.override) as DoseOverride) : null,
      doseNote: r.dose_note,
    }));
  }

  getFormulary(): Formulary {
    return this.formulary;
  }

  /** A site edits its formulary as a new version; doses stay text exactly as the site writes them. */
  updateFormulary(input: unknown, actor: Actor): Formulary {
    const p = formularySchema.safeParse({ ...(input as object), version: this.formulary.version + 1 });
    if (!p.success) throw badRequest('invalid formulary', fieldErrors(p.error));
    const now = this.clock.now();
    this.sFormularyInsert.run(p.data.version, JSON.stringify(p.data), now, actor.id);
    this.audit.record({ at: now, actor: actor.id, action: 'formulary.update', entity: 'formulary', entityId: String(p.data.version), before: this.formulary, after: p.data, requestId: actor.requestId ?? null });
    this.formulary = p.data;
    this.formularyChanged();
    return p.data;
  }
}
