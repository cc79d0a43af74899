import type { Alarm, IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, device, prepareStart, startServer, writeOrder, type TestServer } from '../support/server';

const MIN = 60_000;

/**
 * The session page of a 24-minute infusion: 1 Hz vitals with a 3-minute outage (minutes 8-11), an
 * SpO2 drop that raises a latched high alarm, a rescue drug, a rate change and a physician's tighter
 * SpO2 limit. At a wall-screen and a tablet size the page must fit without horizontal scrolling and
 * keep the top alarm's Acknowledge button on screen at any scroll position.
 */
describe('session page', () => {
  let s: TestServer;
  let browser: Browser;
  let sessionId: string;
  const T0 = Date.now() - 25 * MIN;
  const HOLE = [8 * MIN, 11 * MIN] as const;
  const LAST = 24 * MIN;

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    const clock = new ManualClock(T0);
    s = await startServer({ clock, clientDist: CLIENT_DIST, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse, { patientLabel: 'PAGE-E2E', location: 'Chair 6' })).id;
    await writeOrder(s.physician, sessionId);
    clock.set(T0 + MIN);
    await prepareStart(s, s.nurse, sessionId, T0 + MIN);
    const start = await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    if (start.status !== 201) throw new Error(JSON.stringify(start.body));

    const dev = device(s);
    await connected(dev);
    const send = async (fromMs: number, toMs: number) => {
      const frames = [];
      for (let q = fromMs; q < toMs; q += 1000) {
        if (q >= HOLE[0] && q < HOLE[1]) continue;
        const spo2 = q >= 15 * MIN && q < 15 * MIN + 20_000 ? 84 : 97;
        // HR moves every second, so a bucket of two or more samples has a min-max spread.
        frames.push({ sessionId, seq: q / 1000, t: T0 + q, hr: 74 + ((q / 1000) % 9), sbp: 124, dbp: 79, map: 94, spo2, etco2: 37, rr: 14 });
      }
      for (let i = 0; i < frames.length; i += 500) {
        const batch = frames.slice(i, i + 500);
        clock.set(batch.at(-1)!.t);
        const r = (await dev.emitWithAck('frames', batch)) as Result<IngestResult>;
        if (!r.ok || r.data.accepted.length !== batch.length) throw new Error(JSON.stringify(r).slice(0, 300));
      }
    };
    await send(MIN + 1000, 16 * MIN);
    const rescue = await api(s.nurse, 'POST', `/api/sessions/${sessionId}/rescue`, { drugId: 'midazolam', doseMg: 2 });
    if (rescue.status !== 201) throw new Error(JSON.stringify(rescue.body));
    await send(16 * MIN, 18 * MIN);
    const change = await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'rate_change', rateMgKgH: 0.7 });
    if (change.status !== 201) throw new Error(JSON.stringify(change.body));
    const limits = await api(s.physician, 'PUT', `/api/sessions/${sessionId}/limits`, { overrides: { 'spo2.low.medium': { limit: 93 } }, reason: 'COPD, alert earlier' });
    if (limits.status !== 200) throw new Error(JSON.stringify(limits.body));
    await send(18 * MIN, LAST + 1000);
    dev.close();
    clock.set(Date.now());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const open = async (width: number, height: number): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width, height } });
    await loginAs(page, s.url, 'nurse');
    await page.getByTestId(`tile-${sessionId}`).click();
    await page.locator('[data-testid="session-trends"][data-status="ready"]').waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="chart-hr"] canvas').first().waitFor();
    return page;
  };
  const topAlarm = (page: Page) => page.getByTestId('session-alarms').locator('[data-testid^="alarm-"][data-state]').first();
  const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  const inViewport = async (page: Page, testId: string) => {
    const box = await page.getByTestId(testId).boundingBox();
    const vp = page.viewportSize()!;
    return box !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height && box.x + box.width <= vp.width;
  };
  const serverAlarm = async (id: string) => {
    const r = await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${sessionId}`);
    return r.body.data.alarms.find((a) => a.id === Number(id));
  };

  it('at 1920x1080 fits without horizontal scroll and keeps the top alarm’s Acknowledge on screen while scrolling', async () => {
    const page = await open(1920, 1080);
    const row = topAlarm(page);
    expect(await row.getAttribute('data-state')).toBe('active');
    expect(await row.getAttribute('data-priority')).toBe('high');
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    expect(await noHorizontalScroll(page)).toBe(true);
    expect(await inViewport(page, `ack-${id}`)).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1920.png') });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await expect.poll(() => inViewport(page, `ack-${id}`)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1920-scrolled.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1920-full.png'), fullPage: true });
    await page.close();
  });

  it('at 1024x768 fits without horizontal scroll, and the top alarm’s Acknowledge, on screen, acknowledges it on the server', async () => {
    const page = await open(1024, 768);
    expect(await noHorizontalScroll(page)).toBe(true);
    const row = topAlarm(page);
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-', '');
    expect(await row.getAttribute('data-state')).toBe('active');
    expect(await inViewport(page, `ack-${id}`)).toBe(true);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1024.png') });
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight / 2));
    await expect.poll(() => inViewport(page, `ack-${id}`)).toBe(true);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1024-scrolled.png') });
    await page.getByTestId(`ack-${id}`).click();
    // Acknowledged by the nurse; a latched alarm whose condition has cleared is then resolved.
    await expect.poll(async () => (await serverAlarm(id))?.acknowledgedBy, { timeout: 10_000 }).toBe('user:nurse');
    expect(['acknowledged', 'resolved']).toContain((await serverAlarm(id))?.state);
    await expect.poll(() => page.getByTestId(`alarm-${id}`).getAttribute('data-state')).not.toBe('active');
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1024-full.png'), fullPage: true });
    await page.close();
  });

  it('on a tablet, before the infusion starts, puts the scores, checklist and start above the trends', async () => {
    const waiting = (await createSession(s.nurse, { patientLabel: 'PRE-E2E', location: 'Chair 7' })).id;
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await loginAs(page, s.url, 'nurse');
    await page.getByTestId(`tile-${waiting}`).click();
    await page.getByTestId('prestart-panel').waitFor({ timeout: 10_000 });
    await page.getByTestId('session-trends').waitFor();
    const form = (await page.getByTestId('prestart-panel').boundingBox())!;
    const charts = (await page.getByTestId('session-trends').boundingBox())!;
    expect(form.y).toBeLessThan(charts.y);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-1024-prestart.png') });
    await page.close();
  });

  it('switches windows; the whole session comes downsampled (fewer points than stored rows, at most 900)', async () => {
    const page = await open(1400, 1000);
    const hr = page.getByTestId('chart-hr');
    const trends = page.getByTestId('session-trends');
    // 1,200 rows stored: the default hour arrives in buckets.
    expect(await trends.getAttribute('data-window')).toBe('1h');
    await page.getByTestId('window-15m').click();
    await expect.poll(() => trends.getAttribute('data-window')).toBe('15m');
    await page.locator('[data-testid="session-trends"][data-status="ready"]').waitFor();
    // 15 minutes back from the newest sample: raw rows (minutes 9-24 less the outage), not bucketed.
    await expect.poll(() => hr.getAttribute('data-bucketed')).toBe('false');
    const raw = Number(await hr.getAttribute('data-points'));
    expect(raw).toBeGreaterThan(700);
    expect(raw).toBeLessThanOrEqual(15 * 60 + 2);

    await page.getByTestId('window-all').click();
    await expect.poll(() => trends.getAttribute('data-window')).toBe('all');
    await page.locator('[data-testid="session-trends"][data-status="ready"]').waitFor();
    await expect.poll(() => hr.getAttribute('data-bucketed')).toBe('true');
    const whole = Number(await hr.getAttribute('data-points'));
    expect(whole).toBeGreaterThan(100);
    expect(whole).toBeLessThanOrEqual(900 + 2);
    expect(await page.getByTestId('chart-hr-note').textContent()).toBe('line: mean per interval, band: min–max');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'session-page-whole.png'), fullPage: true });
    await page.close();
  });

  it('shows every chart on one time axis: dragging across one zooms all of them', async () => {
    const page = await open(1400, 1000);
    const panels = page.locator('[data-testid^="chart-"] .uplot-panel');
    const ranges = async () => (await panels.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-x-min')}-${e.getAttribute('data-x-max')}`))) as string[];
    await expect.poll(async () => new Set(await ranges()).size).toBe(1);
    const before = (await ranges())[0]!;
    expect((await ranges()).length).toBe(7);
    // Drag across the middle of the heart-rate chart (scrolled to mid-screen, clear of the pinned alarm strip).
    await page.getByTestId('chart-hr').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const over = (await page.getByTestId('chart-hr').locator('.u-over').boundingBox())!;
    await page.mouse.move(over.x + over.width * 0.4, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.6, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.getByTestId('zoom-reset').waitFor();
    // Panels redraw one per animation frame: within a few frames all show the same zoomed range.
    await expect.poll(async () => {
      const r = await ranges();
      return new Set(r).size === 1 && r[0] !== before;
    }).toBe(true);
    await page.getByTestId('zoom-reset').click();
    await expect.poll(async () => (await ranges())[0]).toBe(before);
    await page.close();
  });

  it('draws the 3-minute outage as a gap, marks the infusion start, the rescue drug and the alarm, and shows the changed limit', async () => {
    const page = await open(1400, 1000);
    const runs = JSON.parse((await page.getByTestId('chart-hr').getAttribute('data-segments'))!) as [number, number][];
    // One run ends before the outage and the next starts after it: nothing is drawn across it.
    const before = runs.findIndex(([, end]) => end < T0 + HOLE[0] && end >= T0 + HOLE[0] - 5_000);
    expect(before).toBeGreaterThanOrEqual(0);
    expect(runs[before + 1]![0]).toBeGreaterThanOrEqual(T0 + HOLE[1] - 5_000);
    expect(runs.every(([a, b]) => b < T0 + HOLE[0] || a >= T0 + HOLE[1] - 5_000)).toBe(true);

    const marks = JSON.parse((await page.getByTestId('session-trends').getAttribute('data-markers'))!) as { kind: string; detail: string }[];
    expect(marks).toContainEqual(expect.objectContaining({ kind: 'infusion', detail: 'start' }));
    expect(marks).toContainEqual(expect.objectContaining({ kind: 'infusion', detail: 'rate_change' }));
    expect(marks).toContainEqual(expect.objectContaining({ kind: 'rescue', detail: 'midazolam' }));
    expect(marks).toContainEqual(expect.objectContaining({ kind: 'alarm', detail: 'high' }));

    const spo2 = page.getByTestId('chart-spo2');
    // The physician's 93 % and the benzodiazepine's raised SpO2 limits are in force, none of the site's own values.
    await expect.poll(async () => JSON.parse((await spo2.getAttribute('data-limits'))!) as { changed: boolean }[]).toContainEqual(expect.objectContaining({ field: 'spo2', op: '<', changed: true }));
    const spo2Limits = JSON.parse((await spo2.getAttribute('data-limits'))!) as { value: number; changed: boolean }[];
    expect(spo2Limits.every((l) => l.changed && l.value !== 88 && l.value !== 92)).toBe(true);
    expect(await page.getByTestId('chart-spo2-changed').textContent()).toBe('changed limit (dashed)');
    expect(await page.getByTestId('chart-cumulative-dose').textContent()).toMatch(/^Total \d+\.\d mg$/);
    await page.mouse.move(0, 0);
    // The charts as drawn, without the pinned alarm strip over them (a full-page capture is not scrolled).
    const box = (await page.getByTestId('session-trends').boundingBox())!;
    await page.screenshot({ path: join(SCREENSHOTS, 'session-trends.png'), fullPage: true, clip: box });
    await page.close();
  });

  it('still draws the limits an ended session ran on: its rule set version with the physician\'s change', async () => {
    expect((await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'stop' })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sessionId}/end`, { reason: 'session closed after recovery' })).status).toBe(200);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await loginAs(page, s.url, 'nurse');
    await page.goto(`${s.url}/#/session/${sessionId}`);
    await page.locator('[data-testid="session-trends"][data-status="ready"]').waitFor({ timeout: 10_000 });
    const limitsOf = async (field: string) => JSON.parse((await page.getByTestId(`chart-${field}`).getAttribute('data-limits')) ?? '[]') as { field: string; op: string; value: number; changed: boolean }[];
    // The physician's SpO2 93 % (changed, dashed) beside the rule set's own high-priority SpO2 limit, and the HR limits.
    await expect.poll(() => limitsOf('spo2'), { timeout: 10_000 }).toContainEqual({ field: 'spo2', op: '<', value: 93, changed: true });
    expect((await limitsOf('spo2')).filter((l) => !l.changed).map((l) => l.value)).toContain(88);
    expect((await limitsOf('hr')).map((l) => l.op).sort()).toEqual(expect.arrayContaining(['<', '>']));
    expect(await page.getByTestId('chart-spo2-changed').textContent()).toBe('changed limit (dashed)');
    const box = (await page.getByTestId('session-trends').boundingBox())!;
    await page.screenshot({ path: join(SCREENSHOTS, 'session-trends-ended.png'), fullPage: true, clip: box });
    await page.close();
  });
});
