import { defaultRuleSet, type Alarm, type Observation, type RuleSet } from '@infusion/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationService } from '../../server/src/alarms/escalationService';
import { DeviceKeys } from '../../server/src/auth/deviceKeys';
import { UserService } from '../../server/src/auth/userService';
import { CareService } from '../../server/src/care/careService';
import { DeviceAssignments } from '../../server/src/ingest/deviceAssignments';
import { AuditRepo } from '../../server/src/persistence/auditRepo';
import { openPostgresStore } from '../../server/src/persistence/pgStore';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { RuleSetStore } from '../../server/src/rules/ruleSetStore';
import { ManualClock } from '../../server/src/util/clock';
import { Hub } from '../../server/src/util/hub';
import { freshDatabase } from '../support/postgres';
import { anOrder, passingChecklist } from '../support/server';

/**
 * The care and auth modules on both stores: each scenario runs on SQLite and on PostgreSQL from an
 * empty schema, through the modules' own methods (not SQL), and must give the same answers.
 */
const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const UNIT = 'infusion-suite';
const PASSWORD = 'correct-horse-battery';
const admin = { id: 'user:admin', requestId: 'req-1' };

async function seedSession(store: Store, id: string, simulated = 0): Promise<void> {
  await store.db
    .insertInto('sessions')
    .values({
      id,
      patient_label: `P ${id}`,
      weight_kg: 70,
      age_years: 44,
      setting: 'clinic',
      indication: 'x',
      supervising_physician: 'Dr S',
      nurse: 'n',
      location: `Chair ${id}`,
      unit: UNIT,
      simulated,
      status: 'active',
      created_at: T0,
      ended_at: null,
      rule_set_id: 'default',
      rule_set_version: 1,
    })
    .execute();
}

/** Session, vitals and observation reads stubbed: the care service's own storage is what is under test. */
function careOn(store: Store, clock: ManualClock, hub: Hub): CareService {
  const stored = { id: 's1', unit: UNIT, simulated: false, setting: 'clinic', supervisingPhysician: 'Dr S', weightKg: 70 };
  const observations: Observation[] = [
    { id: 1, sessionId: 's1', scale: 'RASS', score: 0, t: T0, note: null, by: 'user:nurse' },
    { id: 2, sessionId: 's1', scale: 'NRS_PAIN', score: 6, t: T0, note: null, by: 'user:nurse' },
  ];
  const care = new CareService(
    store,
    { insert: () => observations[0]!, list: () => observations } as never,
    // The measured pre-infusion baseline (BP, HR, SpO2 each required by the checklist).
    { requireActiveSession: () => stored, dosing: () => ({ kg: 70 }), measuredBaseline: () => Promise.resolve({ hr: 72, sbp: 120, dbp: 78, spo2: 98 }) } as never,
    { latest: () => [{ t: T0 }] } as never,
    clock,
    hub,
  );
  care.ruleSetOf = () => defaultRuleSet;
  return care;
}

