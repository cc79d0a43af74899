import type { IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, device, deviceKeyFor, prepareStart, startServer, writeOrder, type TestServer } from '../support/server';

const MIN = 60_000;

/**
 * The session page's export buttons: a click downloads the file the server made (a real PDF with the
 * patient label), the button is busy while the export runs, and a failed export says why.
 */
describe('session record export from the session page', () => {
  let s: TestServer;
  let browser: Browser;
  let sessionId: string;
  let dir: string;
  const T0 = Date.now() - 10 * MIN;

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'export-e2e-'));
    const clock = new ManualClock(T0);
    s = await startServer({ clock, clientDist: CLIENT_DIST, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse, { patientLabel: 'EXPORT-E2E', location: 'Chair 5', simulated: true })).id;
    await writeOrder(s.physician, sessionId);
    clock.set(T0 + MIN);
    await prepareStart(s, s.nurse, sessionId, T0 + MIN);
    const start = await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    if (start.status !== 201) throw new Error(JSON.stringify(start.body));
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
    await connected(dev);
    const frames = Array.from({ length: 5 * 60 }, (_, i) => ({ sessionId, seq: i + 1, t: T0 + MIN + (i + 1) * 1000, hr: 74 + (i % 9), sbp: 124, dbp: 79, map: 94, spo2: 97, etco2: 37, rr: 14 }));
    clock.set(frames.at(-1)!.t);
    const r = (await dev.emitWithAck('frames', frames)) as Result<IngestResult>;
    if (!r.ok || r.data.accepted.length !== frames.length) throw new Error(JSON.stringify(r).slice(0, 300));
    dev.close();
    clock.set(Date.now());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    await loginAs(page, s.url, 'nurse');
    await page.getByTestId(`tile-${sessionId}`).click();
    await page.getByTestId('export-buttons').waitFor({ timeout: 10_000 });
    return page;
  };

  it('Export PDF downloads the session report; the page shows the three export buttons', async () => {
    const page = await open();
    expect(await page.getByTestId('export-buttons').getByRole('button').allTextContents()).toEqual(['Export PDF', 'Export CSV', 'Export FHIR']);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-export-buttons.png') });

    const downloaded = page.waitForEvent('download');
    await page.getByTestId('export-pdf').click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toMatch(/^Chair-5_EXPORT-E2E_\d{4}-\d\d-\d\d_SIMULATED\.pdf$/);
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    expect(text).toContain('EXPORT-E2E');
    expect(text).toContain('SIMULATED');
    // The button is ready again.
    await expect.poll(() => page.getByTestId('export-pdf').textContent()).toBe('Export PDF');
    expect(await page.getByTestId('export-pdf').isEnabled()).toBe(true);
    await page.close();
  });

  it('shows the running export as busy (all buttons held) and a failed one with the reason', async () => {
    const page = await open();
    // Hold the CSV answer until the busy state has been seen.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/export?format=csv', async (route) => {
      await held;
      await route.continue();
    });
    const downloaded = page.waitForEvent('download');
    await page.getByTestId('export-csv').click();
    await expect.poll(() => page.getByTestId('export-csv').getAttribute('aria-busy')).toBe('true');
    expect(await page.getByTestId('export-csv').textContent()).toMatch(/^Exporting…/);
    expect(await page.getByTestId('export-pdf').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-export-busy.png'), clip: (await page.getByTestId('export-buttons').boundingBox()) ?? undefined });
    release();
    const csv = await downloaded;
    const csvPath = join(dir, csv.suggestedFilename());
    await csv.saveAs(csvPath);
    expect(readFileSync(csvPath, 'utf8').split('\r\n')[0]).toMatch(/^time \(ISO 8601 UTC\),simulated,record,/);
    await expect.poll(() => page.getByTestId('export-csv').getAttribute('aria-busy')).toBe('false');

    // The server fails the FHIR export: the page says so and no file is offered.
    await page.route('**/export?format=fhir', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ ok: false, error: 'storage unavailable: disk full' }) }));
    let downloads = 0;
    page.on('download', () => downloads++);
    await page.getByTestId('export-fhir').click();
    await expect.poll(() => page.getByTestId('export-error').textContent()).toBe('FHIR export failed: storage unavailable: disk full');
    expect(downloads).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-export-error.png') });
    await page.close();
  });
});
