import type { ChecklistRecord, DoseCheck, GuardrailReport, InfusionEvent, Order, RescueDose, Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anOrder, api, connected, createSession, dashboard, passingChecklist, prepareStart, startServer, writeOrder, type Caller, type DashClient, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';

/**
 * Limits before the dose, through the API as clinicians would try them (the cases of the issue).
 * A refused or unconfirmed action stores nothing: no infusion event row, no audit entry claiming it,
 * no change of the infusion state and no broadcast to the dashboards.
 */
const T0 = Date.parse('2026-03-01T09:00:00Z');
const clock = new ManualClock(T0);
let s: TestServer;
let screen: DashClient;
/** Every infusion event the dashboards were sent, in order. */
const broadcast: InfusionEvent[] = [];

beforeAll(async () => {
  s = await startServer({ clock });
  screen = dashboard(s.nurse);
  screen.on('infusionEvent', (e) => broadcast.push(e));
  await connected(screen);
});
afterAll(async () => {
  screen.close();
  await s.close();
});

type Answer = { status: number; body: { ok: boolean; error?: string; fields?: { field: string; reason: string }[]; check?: DoseCheck; data?: unknown } };
const post = (who: Caller, id: string, body: unknown) => api<{ session: Session; event: InfusionEvent }>(who, 'POST', `/api/sessions/${id}/infusion`, body) as Promise<Answer & { body: { data: { session: Session; event: InfusionEvent } } }>;
const crossed = (r: Answer) => (r.body.check?.crossings ?? []).map((c) => `${c.id}:${c.level}`).sort();

async function stored(id: string) {
  const db = dbOf(s);
  const events = await countOf(db.selectFrom('infusion_events').where('session_id', '=', id));
  const audit = await countOf(db.selectFrom('audit_log').where('entity_id', '=', id).where('action', 'like', 'infusion.%'));
  const rescue = await countOf(db.selectFrom('rescue_doses').where('session_id', '=', id));
  return { events, audit, rescue };
}
const infusionOf = async (id: string) => (await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${id}`)).body.data.session.infusion;

/**
 * Runs a refused call and checks that nothing of it was stored or sent: afterwards an allowed stop
 * (or nothing, for a session not running) is the only new broadcast.
 */
async function refusedStoresNothing(id: string, call: () => Promise<Answer>): Promise<Answer> {
  const before = await stored(id);
  const inf = await infusionOf(id);
  const seen = broadcast.length;
  const r = await call();
  expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
  expect(await stored(id)).toEqual(before);
  const after = await infusionOf(id);
  expect({ status: after.status, rateMgKgH: after.rateMgKgH }).toEqual({ status: inf.status, rateMgKgH: inf.rateMgKgH });
  // No broadcast: a marker event sent after the refusal is the first one the screen gets.
  const marker = await api<{ session: Session }>(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'RASS', score: 0 });
  expect(marker.status).toBe(201);
  expect(broadcast.slice(seen)).toEqual([]);
  return r;
}

/** A session ready to start: vitals, scores, optionally an order, then the checklist. */
async function ready(over: { setting?: Session['setting']; weightKg?: number; order?: Partial<Order> | null; checklistRate?: number } = {}): Promise<Session> {
  const sess = await createSession(s.nurse, { setting: over.setting ?? 'clinic', weightKg: over.weightKg ?? 70 });
  if (over.order !== null) await writeOrder(s.physician, sess.id, { setting: over.setting ?? 'clinic', ...over.order });
  await prepareStart(s, s.nurse, sess.id, clock.now(), over.checklistRate ?? 0.5);
  return sess;
}

describe('limits before the dose: the cases of the issue', () => {
  it('a nurse cannot start at 20 mg/kg/h in a clinic after a checklist passed for 0.5', async () => {
    const sess = await ready({ order: null });
    const r = await refusedStoresNothing(sess.id, () => post(s.nurse, sess.id, { type: 'start', rateMgKgH: 20 }));
    expect(r.status).toBe(409);
    expect(r.body.check?.outcome).toBe('refused');
    expect(crossed(r)).toEqual(['dose.rate.clinic:hard', 'dose.rate.max:hard', 'dose.rate.non_icu:soft', 'order.rate.max:hard']);
    const max = r.body.check!.crossings.find((c) => c.id === 'dose.rate.max')!;
    expect(max).toMatchObject({ value: 20, limit: 7, unit: 'mg/kg/h' });
    expect(max.source).toMatch(/ASRA\/AAPM\/ASA 2018/);
    expect(r.body.fields!.map((f) => f.field)).toContain('order.rate.max');
    // The physician is refused the same: a hard limit holds for every role.
    await refusedStoresNothing(sess.id, () => post(s.physician, sess.id, { type: 'start', rateMgKgH: 20, confirm: { reason: 'I take responsibility' } }));
    expect((await post(s.nurse, sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
  });

  it('a nurse cannot change 0.5 to 7.5 in an ICU nor to 15 in a clinic, whoever confirms', async () => {
    const icu = await ready({ setting: 'icu', order: { rateMaxMgKgH: 7, maxCumulativeMgKg: 100 }, checklistRate: 0.5 });
    expect((await post(s.nurse, icu.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    for (const who of [s.nurse, s.physician]) {
      const r = await refusedStoresNothing(icu.id, () => post(who, icu.id, { type: 'rate_change', rateMgKgH: 7.5, confirm: { reason: 'refractory pain, intubated' } }));
      expect(crossed(r)).toEqual(['dose.rate.max:hard', 'order.rate.max:hard']);
    }
    const clinic = await ready();
    expect((await post(s.nurse, clinic.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    const r = await refusedStoresNothing(clinic.id, () => post(s.nurse, clinic.id, { type: 'rate_change', rateMgKgH: 15 }));
    expect(crossed(r)).toEqual(['dose.rate.clinic:hard', 'dose.rate.max:hard', 'dose.rate.non_icu:soft', 'order.rate.max:hard']);
    // Inside the order: titrated without a word.
    expect((await post(s.nurse, clinic.id, { type: 'rate_change', rateMgKgH: 1 })).status).toBe(201);
  });

  it('a start at 7.5 mg/kg/h is refused even after a physician overrode the checklist', async () => {
    const sess = await createSession(s.nurse, { setting: 'icu' });
    // The order is the first line: 7.5 mg/kg/h cannot be ordered at all.
    const order = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder({ setting: 'icu', rateMinMgKgH: 7.5, rateMaxMgKgH: 7.5, maxCumulativeMgKg: 100 }));
    expect(order.status).toBe(409);
    // Without an order the checklist's rate bounds the start: passed for 7.5, the setting item fails, a physician overrides it.
    await prepareStart(s, s.nurse, sess.id, clock.now(), 7.5).catch(() => undefined);
    expect((await api(s.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'refractory case, ICU team present' })).status).toBe(200);
    for (const who of [s.nurse, s.physician]) {
      const r = await refusedStoresNothing(sess.id, () => post(who, sess.id, { type: 'start', rateMgKgH: 7.5 }));
      expect(crossed(r)).toEqual(['dose.rate.max:hard']);
    }
  });

  it('refuses a bolus with no checklist, with a failed one (pregnancy), and 500 mg (7.1 mg/kg) in a 70 kg patient', async () => {
    const none = await createSession(s.nurse);
    await writeOrder(s.physician, none.id);
    const noChecklist = await refusedStoresNothing(none.id, () => post(s.physician, none.id, { type: 'bolus', doseMg: 10 }));
    expect(noChecklist.body.error).toMatch(/cannot give a bolus: 1 pre-infusion checklist item/);
    const pregnant = await createSession(s.nurse);
    await writeOrder(s.physician, pregnant.id);
    await prepareStart(s, s.nurse, pregnant.id, clock.now());
    const c = passingChecklist();
    await api(s.nurse, 'PUT', `/api/sessions/${pregnant.id}/checklist`, { ...c, pregnancy: { result: 'positive' } });
    const failed = await refusedStoresNothing(pregnant.id, () => post(s.physician, pregnant.id, { type: 'bolus', doseMg: 10 }));
    expect(failed.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'checklist', reason: expect.stringMatching(/Pregnancy/) })]));
    const sess = await ready();
    for (const who of [s.nurse, s.physician]) {
      const r = await refusedStoresNothing(sess.id, () => post(who, sess.id, { type: 'bolus', doseMg: 500, confirm: { reason: 'as ordered verbally' } }));
      expect(crossed(r)).toEqual(expect.arrayContaining(['dose.bolus.clinic:hard', 'order.bolus.max:hard']));
      expect(r.body.check!.crossings.find((x) => x.id === 'dose.bolus.clinic')!.value).toBeCloseTo(7.143, 3);
    }
  });

  it('three 0.34 mg/kg boluses in a minute: the second needs a physician’s confirmed reason, stored on the dose', async () => {
    const sess = await ready({ order: { bolusMaxMgKg: 0.35, bolusMinIntervalMin: 0 } });
    expect((await post(s.nurse, sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    const dose = { type: 'bolus', doseMg: 23.8 }; // 0.34 mg/kg
    expect((await post(s.nurse, sess.id, dose)).status).toBe(201);
    clock.advance(20_000);
    const second = await refusedStoresNothing(sess.id, () => post(s.nurse, sess.id, dose));
    expect(second.body.check).toMatchObject({ outcome: 'needs_confirmation', confirmRole: 'physician' });
    expect(crossed(second)).toEqual(['bolus.window:soft']);
    expect(second.body.check!.crossings[0]).toMatchObject({ value: 0.68, limit: 0.35 });
    // A nurse's reason is not enough for this limit.
    const nurseConfirms = await refusedStoresNothing(sess.id, () => post(s.nurse, sess.id, { ...dose, confirm: { reason: 'pain still 8/10' } }));
    expect(nurseConfirms.status).toBe(403);
    const ok = await post(s.physician, sess.id, { ...dose, confirm: { reason: 'pain 8/10, airway-trained staff at the bedside' } });
    expect(ok.status).toBe(201);
    expect(ok.body.data.event.override).toMatchObject({ reason: 'pain 8/10, airway-trained staff at the bedside', by: 'user:physician', limits: [{ id: 'bolus.window', value: 0.68, limit: 0.35 }] });
    const events = (await api<{ infusionEvents: InfusionEvent[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.infusionEvents;
    expect(events.at(-1)!.override?.reason).toBe('pain 8/10, airway-trained staff at the bedside');
    const row = await dbOf(s).selectFrom('audit_log').select('after').where('entity_id', '=', sess.id).where('action', '=', 'infusion.bolus').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(JSON.parse(row.after!)).toMatchObject({ override: { reason: 'pain 8/10, airway-trained staff at the bedside' } });
    clock.advance(20_000);
    const third = await post(s.nurse, sess.id, dose);
    expect(third.body.check?.crossings.find((c) => c.id === 'bolus.window')?.value).toBeCloseTo(1.02, 2);
  });

  it('a physician cannot switch off the dose maximum, the rate guardrails or apnea, nor set SpO2 to 50 %; 15 mg/kg/h is still refused', async () => {
    const sess = await ready();
    expect((await post(s.nurse, sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    const overrides = {
      'dose.rate.max': { enabled: false },
      'dose.rate.clinic': { enabled: false },
      'dose.rate.non_icu': { enabled: false },
      apnea: { enabled: false },
      'spo2.low.high': { limit: 50 },
    };
    const r = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/limits`, { overrides, reason: 'patient asked for fewer alarms' });
    expect(r.status).toBe(400);
    const reasons = r.body.fields!.map((f) => f.reason).join('\n');
    for (const id of ['dose.rate.max', 'dose.rate.clinic', 'dose.rate.non_icu', 'apnea']) expect(reasons).toContain(`${id}: `);
    expect(reasons).toMatch(/spo2.low.high: limit 50 is below the site's floor of 85/);
    expect((await api<Session>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data).toMatchObject({ session: { limitOverrides: null } });
    const rate = await refusedStoresNothing(sess.id, () => post(s.physician, sess.id, { type: 'rate_change', rateMgKgH: 15 }));
    expect(crossed(rate)).toContain('dose.rate.max:hard');
    // Inside the floors: accepted and shown.
    const fine = await api<Session>(s.physician, 'PUT', `/api/sessions/${sess.id}/limits`, { overrides: { 'spo2.low.high': { limit: 86 } }, reason: 'COPD, chronic SpO2 89 %' });
    expect(fine.status).toBe(200);
    expect(fine.body.data.limitsChanged).toEqual(['SpO2 low: limit 88 → 86']);
  });

  it('midazolam 50 mg (14 times the formulary dose) is refused; above the formulary dose needs a reason; no site dose is noted', async () => {
    const sess = await ready();
    const hard = await refusedStoresNothing(sess.id, () => api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 50, confirm: { reason: 'severe emergence reaction' } }));
    expect(crossed(hard)).toEqual(['rescue.midazolam.dose:soft', 'rescue.midazolam.hard:hard']);
    expect(hard.body.check!.crossings[0]!.source).toMatch(/0\.03-0\.05 mg\/kg/);
    const soft = await refusedStoresNothing(sess.id, () => api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 5 }));
    expect(soft.body.check?.outcome).toBe('needs_confirmation');
    const given = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 5, confirm: { reason: 'agitation persists after 3 mg' } });
    expect(given.status).toBe(201);
    expect(given.body.data.override).toMatchObject({ reason: 'agitation persists after 3 mg', limits: [{ id: 'rescue.midazolam.dose', value: 5, limit: 3.5 }] });
    const noDose = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'lorazepam', doseMg: 1 });
    expect(noDose.status).toBe(201);
    expect(noDose.body.data).toMatchObject({ doseNote: 'no site dose on file', override: null });
    const list = (await api<{ rescueDoses: RescueDose[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.rescueDoses;
    expect(list.map((d) => [d.drugId, d.doseNote ?? null, d.override?.reason ?? null])).toEqual([
      ['midazolam', null, 'agitation persists after 3 mg'],
      ['lorazepam', 'no site dose on file', null],
    ]);
  });

  it('a 30 mg bolus (0.43 mg/kg in a clinic) is never given in one click', async () => {
    const sess = await ready({ order: { bolusMaxMgKg: 0.5 } });
    for (const who of [s.nurse, s.physician]) {
      const r = await refusedStoresNothing(sess.id, () => post(who, sess.id, { type: 'bolus', doseMg: 30 }));
      expect(crossed(r)).toEqual(['bolus.window:soft', 'dose.bolus.clinic:hard']);
    }
  });
});