async function scenario(store: Store): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const clock = new ManualClock(T0);
  const hub = new Hub();
  const audit = new AuditRepo(store);

  // Users: created with their audit entry, found case-insensitively, passwords checked.
  const users = new UserService(store, clock);
  out.adminCreated = await users.ensureAdmin(PASSWORD);
  out.adminAgain = await users.ensureAdmin(PASSWORD);
  const nurse = await users.create({ username: 'Nurse.Kim', displayName: 'Kim', role: 'nurse', units: [UNIT], password: PASSWORD, mustChangePassword: false }, admin);
  out.nurse = nurse;
  out.count = await users.count();
  out.verifyRight = await users.verify('nurse.kim', PASSWORD);
  out.verifyWrong = await users.verify('Nurse.Kim', 'not-the-password');
  out.verifyUnknown = await users.verify('nobody', PASSWORD);
  await expect(users.create({ username: 'NURSE.KIM', displayName: 'Again', role: 'nurse', password: PASSWORD }, admin)).rejects.toThrow(/taken/);
  clock.advance(1000);
  out.updated = await users.update(nurse.id, { role: 'physician', password: 'another-good-password' }, admin);
  out.verifyOld = await users.verify('nurse.kim', PASSWORD);
  out.verifyNew = (await users.verify('nurse.kim', 'another-good-password'))?.role;
  await users.changeOwnPassword(nurse.id, 'another-good-password', 'third-good-password', { id: 'user:nurse.kim' });
  out.afterOwnChange = (await users.get(nurse.id)).mustChangePassword;
  out.users = await users.list();

  // Device keys: shown once, stored hashed; a revoked key is refused.
  const devices = new DeviceKeys(store, clock);
  const monitor = await devices.create({ name: 'Monitor 1', hl7Id: 'MON-1' }, admin);
  const sim = await devices.create({ name: 'Sim', simulator: true }, admin);
  out.devices = await devices.list();
  out.authRight = await devices.authenticate(monitor.key);
  out.authWrong = await devices.authenticate(monitor.key.slice(0, -4) + 'AAAA');
  out.authOther = (await devices.authenticate(sim.key))?.name;
  out.byHl7 = (await devices.byHl7Id('MON-1'))?.id;
  await expect(devices.create({ name: 'Monitor 2', hl7Id: 'MON-1' }, admin)).rejects.toThrow(/already registered/);
  out.revoked = await devices.revoke(sim.device.id, admin);
  out.authRevoked = await devices.authenticate(sim.key);
  await expect(devices.revoke(sim.device.id, admin)).rejects.toThrow(/already revoked/);

  // Assignments: written with their audit entry; another instance (node) reads them back.
  await seedSession(store, 's1');
  await seedSession(store, 's2', 1);
  const active = (id: string) => ({ id, simulated: id === 's2', status: 'active' as const });
  const assignments = new DeviceAssignments(store, devices, clock, active);
  await assignments.reload();
  const a1 = await assignments.assign(monitor.device.id, { id: 's1', simulated: false }, 'ICU^7^^', admin, () => true);
  out.assigned = a1;
  out.sameAgain = (await assignments.assign(monitor.device.id, { id: 's1', simulated: false }, 'ICU^7', admin, () => true)).id;
  await expect(assignments.assign(monitor.device.id, { id: 's2', simulated: true }, null, admin, () => true)).rejects.toThrow(/real device/);
  const elsewhere = new DeviceAssignments(store, devices, clock, active);
  await elsewhere.reload();
  out.elsewhere = elsewhere.forDevice(monitor.device.id);
  out.refusal = elsewhere.refusal({ id: monitor.device.id, simulator: false }, { id: 's1', simulated: false });
  clock.advance(1000);
  await assignments.endForSession('s1', { id: 'system:session-end' });
  await elsewhere.reload();
  out.afterEnd = elsewhere.allOpen(monitor.device.id);

  // Rule sets: the shipped set stored once, an edit a new version that another node reloads.
  const shipped: RuleSet = { ...defaultRuleSet, version: 1 };
  const [rs, rs2] = await Promise.all([RuleSetStore.open(store, clock, shipped), RuleSetStore.open(store, clock, shipped)]);
  const edited = await rs.update({ ...shipped, name: 'Site rules, edited' }, admin);
  out.ruleSetVersion = edited.version;
  await rs2.reload();
  out.reloaded = [rs2.current().version, rs2.current().name, rs2.get(1).name];
  out.ruleSetVersions = (await rs.list()).map((v) => [v.version, v.createdBy]);

  // Care: checklist, an order that re-opens it, rescue doses with their confirmed limits, the formulary.
  const care = careOn(store, clock, hub);
  await care.reloadFormulary();
  await care.load(['s1']);
  out.noChecklist = care.startBlockers('s1');
  const checklist = await care.submitChecklist('s1', passingChecklist(0.5), { id: 'user:nurse' });
  out.checklistPassed = checklist.result.passed;
  out.startBlockers = care.startBlockers('s1');
  clock.advance(1000);
  const first = await care.writeOrder('s1', anOrder({ rateMaxMgKgH: 0.5 }), { id: 'user:physician' });
  clock.advance(1000);
  // Above 1 mg/kg/h a clinic is no longer the right setting (Table 6): the checklist's setting item re-opens.
  const second = await care.writeOrder('s1', anOrder({ rateMaxMgKgH: 1.5 }), { id: 'user:physician' });
  out.orders = [first.order.version, second.order.version, second.checklist?.reopened?.items];
  out.order = await care.order('s1');
  out.heldOrder = care.heldOrder('s1')?.version;
  out.history = (await care.orderHistory('s1')).map((o) => [o.version, o.rateMaxMgKgH]);
  out.checklist = await care.checklist('s1');
  out.heldChecklistPassed = care.heldChecklist('s1')?.result.passed;
  clock.advance(1000);
  await expect(care.documentRescue('s1', { drugId: 'midazolam', doseMg: 5, route: 'IV' }, { id: 'user:nurse' })).rejects.toThrow(/confirmation needed/);
  await care.documentRescue('s1', { drugId: 'midazolam', doseMg: 5, route: 'IV', confirm: { reason: 'agitation persists' } }, { id: 'user:nurse' });
  await care.documentRescue('s1', { drugId: 'midazolam', doseMg: 2, route: 'IV', alarmId: 7 }, { id: 'user:nurse' });
  out.rescue = await care.rescueDoses('s1');
  out.heldRescue = care.heldRescueDoses('s1').map((d) => d.doseMg);
  out.guardrails = await store.db.selectFrom('guardrail_events').select(['session_id', 'action', 'outcome', 'limit_id', 'value', 'lim', 'reason']).orderBy('id').execute();
  const formulary = await care.updateFormulary({ ...care.getFormulary(), entries: care.getFormulary().entries.slice(0, 3) }, admin);
  const other = careOn(store, clock, hub);
  await other.reloadFormulary();
  out.formulary = [formulary.version, other.getFormulary().version, other.getFormulary().entries.length];
  // Two physicians (two admins) changing the same thing at once: two versions, one after the other.
  const orders = await Promise.all([care.writeOrder('s1', anOrder({ rateMaxMgKgH: 1.2 }), { id: 'user:physician' }), care.writeOrder('s1', anOrder({ rateMaxMgKgH: 1.4 }), { id: 'user:physician2' })]);
  out.concurrentOrders = orders.map((o) => [o.order.version, o.order.rateMaxMgKgH]);
  const edits = await Promise.all([rs.update({ ...shipped, name: 'Edit A' }, admin), rs.update({ ...shipped, name: 'Edit B' }, admin)]);
  out.concurrentRuleSets = edits.map((e) => [e.version, e.name]);

  // Escalations: a high alarm opens level 1 with its outbox rows; an acknowledgement is audited.
  const escalations = new EscalationService(store, hub, clock, log, { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] }, () => 'Chair s1');
  const alarm = { id: 7, sessionId: 's1', unit: UNIT, priority: 'high', state: 'active', simulated: false, title: 'Desaturation', message: 'SpO2 85 < 88', startedAt: T0 } as Alarm;
  escalations.onAlarm({ eventId: 1, transition: 'raised', at: T0, alarm });
  await escalations.idle();
  const [opened] = escalations.list();
  out.escalation = opened;
  out.notifications = await store.db.selectFrom('notifications').select(['escalation_id', 'level', 'channel', 'target', 'status']).orderBy('id').execute();
  clock.advance(5000);
  out.acknowledged = await escalations.acknowledge(opened!.id, 'user:physician');
  out.escalationGet = await escalations.get(opened!.id);
  const restored = new EscalationService(store, hub, clock, log, { mediumMs: 60_000, unitMs: 120_000, webhooks: [] }, () => '');
  await restored.restore([]);
  out.openAfterAck = restored.list();

  // The audit log: every change above, in order, with who and the request id.
  out.audit = (await audit.list(0, 1000)).map((r) => [r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.request_id]);
  out.auditNewest = (await audit.listNewest(undefined, 2)).map((r) => r.action);
  await audit.record({ at: T0 + 99_000, actor: 'user:admin', action: 'audit.export', entity: 'audit_log', entityId: null, after: { rows: 3 } });
  out.auditLast = (await audit.listNewest(undefined, 1))[0];
  out.scopes = [...(await audit.sessionScopes(['s1', 's2', 's1', 'nope'])).entries()].sort();
  return out;
}

