import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, createSession, prepareStart, startServer, writeOrder, type TestServer } from '../support/server';

/**
 * Limits before the dose, on screen: the physician writes the order; the dose forms show the limits
 * that apply as the value is typed; a soft limit opens a confirmation that states the limit, the value
 * and its source and needs a reason (a physician's, here); a hard limit is refused plainly and nothing
 * is stored; stop and bolus ask for confirmation; all of it works from the keyboard.
 */
describe('dose limits in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let nurse: Page;
  let physician: Page;
  let sessionId: string;

  const events = async () => (await s.app.sessions.events(sessionId)).map((e) => `${e.type}:${e.rateMgKgH ?? e.doseMg}`);
  const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? null);
  const login = async (page: Page, username: string) => {
    await loginAs(page, s.url, username);
    await page.getByTestId(`tile-${sessionId}`).click();
    await page.getByTestId('order-panel').waitFor();
  };

  beforeAll(async () => {
    s = await startServer({ clientDist: CLIENT_DIST });
    sessionId = (await createSession(s.nurse, { setting: 'monitored_unit', patientLabel: 'Bed 4 pt', location: 'Bed 4' })).id;
    await prepareStart(s, s.nurse, sessionId);
    browser = await launchBrowser();
    nurse = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    physician = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('the physician writes the order; the nurse sees it with its version, and the start within it', async () => {
    await login(physician, 'physician');
    expect(await physician.getByTestId('order-current').getAttribute('data-version')).toBe('0');
    await physician.getByTestId('order-rate-min').fill('0.5');
    await physician.getByTestId('order-rate-max').fill('1.5');
    await physician.getByTestId('order-bolus-allowed').check();
    await physician.getByTestId('order-bolus-max').fill('0.5');
    await physician.getByTestId('order-bolus-interval').fill('10');
    await physician.getByTestId('order-max-cumulative').fill('8');
    await physician.getByTestId('order-submit').click();
    await expect.poll(() => physician.getByTestId('order-current').getAttribute('data-version'), { timeout: 10_000 }).toBe('1');
    expect(await physician.getByTestId('order-current').textContent()).toContain('0.5–1.5 mg/kg/h; boluses up to 0.5 mg/kg, at least 10 min apart; at most 8 mg/kg in all');

    await login(nurse, 'nurse');
    expect(await nurse.getByTestId('order-current').getAttribute('data-version')).toBe('1');
    expect(await nurse.getByTestId('order-form').count()).toBe(0);
    // Before anything is typed, the rate form already shows the limits that apply, with their sources.
    await expect.poll(() => nurse.getByTestId('rate-limits').textContent(), { timeout: 10_000 }).toContain('Order v1: 0.5–1.5 mg/kg/h');
    expect(await nurse.getByTestId('rate-limits').textContent()).toMatch(/Infusion rate above any reported dose: ≤ 7 mg\/kg\/h \(hard\)ASRA\/AAPM\/ASA 2018/);
    await nurse.getByTestId('infusion-rate').fill('0.5');
    await expect.poll(() => nurse.getByTestId('infusion-rate').getAttribute('data-mark'), { timeout: 10_000 }).toBe('ok');
    await nurse.getByTestId('infusion-start').click();
    await expect.poll(() => nurse.getByTestId('infusion-status').first().textContent(), { timeout: 10_000 }).toMatch(/running/i);
    expect(await events()).toEqual(['start:0.5']);
  });

  it('refuses a rate past a hard limit plainly, with the limit, the value and the source, and stores nothing', async () => {
    await nurse.getByTestId('infusion-rate').fill('15');
    // Marked before submit.
    await expect.poll(() => nurse.getByTestId('infusion-rate').getAttribute('data-mark'), { timeout: 10_000 }).toBe('hard');
    expect(await nurse.locator('[data-testid="rate-limits"] [data-crossed="hard"]').count()).toBeGreaterThanOrEqual(2);
    await nurse.getByTestId('infusion-change').click();
    const refusal = nurse.getByTestId('infusion-error');
    await expect.poll(() => refusal.getAttribute('data-kind'), { timeout: 10_000 }).toBe('hard-limit');
    const text = (await refusal.textContent()) ?? '';
    expect(text).toContain('Refused: not given, nothing was recorded.');
    expect(text).toContain('cannot be overridden at the bedside');
    expect(text).toContain('Infusion rate above any reported dose: 15 mg/kg/h, limit > 7 mg/kg/h');
    expect(text).toContain('Rate above the ordered range: 15 mg/kg/h, limit > 1.5 mg/kg/h');
    expect(text).toMatch(/Source: ASRA\/AAPM\/ASA 2018/);
    expect(await nurse.getByTestId('dose-dialog').count()).toBe(0);
    await refusal.scrollIntoViewIfNeeded();
    await nurse.screenshot({ path: join(SCREENSHOTS, 'dose-hard-refusal.png') });
    expect(await events()).toEqual(['start:0.5']);
  });

  it('a bolus past soft limits asks the nurse for a physician; Escape cancels and nothing is stored', async () => {
    await nurse.getByTestId('infusion-bolus-dose').fill('28');
    await expect.poll(() => nurse.getByTestId('infusion-bolus-dose').getAttribute('data-mark'), { timeout: 10_000 }).toBe('soft');
    expect(await nurse.getByTestId('bolus-limits').textContent()).toContain('Crosses a soft limit: needs a confirmed reason');
    await nurse.getByTestId('infusion-bolus').click();
    const dialog = nurse.getByTestId('dose-dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.getAttribute('data-kind')).toBe('soft-limit');
    expect(await nurse.getByTestId('dose-dialog-physician').textContent()).toContain('ask the supervising physician');
    expect(await nurse.getByTestId('dose-dialog-confirm').isDisabled()).toBe(true);
    await nurse.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(await events()).toEqual(['start:0.5']);
  });

  it('the physician confirms the soft limits by keyboard only: limit, value and source shown, reason required, the dose stored with its override', async () => {
    // Keyboard only: focus the dose field, type, Tab to the button, Enter.
    await physician.getByTestId('infusion-bolus-dose').focus();
    await physician.keyboard.type('28');
    await expect.poll(() => physician.getByTestId('infusion-bolus-dose').getAttribute('data-mark'), { timeout: 10_000 }).toBe('soft');
    await physician.keyboard.press('Tab');
    expect(await focused(physician)).toBe('infusion-bolus');
    await physician.keyboard.press('Enter');
    const dialog = physician.getByTestId('dose-dialog');
    await dialog.waitFor({ timeout: 10_000 });
    // Focus moved into the dialog, on the reason.
    expect(await focused(physician)).toBe('dose-dialog-reason');
    const crossings = (await physician.getByTestId('dose-dialog-crossings').textContent()) ?? '';
    expect(crossings).toContain('Large bolus');
    expect(crossings).toContain('value 0.4 mg/kg, limit ≥ 0.35 mg/kg (soft, a physician confirms)');
    expect(crossings).toContain('Boluses within 15 min');
    expect(crossings).toMatch(/Source: ASRA\/AAPM\/ASA 2018.*Table 6/);
    expect(await physician.getByTestId('dose-dialog-summary').textContent()).toContain('Give a bolus of 28 mg (0.40 mg/kg, per kg actual body weight, 70 kg)');
    await physician.screenshot({ path: join(SCREENSHOTS, 'dose-soft-limit-dialog.png') });

    // Enter with no reason: refused in the dialog, nothing sent.
    await physician.keyboard.press('Enter');
    await expect.poll(() => physician.getByTestId('dose-dialog-problem').textContent(), { timeout: 10_000 }).toContain('at least 5 characters');
    expect(await events()).toEqual(['start:0.5']);
    // Tab stays inside the dialog (reason → confirm → cancel → reason).
    await physician.keyboard.press('Tab');
    await physician.keyboard.press('Tab');
    await physician.keyboard.press('Tab');
    expect(await focused(physician)).toBe('dose-dialog-reason');

    await physician.keyboard.type('breakthrough pain 9/10, airway team present');
    await physician.keyboard.press('Enter');
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(await physician.getByTestId('infusion-done').textContent()).toContain('override recorded: breakthrough pain 9/10, airway team present');
    expect(await events()).toEqual(['start:0.5', 'bolus:28']);
    const bolus = (await s.app.sessions.events(sessionId)).find((e) => e.type === 'bolus')!;
    expect(bolus.override?.reason).toBe('breakthrough pain 9/10, airway team present');
    expect(bolus.override?.limits.map((l) => l.id).sort()).toEqual(['bolus.window', 'dose.bolus.high']);
    // Focus went back to where it was, and the event list shows the override.
    expect(await focused(physician)).toBe('infusion-bolus');
    const row = physician.getByTestId(`infusion-event-override-${bolus.id}`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toMatch(/OVERRIDE by Test physician: breakthrough pain 9\/10, airway team present.*0\.4 mg\/kg \(limit 0\.35 mg\/kg\)/);
    await expect.poll(() => nurse.getByTestId(`infusion-event-override-${bolus.id}`).count(), { timeout: 10_000 }).toBe(1);
  });

  it('stop asks for confirmation; cancelling keeps the infusion running', async () => {
    await nurse.getByTestId('infusion-stop').click();
    const dialog = nurse.getByTestId('dose-dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.getAttribute('data-kind')).toBe('confirm');
    expect(await nurse.getByTestId('dose-dialog-summary').textContent()).toMatch(/Stop the infusion \(now 0\.50 mg\/kg\/h/);
    expect(await focused(nurse)).toBe('dose-dialog-confirm');
    await nurse.getByTestId('dose-dialog-cancel').click();
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(await events()).toEqual(['start:0.5', 'bolus:28']);
    await nurse.getByTestId('infusion-stop').click();
    await dialog.waitFor({ timeout: 10_000 });
    await nurse.keyboard.press('Enter');
    await expect.poll(() => nurse.getByTestId('infusion-status').first().textContent(), { timeout: 10_000 }).toMatch(/stopped/i);
    expect(await events()).toEqual(['start:0.5', 'bolus:28', 'stop:null']);
  });

  it('rescue doses: the formulary dose shown before submit, soft above it (the nurse confirms with a reason), refused at twice it, and "no site dose on file" never invented', async () => {
    const rescues = () => s.app.care.rescueDoses(sessionId).map((d) => `${d.drugId}:${d.doseMg}`);
    await nurse.getByTestId('rescue-drug-session').selectOption('midazolam');
    await nurse.getByTestId('rescue-dose-session').fill('50');
    await expect.poll(() => nurse.getByTestId('rescue-dose-session').getAttribute('data-mark'), { timeout: 10_000 }).toBe('hard');
    expect(await nurse.getByTestId('rescue-limits-session').textContent()).toContain('Midazolam above the formulary dose: ≤ 3.5 mg (soft)');
    await nurse.getByTestId('rescue-submit-session').click();
    await expect.poll(() => nurse.getByTestId('rescue-error-session').getAttribute('data-kind'), { timeout: 10_000 }).toBe('hard-limit');
    expect(await nurse.getByTestId('rescue-error-session').textContent()).toContain('Midazolam at 2 times the formulary dose or more: 50 mg, limit ≥ 7 mg');
    expect(rescues()).toEqual([]);

    await nurse.getByTestId('rescue-dose-session').fill('5');
    await expect.poll(() => nurse.getByTestId('rescue-dose-session').getAttribute('data-mark'), { timeout: 10_000 }).toBe('soft');
    await nurse.getByTestId('rescue-submit-session').click();
    const dialog = nurse.getByTestId('dose-dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await nurse.getByTestId('dose-dialog-crossings').textContent()).toContain('Source: site formulary: Midazolam 0.03-0.05 mg/kg IV');
    expect(await nurse.getByTestId('dose-dialog-physician').count()).toBe(0);
    await nurse.getByTestId('dose-dialog-reason').fill('agitation persisting after 2 mg');
    await nurse.keyboard.press('Enter');
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(rescues()).toEqual(['midazolam:5']);
    const given = s.app.care.rescueDoses(sessionId)[0]!;
    expect(given.override?.reason).toBe('agitation persisting after 2 mg');
    await nurse.getByTestId(`rescue-dose-override-${given.id}`).waitFor({ timeout: 10_000 });

    await nurse.getByTestId('rescue-drug-session').selectOption('lorazepam');
    await nurse.getByTestId('rescue-dose-session').fill('1');
    expect(await nurse.getByTestId('rescue-limits-session').textContent()).toContain('no site dose on file');
    await nurse.getByTestId('rescue-submit-session').click();
    await expect.poll(() => rescues(), { timeout: 10_000 }).toEqual(['midazolam:5', 'lorazepam:1']);
    const lorazepam = s.app.care.rescueDoses(sessionId)[1]!;
    expect(await nurse.getByTestId(`rescue-dose-note-${lorazepam.id}`).textContent()).toBe('no site dose on file');
  });

  it('an order changed on another screen: the nurse form checks against it and her page shows the new version', async () => {
    await writeOrder(s.physician, sessionId, { setting: 'monitored_unit', rateMaxMgKgH: 1.2, bolusMaxMgKg: 0.5 });
    await nurse.getByTestId('infusion-rate').fill('1.3');
    await expect.poll(() => nurse.getByTestId('infusion-rate').getAttribute('data-mark'), { timeout: 10_000 }).toBe('hard');
    expect(await nurse.getByTestId('rate-limits').textContent()).toContain('Order v2: 0.5–1.2 mg/kg/h');
    await expect.poll(() => nurse.getByTestId('order-current').getAttribute('data-version'), { timeout: 10_000 }).toBe('2');
    expect(await nurse.getByTestId('order-current').textContent()).toContain('0.5–1.2 mg/kg/h');
  });

  it('the physician reads the guardrail compliance report: alerts, overrides with reasons, refusals by limit', async () => {
    await physician.getByTestId('reports-link').click();
    const report = physician.getByTestId('guardrail-report');
    await report.waitFor({ timeout: 10_000 });
    // The nurse's unconfirmed bolus (2 limits) is an alert each, the physician's confirmed one an override each, the
    // confirmed midazolam one more override; the 15 mg/kg/h and 50 mg midazolam a refusal per hard limit.
    expect(Number(await physician.getByTestId('guardrail-alerts').textContent())).toBeGreaterThanOrEqual(2);
    expect(Number(await physician.getByTestId('guardrail-overrides').textContent())).toBe(3);
    expect(Number(await physician.getByTestId('guardrail-refusals').textContent())).toBeGreaterThanOrEqual(2);
    expect(await physician.locator('[data-testid="guardrail-limits"] tr[data-limit="dose.rate.max"]').textContent()).toContain('hard');
    const reasons = (await physician.getByTestId('guardrail-reasons').textContent()) ?? '';
    expect(reasons).toContain('breakthrough pain 9/10, airway team present');
    expect(reasons).toContain('agitation persisting after 2 mg');
    // The page shows the server's figures.
    const direct = await api<{ softAlerts: number; overrides: number; hardRefusals: number }>(s.physician, 'GET', `/api/reports/guardrails?unit=infusion-suite&from=0&to=${Date.now() + 1000}`);
    expect(await physician.getByTestId('guardrail-alerts').textContent()).toBe(String(direct.body.data.softAlerts));
    expect(await physician.getByTestId('guardrail-refusals').textContent()).toBe(String(direct.body.data.hardRefusals));
    await report.scrollIntoViewIfNeeded();
    await physician.screenshot({ path: join(SCREENSHOTS, 'guardrail-report.png'), fullPage: true });
  });
  it('a bolus within every limit still asks for confirmation: Escape gives nothing, Enter gives it', async () => {
    const clinic = (await createSession(s.nurse, { patientLabel: 'Chair 9 pt', location: 'Chair 9' })).id;
    await prepareStart(s, s.nurse, clinic);
    await writeOrder(s.physician, clinic);
    await nurse.goto(s.url);
    await nurse.getByTestId(`tile-${clinic}`).click();
    await nurse.getByTestId('order-panel').waitFor();
    await nurse.getByTestId('infusion-bolus-dose').fill('7');
    await expect.poll(() => nurse.getByTestId('bolus-limits').textContent(), { timeout: 10_000 }).toContain('Bolus above the ordered maximum: ≤ 0.2 mg/kg');
    expect(await nurse.getByTestId('infusion-bolus-dose').getAttribute('data-mark')).toBe('ok');
    const given = async () => (await s.app.sessions.events(clinic)).filter((e) => e.type === 'bolus').length;
    await nurse.getByTestId('infusion-bolus').click();
    const dialog = nurse.getByTestId('dose-dialog');
    await dialog.waitFor({ timeout: 10_000 });
    expect(await dialog.getAttribute('data-kind')).toBe('confirm');
    expect(await nurse.getByTestId('dose-dialog-summary').textContent()).toContain('Give a bolus of 7 mg (0.10 mg/kg');
    await nurse.keyboard.press('Escape');
    await expect.poll(() => dialog.count(), { timeout: 10_000 }).toBe(0);
    expect(await given()).toBe(0);
    await nurse.getByTestId('infusion-bolus').click();
    await dialog.waitFor({ timeout: 10_000 });
    await nurse.keyboard.press('Enter');
    await expect.poll(given, { timeout: 10_000 }).toBe(1);
    expect((await s.app.sessions.events(clinic)).find((e) => e.type === 'bolus')?.override ?? null).toBeNull();
  });
});