describe('orders', () => {
  it('only a physician writes the order; each change is a new audited version', async () => {
    const sess = await createSession(s.nurse);
    const body = { setting: 'clinic', rateMinMgKgH: 0.25, rateMaxMgKgH: 0.5, bolusAllowed: false, maxCumulativeMgKg: 4 };
    expect((await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/order`, body)).status).toBe(403);
    const bad = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { ...body, setting: 'icu', bolusAllowed: true, rateMinMgKgH: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.fields!.map((f) => f.field).sort()).toEqual(['bolusMaxMgKg', 'bolusMinIntervalMin', 'rateMinMgKgH']);
    const wrongSetting = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { ...body, setting: 'icu' });
    expect(wrongSetting.body.fields).toEqual([{ field: 'setting', reason: 'the order is written for icu, the session runs in clinic' }]);
    expect((await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, body)).status).toBe(200);
    expect((await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { ...body, rateMaxMgKgH: 0.75 })).status).toBe(200);
    const got = await api<{ order: Order; history: Order[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}/order`);
    expect(got.body.data.order).toMatchObject({ version: 2, rateMaxMgKgH: 0.75, by: 'user:physician' });
    expect(got.body.data.history.map((o) => o.version)).toEqual([1, 2]);
    const rows = await dbOf(s).selectFrom('audit_log').select(['actor', 'before', 'after']).where('entity_id', '=', sess.id).where('action', '=', 'order.write').orderBy('id').execute();
    expect(rows.map((r) => [r.actor, (JSON.parse(r.before ?? 'null') as Order | null)?.rateMaxMgKgH ?? null, (JSON.parse(r.after!) as Order).rateMaxMgKgH])).toEqual([
      ['user:physician', null, 0.5],
      ['user:physician', 0.5, 0.75],
    ]);
  });

  it('refuses an order above a hard limit of every setting, naming it, and stores no order', async () => {
    const sess = await createSession(s.nurse, { setting: 'icu' });
    const body = { setting: 'icu', rateMinMgKgH: 0.5, rateMaxMgKgH: 10, bolusAllowed: false, maxCumulativeMgKg: 8 };
    const r = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, body);
    expect(r.status).toBe(409);
    expect(r.body.fields).toEqual([{ field: 'rateMaxMgKgH', reason: expect.stringMatching(/^Infusion rate above any reported dose: 10 mg\/kg\/h > 7 mg\/kg\/h \(hard limit; ASRA\/AAPM\/ASA 2018/) }]);
    expect((await api<{ order: Order | null }>(s.nurse, 'GET', `/api/sessions/${sess.id}/order`)).body.data.order).toBeNull();
    expect((await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { ...body, rateMaxMgKgH: 7 })).status).toBe(200);
  });

  it('binds the checklist to the order: an order needing a monitored setting re-opens the setting item', async () => {
    const sess = await createSession(s.nurse, { setting: 'clinic' });
    await writeOrder(s.physician, sess.id, { rateMaxMgKgH: 1 });
    await prepareStart(s, s.nurse, sess.id, clock.now(), 0.25); // the rate typed on the form does not count: the order's does
    const c = (await api<ChecklistRecord>(s.nurse, 'GET', `/api/sessions/${sess.id}/checklist`)).body.data;
    expect(c).toMatchObject({ orderVersion: 1, input: { orderedRateMgKgH: 1 }, result: { passed: true } });
    // 1.5 mg/kg/h needs a monitored setting (Table 6): the checklist re-opens, the start waits.
    const changed = await api<{ checklist: ChecklistRecord }>(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { setting: 'clinic', rateMinMgKgH: 0.5, rateMaxMgKgH: 1.5, bolusAllowed: false, maxCumulativeMgKg: 8 });
    expect(changed.body.data.checklist).toMatchObject({ orderVersion: 2, result: { passed: false }, reopened: { orderVersion: 2, items: ['setting'] } });
    const start = await refusedStoresNothing(sess.id, () => post(s.nurse, sess.id, { type: 'start', rateMgKgH: 0.5 }));
    expect(start.body.fields).toEqual([{ field: 'checklist', reason: expect.stringMatching(/Setting fits the ordered dose \(1\.5 mg\/kg\/h in clinic\)/) }]);
  });

  it('previews a dose against the limits without storing anything', async () => {
    const sess = await ready();
    const before = await stored(sess.id);
    const r = await api<DoseCheck>(s.nurse, 'POST', `/api/sessions/${sess.id}/dose-check`, { type: 'bolus', doseMg: 30 });
    expect(r.status).toBe(200);
    expect(r.body.data.outcome).toBe('refused');
    expect(r.body.data.limits.map((l) => l.id)).toEqual(expect.arrayContaining(['order.bolus.max', 'order.bolus.interval', 'dose.bolus.clinic', 'bolus.window', 'dose.cumulative']));
    expect(await stored(sess.id)).toEqual(before);
  });
});

