import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';

/**
 * The physician's inbox and the admission form in real Chromium: the physician acknowledges and answers
 * an escalation from the inbox, the nurse's session page and tile show the answer; a nurse opens a
 * session, first with a refused field, then successfully, and finds it on the overview.
 */
describe('physician inbox and admission form in the browser', () => {
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
    sessionId = (await createSession(s.nurse, { patientLabel: 'Bay-3 pt', location: 'Chair 3', supervisingPhysician: 'Test physician' })).id;
    await createSession(s.nurse, { patientLabel: 'Bay-5 pt', location: 'Chair 5', supervisingPhysician: 'Dr Other' });
    dev = device(s);
    await connected(dev);
    await frame();
    browser = await launchBrowser();
    nurse = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    physician = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close();
  });

  it('the physician acknowledges and answers an escalation from the inbox; the nurse sees the answer at the bedside', async () => {
    await login(physician, 'physician');
    await login(nurse, 'nurse');
    await nurse.getByTestId(`tile-${sessionId}`).click();
    await nurse.getByTestId('session-page').waitFor();

    await frame({ hr: 165 }); // high: the physicians are paged at once
    await physician.getByTestId('inbox-link').click();
    const inbox = physician.getByTestId('inbox');
    await inbox.waitFor();
    const row = inbox.locator('[data-testid^="escalation-"][data-level][data-state="open"]').first();
    await row.waitFor({ timeout: 10_000 });
    // The header's escalation list gives way to the inbox on this page: each escalation is shown once.
    expect(await physician.getByTestId('escalations').count()).toBe(0);
    expect(await row.textContent()).toMatch(/Chair 3 · Bay-3 pt.*HR 165 > 150/);
    await expect.poll(() => physician.getByTestId('inbox-link').getAttribute('data-count')).toBe('1');
    // Every session of the unit is listed, the physician's own first.
    const supervised = await inbox.locator('.supervised').allTextContents();
    expect(supervised[0]).toContain('Chair 3 · Bay-3 pt');
    expect(supervised).toHaveLength(2);
    const escId = (await row.getAttribute('data-testid'))!.replace('escalation-', '');

    await physician.getByTestId(`escalation-respond-${escId}`).click();
    // An empty answer is refused with the field's reason; nothing is sent.
    await physician.getByTestId(`escalation-response-${escId}-send`).click();
    await expect.poll(() => physician.getByTestId(`escalation-response-${escId}-error-text`).textContent(), { timeout: 10_000 }).toBe('must not be empty');
    await physician.getByTestId(`escalation-response-${escId}-text`).fill('reduce to 0.3 mg/kg/h');
    await physician.screenshot({ path: join(SCREENSHOTS, 'inbox-respond.png') });
    await physician.getByTestId(`escalation-response-${escId}-send`).click();

    // Answering acknowledges it: it leaves the open list for the acknowledged one.
    await physician.getByTestId('inbox-acknowledged').getByTestId(`escalation-${escId}`).waitFor({ timeout: 10_000 });
    expect(await physician.getByTestId(`escalation-${escId}`).getAttribute('data-state')).toBe('acknowledged');
    await expect.poll(() => physician.getByTestId('inbox-link').getAttribute('data-count')).toBe('0');
    await expect.poll(() => physician.getByTestId(`response-${sessionId}`).textContent()).toContain('reduce to 0.3 mg/kg/h');
    await physician.screenshot({ path: join(SCREENSHOTS, 'inbox-answered.png') });
    // After a reload the inbox still lists what was answered (from the server, not the page's memory).
    await physician.reload();
    await physician.getByTestId('inbox-acknowledged').getByTestId(`escalation-${escId}`).waitFor({ timeout: 10_000 });

    // The nurse's session page shows it at once, then the tile on the overview.
    const note = nurse.getByTestId('session-page').getByTestId(`response-${sessionId}`);
    await expect.poll(() => note.textContent(), { timeout: 10_000 }).toMatch(/Test physician:\s*reduce to 0\.3 mg\/kg\/h,\s*just now/);
    await nurse.screenshot({ path: join(SCREENSHOTS, 'bedside-response.png') });
    await nurse.getByText('← All infusions').click();
    await expect.poll(() => nurse.getByTestId(`tile-${sessionId}`).getByTestId(`response-${sessionId}`).textContent(), { timeout: 10_000 }).toContain('reduce to 0.3 mg/kg/h');
  });

  it('a nurse opens a session: a refused field is shown under it, then the session is created and shown on the overview', async () => {
    await nurse.goto(`${s.url}/#/`);
    await nurse.getByTestId('admit-link').click();
    await nurse.getByTestId('admit-form').waitFor();
    await nurse.getByTestId('admit-patientLabel').fill('Bay-9 pt');
    await nurse.getByTestId('admit-location').fill('Chair 9');
    await nurse.getByTestId('admit-weightKg').fill('720');
    await nurse.getByTestId('admit-ageYears').fill('44');
    await nurse.getByTestId('admit-indication').fill('treatment-resistant depression');
    await nurse.getByTestId('admit-supervisingPhysician').fill('Test physician');
    await nurse.getByTestId('admit-submit').click();
    await expect.poll(() => nurse.getByTestId('admit-error-weightKg').textContent(), { timeout: 10_000 }).toBe('must be 2 to 400 kg');
    await nurse.screenshot({ path: join(SCREENSHOTS, 'admission-refused.png') });
    expect(await nurse.locator('.tile').count()).toBe(0); // still on the form

    await nurse.getByTestId('admit-weightKg').fill('72');
    await nurse.getByTestId('admit-submit').click();
    await nurse.getByTestId('overview').waitFor({ timeout: 10_000 });
    const tile = nurse.locator('[data-testid^="tile-"]', { hasText: 'Bay-9 pt' });
    await tile.waitFor({ timeout: 10_000 });
    expect(await tile.textContent()).toContain('Chair 9');
    await nurse.screenshot({ path: join(SCREENSHOTS, 'admission-created.png') });
    const created = s.app.db.prepare("SELECT weight_kg, nurse FROM sessions WHERE patient_label = 'Bay-9 pt'").all();
    expect(created).toEqual([{ weight_kg: 72, nurse: 'Test nurse' }]);
  });
});
