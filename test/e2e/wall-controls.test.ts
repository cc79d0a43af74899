import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';

/**
 * The wall screen's controls in real Chromium against a real server: sort and filter by nurse, keyboard
 * navigation in the displayed order, pausing the sound of one alarm (shown on every screen), and the
 * physician's one place for escalations (the inbox badge), which after a reload lists only open ones.
 */
describe('wall screen controls and the physician inbox', () => {
  const NURSES = ['RN Okafor', 'RN Adams', 'RN Lee', 'RN Adams', 'RN Lee', 'RN Okafor'];
  let s: TestServer;
  let browser: Browser;
  let nurse: Page;
  let physician: Page;
  let dev: DeviceSocket;
  const ids: string[] = [];
  const seq = new Map<string, number>();
  let t = Date.now() - 60_000;

  /** One frame per session per second of event time; `low` sessions have SpO2 85 (a high alarm after 10 s). */
  const sendFrames = async (n: number, low: string[] = []) => {
    for (let k = 0; k < n; k++) {
      t += 1000;
      const frames = ids.map((sessionId) => {
        const next = (seq.get(sessionId) ?? 0) + 1;
        seq.set(sessionId, next);
        return { sessionId, seq: next, t, hr: 72, sbp: 124, dbp: 79, map: 94, spo2: low.includes(sessionId) ? 85 : 97, etco2: 37, rr: 14 };
      });
      await dev.emitWithAck('frames', frames);
    }
  };

  /** Tile ids in screen order (rows top to bottom, left to right). */
  const screenOrder = async (page: Page) =>
    (
      await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('[data-testid^="tile-"]')].map((el) => {
          const r = el.getBoundingClientRect();
          return { id: el.dataset.testid!.slice('tile-'.length), x: r.x, y: r.y };
        }),
      )
    )
      .sort((a, b) => a.y - b.y || a.x - b.x)
      .map((b) => b.id);
  const focusedTile = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid')?.replace('tile-', '') ?? null);

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    s = await startServer({ clientDist: CLIENT_DIST });
    for (let i = 0; i < NURSES.length; i++) {
      const session = await createSession(s.nurse, { patientLabel: `Pt-${i + 1}`, location: `Chair ${i + 1}`, nurse: NURSES[i]!, supervisingPhysician: 'Test physician' });
      ids.push(session.id);
    }
    dev = device(s);
    await connected(dev);
    await sendFrames(1);
    browser = await launchBrowser();
    nurse = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    physician = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await loginAs(nurse, s.url, 'nurse');
    await nurse.getByTestId(`tile-${ids[0]}`).waitFor();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close();
  });

  it("sorts by nurse (each nurse's sessions together, by chair) and filters to one nurse", async () => {
    await nurse.getByTestId('overview-sort').selectOption('nurse');
    // Adams: chairs 2, 4; Lee: 3, 5; Okafor: 1, 6.
    const byNurse = [ids[1], ids[3], ids[2], ids[4], ids[0], ids[5]];
    await expect.poll(() => screenOrder(nurse)).toEqual(byNurse);
    expect(await nurse.getByTestId(`nurse-of-${ids[1]}`).textContent()).toBe('RN Adams');
    await nurse.getByTestId('overview-nurse').selectOption('RN Lee');
    await expect.poll(() => screenOrder(nurse)).toEqual([ids[2], ids[4]]);
    expect(await nurse.getByTestId('overview-count').textContent()).toContain('4 hidden by the filter');
    await nurse.screenshot({ path: join(SCREENSHOTS, 'wall-filter-nurse.png') });
    await nurse.getByTestId('overview-nurse').selectOption('');
    await expect.poll(async () => (await screenOrder(nurse)).length).toBe(NURSES.length);
  });

  it('j / k move through the tiles in the order they are displayed, and on a session page too', async () => {
    await nurse.getByTestId('overview-sort').selectOption('nurse');
    const shown = await screenOrder(nurse);
    await nurse.locator('body').click({ position: { x: 5, y: 1070 } });
    const visited: (string | null)[] = [];
    for (let i = 0; i < shown.length; i++) {
      await nurse.keyboard.press('j');
      visited.push(await focusedTile(nurse));
    }
    expect(visited).toEqual(shown);
    // The shortcut list is an overlay over the page (not pushed into the page flow where it moves the tiles).
    await nurse.keyboard.press('?');
    expect(await nurse.getByTestId('shortcut-help').evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    await nurse.keyboard.press('Escape');
    await nurse.getByTestId('shortcut-help').waitFor({ state: 'detached' });
    await nurse.getByTestId(`tile-${visited.at(-1)}`).focus();
    await nurse.keyboard.press('k');
    expect(await focusedTile(nurse)).toBe(shown.at(-2));

    // Filtered to one nurse, j cycles through that nurse's tiles only.
    await nurse.getByTestId('overview-nurse').selectOption('RN Okafor');
    await expect.poll(() => screenOrder(nurse)).toEqual([ids[0], ids[5]]);
    await nurse.locator('body').click({ position: { x: 5, y: 1070 } });
    const cycled: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await nurse.keyboard.press('j');
      cycled.push(await focusedTile(nurse));
    }
    expect(cycled).toEqual([ids[0], ids[5], ids[0]]);

    // Opened from the overview, the session page steps to the next displayed session (chair 1 → chair 6).
    await nurse.keyboard.press('Enter');
    await expect.poll(() => nurse.getByTestId('session-page').getAttribute('data-session-id')).toBe(ids[0]);
    await nurse.keyboard.press('j');
    await expect.poll(() => nurse.getByTestId('session-page').getAttribute('data-session-id')).toBe(ids[5]);
    await nurse.keyboard.press('Escape');
    await nurse.getByTestId('overview').waitFor();
    await nurse.getByTestId('overview-nurse').selectOption('');
    await nurse.getByTestId('overview-sort').selectOption('chair');
  });

  it("pauses one alarm's sound from its banner line: the countdown is on every screen, the alarm stays shown", async () => {
    await loginAs(physician, s.url, 'physician');
    await sendFrames(12, [ids[2]!]);
    const line = nurse.locator('[data-testid^="banner-alarm-"][data-priority="high"]').first();
    await line.waitFor({ timeout: 10_000 });
    const alarmId = (await line.getAttribute('data-testid'))!.replace('banner-alarm-', '');
    await nurse.getByTestId(`alarm-audio-pause-${alarmId}`).click();

    // The nurse's header says which alarm is paused and for how long; the alarm line and the tile too.
    const paused = nurse.getByTestId(`banner-alarm-paused-${alarmId}`);
    await expect.poll(() => paused.textContent(), { timeout: 10_000 }).toMatch(/Chair 3 · Pt-3: .*Audio paused [12]:\d\d/);
    expect(await line.getByTestId(`alarm-audio-paused-${alarmId}`).textContent()).toMatch(/^Audio paused [12]:\d\d$/);
    expect(await nurse.getByTestId(`tile-${ids[2]}`).getByTestId(`alarm-audio-paused-${alarmId}`).count()).toBe(1);
    expect(await line.getAttribute('data-state')).toBe('active');
    // The pause control sits on the alarm's own line, so the header keeps its height.
    const lineBox = (await line.locator('a').boundingBox())!;
    const pauseBox = (await nurse.getByTestId(`alarm-audio-pause-${alarmId}`).boundingBox())!;
    expect(pauseBox.y).toBeLessThan(lineBox.y + lineBox.height);
    expect(pauseBox.x).toBeGreaterThan(lineBox.x);
    await nurse.screenshot({ path: join(SCREENSHOTS, 'wall-alarm-audio-paused.png') });
    // Another screen (the physician's) shows the same pause.
    await expect.poll(() => physician.getByTestId(`banner-alarm-paused-${alarmId}`).textContent(), { timeout: 10_000 }).toMatch(/Audio paused [12]:\d\d/);
  });

  it("the physician's inbox badge opens the inbox; rows name the unit; after a reload nothing is open and the acknowledged one is listed as acknowledged", async () => {
    // The escalation of the high alarm above: no separate header panel, the badge counts it.
    await expect.poll(() => physician.getByTestId('inbox-link').getAttribute('data-count'), { timeout: 10_000 }).toBe('1');
    expect(await physician.getByTestId('escalations-open').count()).toBe(0);
    expect(await physician.getByTestId('escalations').count()).toBe(0);
    await physician.screenshot({ path: join(SCREENSHOTS, 'physician-inbox-badge.png') });
    await physician.getByTestId('inbox-link').click();
    const inbox = physician.getByTestId('inbox');
    const row = inbox.locator('[data-testid^="escalation-"][data-state="open"]').first();
    await row.waitFor({ timeout: 10_000 });
    const escId = (await row.getAttribute('data-testid'))!.replace('escalation-', '');
    expect(await physician.getByTestId(`escalation-unit-${escId}`).textContent()).toBe('Unit infusion-suite');
    expect(await physician.getByTestId(`supervised-unit-${ids[0]}`).textContent()).toBe('Unit infusion-suite');
    await physician.screenshot({ path: join(SCREENSHOTS, 'inbox-open-escalation.png') });

    await physician.getByTestId(`escalation-ack-${escId}`).click();
    await physician.getByTestId('inbox-acknowledged').getByTestId(`escalation-${escId}`).waitFor({ timeout: 10_000 });
    await expect.poll(() => physician.getByTestId('inbox-link').getAttribute('data-count')).toBe('0');

    await physician.reload();
    await physician.getByTestId('inbox').waitFor();
    await physician.getByTestId(`supervised-${ids[0]}`).waitFor({ timeout: 10_000 });
    // Nothing open any more; the acknowledged one is still listed as such (read from the server, not the page's memory).
    await physician.getByTestId('inbox-acknowledged').getByTestId(`escalation-${escId}`).waitFor({ timeout: 10_000 });
    expect(await physician.locator('[data-testid^="escalation-"][data-state="open"]').count()).toBe(0);
    expect(await physician.getByTestId('inbox-link').getAttribute('data-count')).toBe('0');
    await physician.screenshot({ path: join(SCREENSHOTS, 'inbox-after-reload.png') });
  });
});