describe('guardrail compliance report', () => {
  it('counts soft-limit alerts, overrides with reasons and hard refusals per limit, for the unit', async () => {
    clock.advance(1000);
    const from = clock.now();
    const sess = await ready({ setting: 'monitored_unit', order: { setting: 'monitored_unit', bolusMaxMgKg: 0.5 } });
    await post(s.nurse, sess.id, { type: 'bolus', doseMg: 28 }); // 0.4 mg/kg: alert
    await post(s.physician, sess.id, { type: 'bolus', doseMg: 28, confirm: { reason: 'breakthrough pain, monitored bay' } }); // override
    await post(s.nurse, sess.id, { type: 'start', rateMgKgH: 9 }); // refused
    const r = await api<GuardrailReport>(s.physician, 'GET', `/api/reports/guardrails?unit=infusion-suite&from=${from}&to=${clock.now() + 1}`);
    expect(r.status).toBe(200);
    expect(r.body.data).toMatchObject({ softAlerts: 2, overrides: 2 });
    // The refused start is logged against the hard limits it crossed, never against a soft one under them.
    const refusedUnder = r.body.data.byLimit.filter((x) => x.refusals > 0);
    expect(refusedUnder.every((x) => x.level === 'hard')).toBe(true);
    expect(r.body.data.hardRefusals).toBe(refusedUnder.reduce((n, x) => n + x.refusals, 0));
    expect(r.body.data.hardRefusals).toBeGreaterThanOrEqual(2);
    expect(r.body.data.byLimit.find((x) => x.limitId === 'dose.bolus.high')).toMatchObject({ level: 'soft', alerts: 1, overrides: 1, refusals: 0 });
    expect(r.body.data.byLimit.find((x) => x.limitId === 'dose.rate.max')).toMatchObject({ level: 'hard', refusals: 1 });
    expect(r.body.data.overrideReasons.map((o) => o.reason)).toEqual(['breakthrough pain, monitored bay', 'breakthrough pain, monitored bay']);
    expect(r.body.data.byLimit.every((x) => x.simulated.alerts + x.simulated.overrides + x.simulated.refusals === 0)).toBe(true);
    expect((await api(s.nurse, 'GET', `/api/reports/guardrails?unit=infusion-suite&from=${from}&to=${clock.now() + 1}`)).status).toBe(403);

    // A trainer's refusal on a simulated session counts only when simulated sessions are included, and is marked as such.
    const sim = await createSession(s.trainer, { setting: 'monitored_unit', simulated: true });
    await prepareStart(s, s.trainer, sim.id, clock.now());
    expect((await post(s.trainer, sim.id, { type: 'start', rateMgKgH: 9 })).status).toBe(409);
    const again = await api<GuardrailReport>(s.physician, 'GET', `/api/reports/guardrails?unit=infusion-suite&from=${from}&to=${clock.now() + 1}`);
    expect(again.body.data.byLimit.find((x) => x.limitId === 'dose.rate.max')).toMatchObject({ refusals: 1, simulated: { refusals: 0 } });
    const withSim = await api<GuardrailReport>(s.physician, 'GET', `/api/reports/guardrails?unit=infusion-suite&from=${from}&to=${clock.now() + 1}&includeSimulated=true`);
    expect(withSim.body.data.byLimit.find((x) => x.limitId === 'dose.rate.max')).toMatchObject({ refusals: 2, simulated: { alerts: 0, overrides: 0, refusals: 1 } });
  });
});