describe('care and auth modules on SQLite and PostgreSQL', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  const stores: Store[] = [];
  beforeAll(async () => {
    pg = await freshDatabase();
    dir = mkdtempSync(join(tmpdir(), 'care-auth-'));
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answer the same on both stores', async () => {
    const lite = openSqliteStore(join(dir, 'infusion.db'), T0);
    const post = await openPostgresStore({ url: pg.url, poolSize: 4 }, T0);
    stores.push(lite, post);
    const expected = await scenario(lite);
    // What a user depends on, checked on SQLite here and on PostgreSQL by the comparison below.
    expect(expected.adminCreated).toEqual({ created: true });
    expect(expected.adminAgain).toEqual({ created: false });
    expect(expected.count).toBe(2);
    expect(expected.verifyRight).toMatchObject({ username: 'Nurse.Kim', role: 'nurse', disabled: false });
    expect([expected.verifyWrong, expected.verifyUnknown, expected.verifyOld]).toEqual([null, null, null]);
    expect(expected.verifyNew).toBe('physician');
    expect(expected.updated).toMatchObject({ role: 'physician', mustChangePassword: true });
    expect(expected.afterOwnChange).toBe(false);
    expect(expected.authRight).toMatchObject({ name: 'Monitor 1', hl7Id: 'MON-1', simulator: false, revokedAt: null });
    expect(expected.authWrong).toBeNull();
    expect(expected.authOther).toBe('Sim');
    expect(expected.authRevoked).toBeNull();
    expect(expected.assigned).toMatchObject({ sessionId: 's1', bed: 'ICU^7' });
    expect(expected.elsewhere).toEqual([expected.assigned]);
    expect(expected.refusal).toBeNull();
    expect(expected.afterEnd).toEqual([]);
    expect(expected.reloaded).toEqual([2, 'Site rules, edited', defaultRuleSet.name]);
    expect(expected.ruleSetVersions).toEqual([
      [1, 'system:shipped'],
      [2, 'user:admin'],
    ]);
    expect(expected.noChecklist).toEqual(['pre-infusion checklist not submitted']);
    expect(expected.startBlockers).toEqual([]);
    expect(expected.orders).toEqual([1, 2, ['setting']]);
    expect(expected.order).toMatchObject({ version: 2, rateMaxMgKgH: 1.5, by: 'user:physician' });
    expect(expected.heldOrder).toBe(2);
    expect(expected.history).toEqual([
      [1, 0.5],
      [2, 1.5],
    ]);
    expect(expected.heldChecklistPassed).toBe(false);
    expect(expected.rescue).toMatchObject([
      { drugId: 'midazolam', doseMg: 5, override: { reason: 'agitation persists', by: 'user:nurse' } },
      { drugId: 'midazolam', doseMg: 2, override: null },
    ]);
    expect(expected.heldRescue).toEqual([5, 2]);
    expect(expected.guardrails).toEqual([
      { session_id: 's1', action: 'rescue.midazolam', outcome: 'alerted', limit_id: expect.any(String), value: 5, lim: 3.5, reason: null },
      { session_id: 's1', action: 'rescue.midazolam', outcome: 'overridden', limit_id: expect.any(String), value: 5, lim: 3.5, reason: 'agitation persists' },
    ]);
    expect(expected.formulary).toEqual([2, 2, 3]);
    expect(expected.concurrentOrders).toEqual([
      [3, 1.2],
      [4, 1.4],
    ]);
    expect(expected.concurrentRuleSets).toEqual([
      [3, 'Edit A'],
      [4, 'Edit B'],
    ]);
    expect(expected.escalation).toMatchObject({ alarmId: 7, level: 1, state: 'open', location: 'Chair s1' });
    expect(expected.notifications).toEqual([
      { escalation_id: 1, level: 1, channel: 'dashboard', target: `physicians:${UNIT}`, status: 'sent' },
      { escalation_id: 1, level: 1, channel: 'webhook', target: 'http://pager.invalid/', status: 'pending' },
    ]);
    expect(expected.acknowledged).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'user:physician', nextLevelAt: null });
    expect(expected.escalationGet).toEqual(expected.acknowledged);
    expect(expected.openAfterAck).toEqual([]);
    expect((expected.audit as unknown[][]).map((r) => r[3])).toEqual([
      'user.create',
      'user.create',
      'user.update',
      'user.password_change',
      'device.create',
      'device.create',
      'device.revoke',
      'device.bind',
      'ruleset.update',
      'checklist.submit',
      'order.write',
      'order.write',
      'checklist.reopen',
      'rescue.document',
      'rescue.document',
      'formulary.update',
      'order.write',
      'order.write',
      'ruleset.update',
      'ruleset.update',
      'escalation.acknowledge',
    ]);
    expect(expected.auditLast).toMatchObject({ action: 'audit.export', actor: 'user:admin', after: '{"rows":3}', before: null });
    expect(expected.scopes).toEqual([
      ['s1', { unit: UNIT, simulated: false }],
      ['s2', { unit: UNIT, simulated: true }],
    ]);
    const actual = await scenario(post);
    // Key hashes and argon2 hashes are random per run and never leave the modules; everything else matches.
    expect(actual).toEqual(expected);
  });

  it('a revoke on one server reaches another within seconds, even if its message is lost', async () => {
    const db = await freshDatabase();
    const [a, b] = await Promise.all([openPostgresStore({ url: db.url, poolSize: 2 }, T0), openPostgresStore({ url: db.url, poolSize: 2 }, T0)]);
    try {
      const clock = new ManualClock(T0);
      const here = new DeviceKeys(a, clock);
      const there = new DeviceKeys(b, clock);
      const { device, key } = await here.create({ name: 'Monitor' }, admin);
      // Made on one server, known on the other at its first use.
      expect(await there.authenticate(key)).toMatchObject({ id: device.id });
      await here.revoke(device.id, admin);
      expect(await here.authenticate(key)).toBeNull();
      // The other server was not told (no hub here): its copy lapses and the next check reads the revoke.
      clock.advance(5_000);
      expect(await there.authenticate(key)).toBeNull();
    } finally {
      await a.close();
      await b.close();
      await db.release();
    }
  });
});
