import type { IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type TestServer } from '../support/server';

/**
 * An hour of 1 Hz vitals with a 5-second SpO2 dip to 84 % ten minutes before now: the session page
 * loads a downsampled trend (900 points for 3,600 rows) and must still show the dip.
 */
describe('session trend with a brief dip', () => {
  let s: TestServer;
  let browser: Browser;
  let sessionId: string;
  const T0 = Date.now() - 3_600_000;
  const DIP = 3000;

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    const clock = new ManualClock(T0);
    s = await startServer({ clock, clientDist: CLIENT_DIST, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse, { patientLabel: 'DIP-E2E', location: 'Chair 5' })).id;
    const dev = device(s);
    await connected(dev);
    for (let from = 1; from <= 3600; from += 1000) {
      const frames = [];
      for (let q = from; q < Math.min(from + 1000, 3601); q++) {
        const spo2 = q >= DIP && q < DIP + 5 ? 84 : 97;
        frames.push({ sessionId, seq: q, t: T0 + q * 1000, hr: 78, sbp: 124, dbp: 79, map: 94, spo2, etco2: 37, rr: 14 });
      }
      clock.set(frames.at(-1)!.t);
      const r = (await dev.emitWithAck('frames', frames)) as Result<IngestResult>;
      if (!r.ok || r.data.accepted.length !== frames.length) throw new Error(JSON.stringify(r).slice(0, 300));
    }
    dev.close();
    clock.set(Date.now());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('draws the min–max band down to the dip on the downsampled SpO2 chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await loginInBrowser(page, s.url, 'nurse');
    await page.getByTestId(`tile-${sessionId}`).click();
    const chart = page.getByTestId('chart-spo2');
    await page.locator('[data-testid="session-trends"][data-status="ready"]').waitFor({ timeout: 10_000 });
    await chart.locator('canvas').waitFor();
    expect(await chart.getAttribute('data-bucketed')).toBe('true');
    expect(Number(await chart.getAttribute('data-points'))).toBeLessThanOrEqual(902);
    expect(await page.getByTestId('chart-spo2-note').textContent()).toBe('line: mean per interval, band: min–max');
    // The band's lower edge, as handed to the chart, reaches the dip (a mean-only line would stop near 94),
    // and the drawn y scale spans it.
    expect(Number(await chart.getAttribute('data-band-min'))).toBeLessThanOrEqual(84);
    await expect.poll(async () => Number(await chart.locator('.uplot-panel').getAttribute('data-y-min'))).toBeLessThanOrEqual(84);
    await page.mouse.move(0, 0);
    await chart.screenshot({ path: join(SCREENSHOTS, 'session-spo2-dip.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'session-dip.png'), fullPage: true });
    await page.close();
  });
});