describe('who may do what at a limit', () => {
  // Each role on a session it may see: the nurse's and physician's are real, the trainer's simulated.
  const ROLES = ['nurse', 'physician', 'trainer'] as const;
  const as = (name: (typeof ROLES)[number]) => [name, s[name], name === 'trainer'] as const;

  async function runningSession(simulated: boolean, setting: Session['setting'] = 'monitored_unit'): Promise<Session> {
    const writer = simulated ? s.trainer : s.physician;
    const sess = await createSession(simulated ? s.trainer : s.nurse, { setting, simulated });
    await writeOrder(writer, sess.id, { setting, bolusMaxMgKg: 0.5, bolusMinIntervalMin: 0, maxCumulativeMgKg: 12 });
    await prepareStart(s, simulated ? s.trainer : s.nurse, sess.id, clock.now());
    expect((await post(writer, sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    return sess;
  }

  it.each(ROLES)('hard limit: refused for the %s', async (role) => {
    const [, who, simulated] = as(role);
    const sess = await runningSession(simulated);
    const r = await refusedStoresNothing(sess.id, () => post(who, sess.id, { type: 'rate_change', rateMgKgH: 7.5, confirm: { reason: 'I accept the risk' } }));
    expect(r.body.check?.outcome).toBe('refused');
  });

  it.each(ROLES)('soft limit a physician confirms (nurse 403, physician and trainer with a reason): %s', async (role) => {
    const [name, who, simulated] = as(role);
    const sess = await runningSession(simulated);
    const bolus = { type: 'bolus', doseMg: 28 }; // 0.4 mg/kg in a monitored unit: dose.bolus.high, soft, physician
    const unconfirmed = await refusedStoresNothing(sess.id, () => post(who, sess.id, bolus));
    expect(unconfirmed.body.check).toMatchObject({ outcome: 'needs_confirmation', confirmRole: 'physician' });
    const confirmed = await post(who, sess.id, { ...bolus, confirm: { reason: 'breakthrough pain, monitored bay' } });
    expect(confirmed.status).toBe(name === 'nurse' ? 403 : 201);
  });

  it.each(ROLES)('soft limit anyone confirms with a reason (rescue dose above the formulary dose): %s', async (role) => {
    const [, who, simulated] = as(role);
    const sess = await runningSession(simulated);
    const dose = { drugId: 'midazolam', doseMg: 5 };
    await refusedStoresNothing(sess.id, () => api(who, 'POST', `/api/sessions/${sess.id}/rescue`, dose));
    expect((await api(who, 'POST', `/api/sessions/${sess.id}/rescue`, { ...dose, confirm: { reason: 'agitation persists after 3 mg' } })).status).toBe(201);
  });
});

describe('an admin changes a hard limit in the rule set', () => {
  it('makes dose.rate.non_icu soft in a new rule-set version (audited); sessions opened after it run on it', async () => {
    const t = await startServer();
    try {
      const current = (await api<{ rules: { id: string }[] }>(t.admin, 'GET', '/api/rulesets/current')).body.data;
      const edited = { ...current, rules: current.rules.map((r) => (r.id === 'dose.rate.non_icu' ? { ...r, enforce: 'soft', confirmRole: 'physician' } : r)) };
      expect((await api(t.physician, 'PUT', '/api/rulesets/current', edited)).status).toBe(403);
      const put = await api<{ version: number }>(t.admin, 'PUT', '/api/rulesets/current', edited);
      expect(put.status).toBe(200);
      const sess = await createSession(t.nurse, { setting: 'monitored_unit' });
      expect(sess.ruleSetVersion).toBe(put.body.data.version);
      await writeOrder(t.physician, sess.id, { setting: 'monitored_unit', rateMaxMgKgH: 2.5 });
      // The checklist's setting item still says 2.5 mg/kg/h is for the ICU: a physician overrides it.
      await prepareStart(t, t.nurse, sess.id).catch(() => undefined);
      expect((await api(t.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'ICU bed not available, HDU staffing' })).status).toBe(200);
      const soft = await api<unknown>(t.physician, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 2.5 });
      expect((soft.body as { check?: DoseCheck }).check?.crossings.map((c) => `${c.id}:${c.level}`)).toEqual(['dose.rate.non_icu:soft']);
      expect((await api(t.physician, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 2.5, confirm: { reason: 'refractory CRPS, HDU bed' } })).status).toBe(201);
    } finally {
      await t.close();
    }
  });
});
