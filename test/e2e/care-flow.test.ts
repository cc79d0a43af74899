import { CONTRAINDICATIONS } from '@infusion/shared';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';

/**
 * A real infusion through the dashboard: the nurse scores sedation and pain, answers the pre-infusion
 * checklist and starts; a high alarm shows its first actions and rescue classes; the physician, paged
 * on their own screen, acknowledges the escalation.
 */
describe('nurse and physician in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let nurse: Page;
  let physician: Page;
  let dev: DeviceSocket;
  let sessionId: string;
  let seq = 0;

  const frame = (v: Record<string, number> = {}) => dev.emitWithAck('frames', [{ sessionId, seq: ++seq, t: Date.now(), hr: 76, sbp: 122, dbp: 78, map: 93, spo2: 98, etco2: 37, rr: 14, ...v }]);
  const login = async (page: Page, username: string) => {
    await loginAs(page, s.url, username);
  };

  beforeAll(async () => {
    s = await startServer({ clientDist: CLIENT_DIST });
    sessionId = (await createSession(s.nurse, { patientLabel: 'Bay-2 pt', location: 'Chair 2' })).id;
    dev = device(s);
    await connected(dev);
    await frame();
    browser = await launchBrowser();
    nurse = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
    physician = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close();
  });

  it('refuses the start until the checklist passes, then starts the infusion', async () => {
    await login(nurse, 'nurse');
    await nurse.getByTestId(`tile-${sessionId}`).click();
    await nurse.getByTestId('prestart-panel').waitFor();

    // Start before anything is documented: refused, with the reason on screen.
    await nurse.getByTestId('infusion-rate').fill('0.5');
    await nurse.getByTestId('infusion-start').click();
    await expect.poll(() => nurse.getByTestId('infusion-error').textContent(), { timeout: 10_000 }).toContain('checklist');

    for (const [scale, score] of [['RASS', '0'], ['NRS_PAIN', '6']] as const) {
      await nurse.getByTestId('obs-scale').selectOption(scale);
      await nurse.getByTestId('obs-score').fill(score);
      await nurse.getByTestId('obs-submit').click();
      await expect.poll(() => nurse.getByTestId(scale === 'RASS' ? 'last-sedation' : 'last-pain').textContent(), { timeout: 10_000 }).toContain(score);
    }
    for (const c of CONTRAINDICATIONS) await nurse.getByTestId(`ci-${c.id}-no`).check();
    await nurse.getByTestId('ci-pregnancy-negative').check();
    for (const id of ['chk-consent', 'chk-physician', 'chk-resus', 'chk-rescue']) await nurse.getByTestId(id).check();
    await nurse.getByTestId('chk-rate').fill('0.5');
    await nurse.getByTestId('checklist-submit').click();
    await nurse.getByTestId('checklist-result').waitFor();
    await expect.poll(() => nurse.locator('[data-testid^="checklist-item-"][data-ok="false"]').count(), { timeout: 10_000 }).toBe(0);
    await nurse.screenshot({ path: join(SCREENSHOTS, 'checklist-passed.png'), fullPage: true });

    await nurse.getByTestId('infusion-start').click();
    await expect.poll(() => nurse.getByTestId('infusion-status').first().textContent(), { timeout: 10_000 }).toMatch(/running/i);
    // Every per-kg figure says which weight it is on (the site's choice; the guideline names none).
    expect(await nurse.getByTestId('dosing-weight-basis').textContent()).toBe('per kg actual body weight, 70 kg');
    expect(await nurse.getByTestId('dosing-weight').first().textContent()).toBe('per kg actual body weight, 70 kg');
    // A rate above any reported dose is refused before it is stored, naming the limit and its source.
    await nurse.getByTestId('infusion-rate').fill('20');
    await nurse.getByTestId('infusion-change').click();
    await expect.poll(() => nurse.getByTestId('infusion-error').getAttribute('data-kind'), { timeout: 10_000 }).toBe('hard-limit');
    const refusal = (await nurse.getByTestId('infusion-error').textContent()) ?? '';
    expect(refusal).toContain('cannot be overridden at the bedside');
    expect(refusal).toContain('Infusion rate above any reported dose: 20 mg/kg/h, limit > 7 mg/kg/h');
    expect(refusal).toContain('Source: ASRA/AAPM/ASA 2018');
    expect((await s.app.sessions.events(sessionId)).map((e) => e.type)).toEqual(['start']);
  });

  it('shows a high alarm with its first actions and rescue classes, and pages the physician', async () => {
    await login(physician, 'physician');
    await frame({ hr: 120 });
    await frame({ hr: 172 });
    const row = nurse.locator('[data-testid^="alarm-"][data-state][data-priority="high"]').first();
    await row.waitFor({ timeout: 10_000 });
    const alarmId = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    expect(await nurse.getByTestId(`alarm-actions-${alarmId}`).textContent()).toMatch(/stop the infusion/i);
    expect(await nurse.getByTestId(`alarm-rescue-${alarmId}`).textContent()).toMatch(/Beta-blocker — tachycardia, hypertension \(ASRA\/AAPM\/ASA 2018 Q6\)/);
    await nurse.screenshot({ path: join(SCREENSHOTS, 'alarm-actions.png'), fullPage: true });

    // The physician's one place for escalations: the inbox badge counts it and opens the inbox.
    await expect.poll(() => physician.getByTestId('inbox-link').getAttribute('data-count'), { timeout: 10_000 }).toBe('1');
    await physician.getByTestId('inbox-link').click();
    const esc = physician.locator('[data-testid^="escalation-"][data-level]').first();
    await esc.waitFor({ timeout: 10_000 });
    expect(await esc.getAttribute('data-level')).toBe('1');
    expect(await esc.textContent()).toContain('HR 172 > 150');
    await physician.screenshot({ path: join(SCREENSHOTS, 'physician-escalation.png'), fullPage: true });
    const escId = (await esc.getAttribute('data-testid'))!.replace('escalation-', '');
    await physician.getByTestId(`escalation-ack-${escId}`).click();
    await expect
      .poll(async () => (await physician.getByTestId(`escalation-${escId}`).count()) === 0 || (await physician.getByTestId(`escalation-${escId}`).getAttribute('data-state')) === 'acknowledged', { timeout: 10_000 })
      .toBe(true);
  });

  it('shows the tighter respiratory limits on the session page once midazolam is documented', async () => {
    expect(await nurse.getByTestId('changed-limits').count()).toBe(0);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sessionId}/rescue`, { drugId: 'midazolam', doseMg: 2 })).status).toBe(201);
    const panel = nurse.getByTestId('changed-limits');
    await panel.waitFor({ timeout: 10_000 });
    expect(await panel.textContent()).toContain('Respiratory rate low: limit 10 → 12 (benzodiazepine or opioid given)');
    await nurse.screenshot({ path: join(SCREENSHOTS, 'sedative-limits.png'), fullPage: true });
  });
});
