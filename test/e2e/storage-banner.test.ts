import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { connected, createSession, device, startServer, type DeviceSocket, type TestServer } from '../support/server';
import { smallDisk, type SmallDisk } from '../support/smallDisk';

/** The real dashboard while the server's disk is full: the technical alarm banner, alarms still shown, then recovery. */
describe('recording failed, in the browser', () => {
  let s: TestServer;
  let disk: SmallDisk;
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

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    disk = smallDisk();
    s = await startServer({ clientDist: CLIENT_DIST, dir: disk.dir, storageProbeMs: 100 });
    sessionId = (await createSession(s.nurse, { patientLabel: 'DISK-E2E', location: 'Chair 4' })).id;
    dev = device(s);
    await connected(dev);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await loginInBrowser(page, s.url, 'nurse');
    await page.getByTestId(`tile-${sessionId}`).waitFor();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close().catch(() => {});
    disk?.cleanup();
  });

  it('shows the technical alarm banner and the clinical alarm while the disk is full, and clears the banner when space returns', async () => {
    await sendFrames(10, { spo2: 86 });
    expect(await page.getByTestId('storage-banner').count()).toBe(0);
    disk.fill(s.app.db);
    await sendFrames(1, { spo2: 85 });
    const banner = page.getByTestId('storage-banner');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await banner.textContent()).toContain('Technical alarm: recording failed');
    await expect.poll(() => banner.textContent(), { timeout: 10_000 }).toContain('1 alarm change(s) held');
    // The patient's alarm is not held back by the full disk.
    await expect.poll(() => page.getByTestId('alarm-banner').textContent(), { timeout: 10_000 }).toContain('SpO2 85 < 88');
    await page.getByTestId(`tile-${sessionId}`).click();
    const row = page.locator('[data-testid^="alarm-"][data-state]').first();
    await row.waitFor();
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    await page.getByTestId(`unrecorded-${id}`).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'recording-failed.png'), fullPage: true });

    disk.free(s.app.db);
    await banner.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId(`unrecorded-${id}`).count()).toBe(0);
  });
});
