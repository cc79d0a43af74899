import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, TEST_PASSWORD, type DeviceSocket, type TestServer } from '../support/server';

/**
 * The real dashboard in headless Chromium against a real server: a simulated session updates live,
 * low-SpO2 frames raise an alarm, a nurse acknowledges it, and losing the server shows the banner.
 */
describe('dashboard in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let dev: DeviceSocket;
  let sessionId: string;
  let seq = 0;
  // Event time runs ahead of the wall clock from two minutes back, so 10 s of low SpO2 takes 2 s here.
  let t = Date.now() - 120_000;

  // One frame a second of event time; each waits for its ack (committed and judged), and the page is
  // then polled for what it must show, so no wall-clock pacing is needed.
  const sendFrames = async (n: number, v: Record<string, number>) => {
    for (let i = 0; i < n; i++) {
      seq++;
      t += 1000;
      await dev.emitWithAck('frames', [{ sessionId, seq, t, hr: 78, sbp: 124, dbp: 79, map: 94, spo2: 97, etco2: 37, rr: 14, ...v }]);
    }
  };

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    s = await startServer({ clientDist: CLIENT_DIST });
    const session = await createSession(s.nurse, { simulated: true, patientLabel: 'SIM-E2E', location: 'Chair 9' });
    sessionId = session.id;
    dev = device({ url: s.url, deviceKey: s.simDeviceKey });
    await connected(dev);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close().catch(() => {});
  });

  it('asks for a login, refuses a wrong password, then shows the monitor', async () => {
    await page.goto(s.url);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('login-username').fill('nurse');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), { timeout: 10_000 }).toContain('invalid username or password');
    await page.screenshot({ path: join(SCREENSHOTS, 'login-refused.png') });
    await page.getByTestId('login-password').fill(TEST_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('current-user').getAttribute('data-role'), { timeout: 10_000 }).toBe('nurse');
  });

  it('shows the simulated session tile with live numerics', async () => {
    const tile = page.getByTestId(`tile-${sessionId}`);
    await tile.waitFor();
    expect(await tile.getByTestId('simulated-badge').count()).toBeGreaterThan(0);
    await sendFrames(2, { hr: 81 });
    await expect.poll(() => tile.getByTestId('value-hr').textContent(), { timeout: 10_000 }).toBe('81');
    await sendFrames(1, { hr: 93 });
    await expect.poll(() => tile.getByTestId('value-hr').textContent(), { timeout: 10_000 }).toBe('93');
    expect(await tile.getByTestId('value-spo2').textContent()).toBe('97');
  });

  it('raises a high alarm after 10 s of SpO2 below 88 and lets the nurse acknowledge it', async () => {
    await sendFrames(11, { spo2: 85 });
    const banner = page.getByTestId('alarm-banner');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('SpO2 85 < 88');
    await page.screenshot({ path: join(SCREENSHOTS, 'overview-alarm.png'), fullPage: true });

    await page.getByTestId(`tile-${sessionId}`).click();
    await page.getByTestId('session-page').waitFor();
    const row = page.locator('[data-testid^="alarm-"][data-state]').first();
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('active');
    expect(await row.getAttribute('data-priority')).toBe('high');
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    expect(await page.getByTestId('session-page').getByTestId('simulated-badge').count()).toBeGreaterThan(0);
    await page.getByTestId(`ack-${id}`).click();
    await expect.poll(() => page.getByTestId(`alarm-${id}`).getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    await page.getByTestId('chart-hr').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'session-acknowledged.png'), fullPage: true });
  });

  it('shows "Connection lost — alarms are not being received" within 5 s of losing the server', async () => {
    const lostBanner = page.getByTestId('connection-banner');
    expect(await lostBanner.isVisible()).toBe(false);
    const stoppedAt = Date.now();
    await s.close();
    await lostBanner.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await lostBanner.textContent()).toContain('Connection lost — alarms are not being received');
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    await page.screenshot({ path: join(SCREENSHOTS, 'connection-lost.png'), fullPage: true });
  });
});
