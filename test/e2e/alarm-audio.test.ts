import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEVELOPER_TEXT } from '@infusion/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';

/**
 * Alarm sound in real Chromium: the login click starts the audio graph (no separate switch to forget),
 * an alarm plays its burst, and nothing on the screen silences every session at once.
 */
describe('alarm sound in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let dev: DeviceSocket;
  let sessionId: string;
  let seq = 0;
  let t = Date.now() - 120_000;

  const sendFrames = async (n: number, v: Record<string, number>) => {
    for (let i = 0; i < n; i++) {
      seq++;
      t += 1000;
      await dev.emitWithAck('frames', [{ sessionId, seq, t, hr: 78, sbp: 124, dbp: 79, map: 94, spo2: 97, etco2: 37, rr: 14, ...v }]);
    }
  };
  const audio = () => page.getByTestId('audio-status');
  // Read from the page itself: the AudioContext state and the bursts it has played.
  const audioGraph = () =>
    page.evaluate(() => {
      const el = document.querySelector('[data-testid="audio-status"]');
      return el ? { state: el.getAttribute('data-audio-state'), bursts: Number(el.getAttribute('data-bursts')) } : null;
    });

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    s = await startServer({ clientDist: CLIENT_DIST });
    sessionId = (await createSession(s.nurse, { patientLabel: 'AUDIO-E2E', location: 'Chair 6' })).id;
    dev = device({ url: s.url, deviceKey: s.deviceKey });
    await connected(dev);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close().catch(() => {});
  });

  it('starts the audio graph with the login click, with no switch that turns sound off', async () => {
    await loginInBrowser(page, s.url, 'nurse');
    await page.getByTestId(`tile-${sessionId}`).waitFor();
    await expect.poll(audioGraph, { timeout: 10_000 }).toEqual({ state: 'running', bursts: 0 });
    expect(await audio().textContent()).toBe('Sound on');
    // Sound on is a status, not a control: clicking it changes nothing.
    expect(await audio().evaluate((el) => el.tagName)).not.toBe('BUTTON');
    await audio().click();
    expect((await audioGraph())?.state).toBe('running');
  });

  it('plays the alarm burst when an alarm is raised', async () => {
    await sendFrames(11, { spo2: 85 });
    await expect.poll(() => page.getByTestId('alarm-banner').textContent(), { timeout: 10_000 }).toContain('SpO2 85 < 88');
    await expect.poll(async () => (await audioGraph())?.bursts ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'alarm-sound-on.png') });
  });

  it('pauses sound per session only, and says so on screen', async () => {
    await page.getByTestId(`tile-${sessionId}`).click();
    // Every countdown text the page ever puts in the DOM (header and banner), however briefly.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { countdowns: string[] }).countdowns = seen;
      const read = () => document.querySelectorAll('.audio-paused').forEach((el) => seen.push(/(\d+:\d\d)$/.exec(el.textContent ?? '')?.[1] ?? '?'));
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const countdowns = () => page.evaluate(() => (window as unknown as { countdowns: string[] }).countdowns.slice());
    const seconds = (m: string) => Number(m.split(':')[0]) * 60 + Number(m.split(':')[1]);
    await page.getByTestId(`audio-pause-${sessionId}`).click();
    await expect.poll(() => page.getByTestId('alarm-banner').textContent(), { timeout: 10_000 }).toMatch(/Chair 6 · AUDIO-E2E: Audio paused \d+:\d\d/);
    // The graph keeps running: a new high alarm of any session is heard again at once.
    expect((await audioGraph())?.state).toBe('running');
    // A 2-minute pause reads 2:00 first and never more, also when restarted while its countdown ticks.
    await expect.poll(async () => Math.min(...(await countdowns()).map(seconds)), { timeout: 10_000 }).toBeLessThanOrEqual(118);
    const before = (await countdowns()).length;
    await page.getByTestId(`audio-pause-${sessionId}`).click();
    await expect.poll(async () => (await countdowns()).slice(before).includes('2:00'), { timeout: 10_000 }).toBe(true);
    const all = await countdowns();
    expect(all[0]).toBe('2:00');
    expect(all.filter((m) => seconds(m) > 120 || m === '?')).toEqual([]);
  });

  it('shows clinicians no file names, rule ids, internal user ids or placeholders', async () => {
    // A tachycardia alarm lists the rescue drugs of the site formulary, where "(site to specify)" lives.
    await sendFrames(12, { spo2: 97, hr: 165 });
    await expect.poll(() => page.getByTestId('session-page').textContent(), { timeout: 10_000 }).toContain('HR 165 > 150');
    const row = page.locator('[data-testid^="alarm-"][data-state="active"]').first();
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    await page.getByTestId(`ack-${id}`).click();
    await expect.poll(() => page.getByTestId(`alarm-${id}`).getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).toContain('Beta-blocker');
    expect(shown).toContain('Test nurse at');
    expect(DEVELOPER_TEXT.filter((p) => p.test(shown)).map(String)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-clinician-text.png'), fullPage: true });
  });

  it('operates by keyboard: help, acknowledge the top alarm, never while typing, move and open sessions', async () => {
    const activeRows = page.getByTestId('session-page').locator('[data-testid^="alarm-"][data-state="active"]');
    expect(await activeRows.count()).toBeGreaterThan(0);
    // Alarms keep changing on their own (a cleared condition resolves one), so the check is on acknowledgements:
    // typing must acknowledge nothing.
    const acknowledged = () =>
      page
        .getByTestId('session-page')
        .locator('[data-testid^="alarm-"][data-state="acknowledged"]')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
    const ackedBefore = new Set(await acknowledged());
    // A key typed into a form field is text, not a shortcut.
    const field = page.getByTestId('session-page').locator('textarea:visible, input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=number]):visible').first();
    await field.focus();
    await page.keyboard.type('a');
    expect(await field.inputValue()).toBe('a');
    expect(await page.getByTestId('shortcut-status').count()).toBe(0);
    expect((await acknowledged()).filter((id) => !ackedBefore.has(id))).toEqual([]);
    await field.fill('');
    await field.blur();

    await page.keyboard.press('?');
    await page.getByTestId('shortcut-help').waitFor();
    expect(await page.getByTestId('shortcut-help').textContent()).toContain('Acknowledge the highest unacknowledged alarm');
    await page.screenshot({ path: join(SCREENSHOTS, 'keyboard-help.png') });
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });

    const top = (await activeRows.first().getAttribute('data-testid'))!;
    await page.keyboard.press('a');
    // The top row is the alarm the shortcut acknowledges (the list puts the highest active first); a latched
    // alarm whose condition has cleared is resolved by the acknowledgement.
    await expect.poll(() => page.getByTestId(top).getAttribute('data-state'), { timeout: 10_000 }).toMatch(/^(acknowledged|resolved)$/);
    expect(await page.getByTestId('shortcut-status').textContent()).toMatch(/^Acknowledged: Chair 6 · AUDIO-E2E: /);

    await page.keyboard.press('Escape');
    await page.getByTestId(`tile-${sessionId}`).waitFor();
    await page.keyboard.press('j');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe(`tile-${sessionId}`);
    await page.keyboard.press('o');
    await page.getByTestId('session-page').waitFor();
  });
});
