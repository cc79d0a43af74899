import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';

/**
 * The alarm banner on laptop screens (1280-1440 px wide, 768-900 px tall), where it sits beside the
 * brand in a header capped at a fifth of the screen: its three lines must each be whole (none cut at
 * the bottom) and end with the alarm's message (none cut at the right), or the nurse reads a chair
 * without knowing what alarms there.
 */
describe('alarm banner on laptop screens', () => {
  let s: TestServer;
  let browser: Browser;
  let dev: DeviceSocket;

  beforeAll(async () => {
    s = await startServer({ clientDist: CLIENT_DIST });
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push((await createSession(s.nurse, { simulated: true, patientLabel: `SIM-${i}`, location: `Chair ${i}` })).id);
    dev = device({ url: s.url, deviceKey: s.simDeviceKey });
    await connected(dev);
    // SpO2 85 on every third chair for 15 s of event time: four high alarms, so the banner shows three and "+ more".
    let t = Date.now() - 30_000;
    for (let k = 1; k <= 15; k++) {
      t += 1000;
      await dev.emitWithAck('frames', ids.map((sessionId, i) => ({ sessionId, seq: k, t, hr: 70, sbp: 124, dbp: 79, map: 94, spo2: i % 3 === 0 ? 85 : 97, etco2: 37, rr: 14 })));
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close();
  });

  it.each([
    [1280, 800],
    [1366, 768],
    [1440, 900],
  ])('at %ix%i shows three whole banner lines, each ending with its message, in a header within a fifth of the screen', async (w, h) => {
    const page = await browser.newPage({ viewport: { width: w, height: h } });
    await loginInBrowser(page, s.url, 'nurse');
    await expect.poll(() => page.locator('[data-testid="alarm-banner"] .banner-list > li').count(), { timeout: 10_000 }).toBe(3);
    const m = await page.evaluate(() => {
      const banner = document.querySelector<HTMLElement>('[data-testid="alarm-banner"]')!;
      const b = banner.getBoundingClientRect();
      const border = parseFloat(getComputedStyle(banner).borderBottomWidth);
      return {
        header: document.querySelector('header')!.getBoundingClientRect().height,
        lines: [...banner.querySelectorAll<HTMLElement>('.banner-list > li')].map((li) => {
          const a = li.querySelector('a')!;
          return { text: a.textContent, whole: li.getBoundingClientRect().bottom <= b.bottom - border + 0.5, clipped: a.scrollWidth > a.clientWidth + 1 };
        }),
      };
    });
    await page.screenshot({ path: join(SCREENSHOTS, `banner-laptop-${w}x${h}.png`) });
    await page.close();
    expect(m.header).toBeLessThanOrEqual(h / 5);
    for (const line of m.lines) {
      expect(line.text).toMatch(/SpO2 85 < 88/);
      expect(line, `${w}x${h}: ${line.text}`).toMatchObject({ whole: true, clipped: false });
    }
  });
});
