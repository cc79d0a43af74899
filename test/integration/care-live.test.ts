import type { ChecklistRecord, Order, Result, Snapshot } from '@infusion/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, passingChecklist, prepareStart, startServer, waitFor, writeOrder, type DashClient, type TestServer } from '../support/server';

/**
 * Orders and the checklist reach every screen that shows the session as they change: a nurse's
 * screen must not titrate on an order the physician has just replaced, nor start on a checklist a
 * new order re-opened.
 */
describe('orders and the checklist pushed live to other screens', () => {
  let s: TestServer;
  const screens: DashClient[] = [];
  const screen = async (who: TestServer['nurse']) => {
    const d = dashboard(who);
    screens.push(d);
    await connected(d);
    const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(snap.ok).toBe(true);
    return d;
  };
  beforeEach(async () => {
    s = await startServer();
  });
  afterEach(async () => {
    for (const d of screens.splice(0)) d.close();
    await s.close();
  });

  it("sends a physician's new order to the nurse's screen", async () => {
    const sess = await createSession(s.nurse, { setting: 'clinic' });
    const nurseScreen = await screen(s.nurse);
    const pushed = waitFor<Order>(nurseScreen, 'order', (o) => o.sessionId === sess.id);
    await writeOrder(s.physician, sess.id, { rateMaxMgKgH: 0.8 });
    expect(await pushed).toMatchObject({ sessionId: sess.id, version: 1, rateMaxMgKgH: 0.8 });
    const next = waitFor<Order>(nurseScreen, 'order', (o) => o.sessionId === sess.id && o.version === 2);
    await writeOrder(s.physician, sess.id, { rateMaxMgKgH: 0.6 });
    expect((await next).rateMaxMgKgH).toBe(0.6);
  });

  it("sends the nurse's checklist to the physician's screen, and its re-opening by a new order to the nurse's", async () => {
    const sess = await createSession(s.nurse, { setting: 'clinic' });
    await writeOrder(s.physician, sess.id, { rateMaxMgKgH: 1 });
    const physicianScreen = await screen(s.physician);
    const nurseScreen = await screen(s.nurse);
    const submitted = waitFor<ChecklistRecord>(physicianScreen, 'checklist', (c) => c.sessionId === sess.id && c.result.passed);
    await prepareStart(s, s.nurse, sess.id);
    expect(await submitted).toMatchObject({ orderVersion: 1, reopened: null });

    // 1.5 mg/kg/h needs a monitored setting: the checklist re-opens, and the nurse's screen is told at once.
    const reopened = waitFor<ChecklistRecord>(nurseScreen, 'checklist', (c) => c.sessionId === sess.id && c.orderVersion === 2);
    const r = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, { setting: 'clinic', rateMinMgKgH: 0.5, rateMaxMgKgH: 1.5, bolusAllowed: false, maxCumulativeMgKg: 8 });
    expect(r.status).toBe(200);
    expect(await reopened).toMatchObject({ result: { passed: false }, reopened: { orderVersion: 2, items: ['setting'] } });
  });

  it('sends a physician override of a failed checklist to the nurse screen', async () => {
    const sess = await createSession(s.nurse);
    const c = passingChecklist();
    c.resuscitationEquipmentChecked = false;
    await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, c);
    const nurseScreen = await screen(s.nurse);
    const overridden = waitFor<ChecklistRecord>(nurseScreen, 'checklist', (x) => x.sessionId === sess.id && x.override !== null);
    expect((await api(s.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'crash cart in next bay' })).status).toBe(200);
    expect((await overridden).override).toMatchObject({ reason: 'crash cart in next bay' });
  });
});
