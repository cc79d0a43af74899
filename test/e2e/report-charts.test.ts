import type { Alarm, AlarmReport, GuardrailReport, IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, dashboard, device, deviceKeyFor, prepareStart, startServer, writeOrder, type TestServer } from '../support/server';

const H = 3_600_000;

/**
 * The report page's charts against the report: a few hours of a unit's shift, alarms of every
 * priority raised by device frames through the ingest path (one acknowledged by the nurse), dose
 * guardrail alerts, an override and refusals, and a simulated session whose alarms and refusal are
 * drawn apart and marked only when simulated sessions are included.
 */
describe('report charts in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let clock: ManualClock;
  const seqs = new Map<string, number>();

  const frames = async (sessionId: string, ...vs: Record<string, number | null>[]) => {
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sessionId) });
    await connected(dev);
    for (const v of vs) {
      const seq = (seqs.get(sessionId) ?? 0) + 1;
      seqs.set(sessionId, seq);
      const r = (await dev.emitWithAck('frames', [{ sessionId, seq, t: clock.now(), hr: 76, sbp: 122, dbp: 78, map: 93, spo2: 98, etco2: 37, rr: 14, ...v }])) as Result<IngestResult>;
      if (!r.ok || r.data.accepted.length !== 1) throw new Error(JSON.stringify(r));
      clock.advance(5000);
    }
    dev.close();
  };
  const alarmsOf = async (sessionId: string) => (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${sessionId}`)).body.data.alarms;
  const report = async <T,>(kind: 'alarms' | 'guardrails', includeSimulated: boolean) =>
    (await api<T>(s.physician, 'GET', `/api/reports/${kind}?unit=infusion-suite&from=${Date.now() - 24 * H}&to=${Date.now()}&includeSimulated=${includeSimulated}`)).body.data;
  /** Sum of the counts the drawn bar segments of one series carry. */
  const drawn = async (chart: Locator, series: string) => (await chart.locator(`rect[data-series="${series}"]`).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))))).reduce((a, b) => a + b, 0);
  /** Bucket totals of the chart's text table, in order, without the empty ones. */
  const tableTotals = async (chart: Locator) => (await chart.locator('tbody td[data-series="total"]').allTextContents()).map(Number).filter((n) => n > 0);

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    // A shift that began five hours ago, replayed on the server's clock, so each event lands in its own hour.
    const start = Date.now() - 5 * H;
    clock = new ManualClock(start - (start % H) + 10 * 60_000);
    s = await startServer({ clock, clientDist: CLIENT_DIST, config: { SESSION_IDLE_MS: 24 * H } });
    const a = await createSession(s.nurse, { patientLabel: 'Bed 1 pt', location: 'Bed 1', setting: 'monitored_unit' });
    const b = await createSession(s.nurse, { patientLabel: 'Chair 2 pt', location: 'Chair 2' });
    const sim = await createSession(s.trainer, { patientLabel: 'SIM-1', location: 'Chair 3', simulated: true });

    // Dose guardrails on bed 1: a bolus above the order (alerts, then the physician's override), a rate above any reported dose (refused).
    await writeOrder(s.physician, a.id, { setting: 'monitored_unit', bolusMaxMgKg: 0.5 });
    await prepareStart(s, s.nurse, a.id, clock.now());
    expect((await api(s.nurse, 'POST', `/api/sessions/${a.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${a.id}/infusion`, { type: 'bolus', doseMg: 28 })).status).toBe(409);
    expect((await api(s.physician, 'POST', `/api/sessions/${a.id}/infusion`, { type: 'bolus', doseMg: 28, confirm: { reason: 'breakthrough pain 9/10' } })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${a.id}/infusion`, { type: 'rate_change', rateMgKgH: 9 })).status).toBe(409);
    // The simulated session's trainer tries 9 mg/kg/h too.
    await prepareStart(s, s.trainer, sim.id, clock.now());
    expect((await api(s.trainer, 'POST', `/api/sessions/${sim.id}/infusion`, { type: 'start', rateMgKgH: 9 })).status).toBe(409);

    // First hour: bed 1's heart rate climbs to 160 (high at once, medium after its delay); the nurse acknowledges the high one 20 s on.
    await frames(a.id, {}, { hr: 160 }, { hr: 160 }, { hr: 160 }, { hr: 160 });
    const high = (await alarmsOf(a.id)).find((x) => x.priority === 'high');
    if (!high) throw new Error('no high alarm on bed 1');
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    await dash.emitWithAck('alarm:acknowledge', { alarmId: high.id });
    dash.close();
    // Two hours on: chair 2's pulse oximeter gives no value (a low technical alarm).
    clock.advance(2 * H);
    await frames(b.id, {}, { spo2: null }, { spo2: null }, { spo2: null }, { spo2: null }, { spo2: null });
    // Three hours on: the simulated patient's heart rate.
    clock.advance(H);
    await frames(sim.id, {}, { hr: 170 }, { hr: 170 }, { hr: 170 });
    clock.set(Date.now());
    expect((await alarmsOf(b.id)).map((x) => x.priority)).toContain('low');
    expect((await alarmsOf(sim.id)).map((x) => x.priority)).toContain('high');

    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 1000 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('draws alarms per hour by priority and time to acknowledge, matching the report, real sessions only', async () => {
    // Recharts is loaded with the reports page only: the monitoring screens never fetch it.
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });
    await loginAs(page, s.url, 'physician');
    await page.getByTestId('overview').waitFor({ timeout: 10_000 });
    expect(scripts.some((u) => /\/assets\/(charts|ReportCharts)-/.test(u))).toBe(false);
    await page.getByTestId('reports-link').click();
    const timeline = page.getByTestId('chart-alarms-time');
    await timeline.locator('rect[data-series="high"]').first().waitFor({ timeout: 10_000 });
    expect(scripts.filter((u) => /\/assets\/(charts|ReportCharts)-/.test(u))).toHaveLength(2);
    const rep = await report<AlarmReport>('alarms', false);
    expect(rep.byPriority.high.count).toBeGreaterThan(0);
    expect(rep.byPriority.low.count).toBeGreaterThan(0);

    // Every priority's drawn segments add up to the report's count; the table says the same per hour.
    for (const p of ['high', 'medium', 'low'] as const) expect(await drawn(timeline, p)).toBe(rep.byPriority[p].count);
    expect(await tableTotals(timeline)).toEqual(rep.timeline.buckets.map((b) => b.real.high + b.real.medium + b.real.low).filter((n) => n > 0));
    expect((await tableTotals(timeline)).length).toBe(2); // bed 1's hour and chair 2's
    expect(await timeline.getByTestId('chart-alarms-time-summary').textContent()).toContain(`${rep.alarms} alarm`);
    // Hour buckets, drawn in the IEC priority colours, with no simulated part and no SIMULATED marker.
    expect(await timeline.locator('h4').textContent()).toContain('Alarms per hour');
    expect(await timeline.locator('rect[data-series="high"]').first().getAttribute('fill')).toBe('#d90429');
    expect(await timeline.getAttribute('data-simulated')).toBe('false');
    expect(await timeline.locator('rect[data-series$="Sim"]').count()).toBe(0);
    expect(await timeline.getByTestId('simulated-badge').count()).toBe(0);

    // Time to acknowledge: the nurse's 20 s, and the alarms nobody acknowledged.
    const ack = page.getByTestId('chart-ack-times');
    const acked = rep.ackTimes.find((b) => b.label === '10–30 s')!;
    expect(acked.real.high).toBe(1);
    expect(await ack.locator('rect[data-series="high"][data-category="10–30 s"]').getAttribute('data-count')).toBe('1');
    const none = rep.ackTimes.at(-1)!;
    expect(await ack.locator('tbody tr[data-category="Not acknowledged"] td[data-series="total"]').textContent()).toBe(String(none.real.high + none.real.medium + none.real.low));

    // Guardrails: refusals, the override and the unconfirmed alerts per limit, as the report counts them.
    const guard = page.getByTestId('chart-guardrails');
    const g = await report<GuardrailReport>('guardrails', false);
    expect(await drawn(guard, 'refusals')).toBe(g.hardRefusals);
    expect(await drawn(guard, 'overrides')).toBe(g.overrides);
    expect(await drawn(guard, 'alerts')).toBe(g.softAlerts);
    expect(g.hardRefusals).toBeGreaterThan(0);
    // Each override names its limit in clinical words, as the table above does, never by its rule id.
    const reasons = page.getByTestId('guardrail-reasons');
    expect(await reasons.locator('tbody tr').count()).toBe(g.overrides);
    const limits = await reasons.locator('tbody td:nth-child(4)').allTextContents();
    expect(limits.sort()).toEqual(g.overrideReasons.map((o) => g.byLimit.find((l) => l.limitId === o.limitId)!.label).sort());
    expect(limits.join(' ')).not.toMatch(/bolus\.window|dose\.bolus/);

    await timeline.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'report-charts.png'), fullPage: true });

    // On paper each chart's figures are printed as a table beneath it.
    await page.emulateMedia({ media: 'print' });
    expect((await timeline.locator('.report-chart-table').boundingBox())!.width).toBeGreaterThan(400);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-charts-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect((await timeline.locator('.report-chart-table').boundingBox())!.width).toBeLessThanOrEqual(1);
  });

  it('with simulated sessions included, their alarms and refusals are drawn apart and the charts are marked SIMULATED', async () => {
    await page.getByTestId('report-simulated').check();
    await page.getByTestId('report-submit').click();
    const timeline = page.locator('[data-testid="chart-alarms-time"][data-simulated="true"]');
    await timeline.waitFor({ timeout: 10_000 });
    const rep = await report<AlarmReport>('alarms', true);
    const simulated = (p: 'high' | 'medium' | 'low') => rep.timeline.buckets.reduce((n, b) => n + b.simulated[p], 0);
    expect(simulated('high')).toBe(1);
    for (const p of ['high', 'medium', 'low'] as const) {
      expect(await drawn(timeline, `${p}Sim`)).toBe(simulated(p));
      expect((await drawn(timeline, p)) + (await drawn(timeline, `${p}Sim`))).toBe(rep.byPriority[p].count);
    }
    // Striped, not the plain priority colour, and the chart carries the SIMULATED marker.
    expect(await timeline.locator('rect[data-series="highSim"]').first().getAttribute('fill')).toBe('url(#chart-alarms-time-highSim)');
    await expect.poll(() => timeline.getByTestId('simulated-badge').isVisible()).toBe(true);
    expect(await page.locator('[data-testid="chart-ack-times"][data-simulated="true"]').getByTestId('simulated-badge').count()).toBe(1);
    expect(await timeline.getByTestId('chart-alarms-time-summary').textContent()).toContain(`${simulated('high') + simulated('medium') + simulated('low')} from simulated sessions`);

    const guard = page.locator('[data-testid="chart-guardrails"][data-simulated="true"]');
    await guard.waitFor({ timeout: 10_000 });
    const g = await report<GuardrailReport>('guardrails', true);
    const simRefusals = g.byLimit.reduce((n, l) => n + l.simulated.refusals, 0);
    expect(simRefusals).toBeGreaterThan(0);
    expect(await drawn(guard, 'refusalsSim')).toBe(simRefusals);
    expect((await drawn(guard, 'refusals')) + simRefusals).toBe(g.hardRefusals);
    expect(await guard.getByTestId('simulated-badge').count()).toBe(1);

    await timeline.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'report-charts-simulated.png'), fullPage: true });
  });
});
