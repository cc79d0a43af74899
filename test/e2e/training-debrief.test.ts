import { DEVELOPER_TEXT, scenarioMsAt, type Alarm, type AlarmUpdate, type Result, type TrainingRun } from '@infusion/shared';
import { SCENARIOS, silentLogger, TrainingHost } from '@infusion/simulator';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { api, connected, dashboard, login, passingChecklist, startServer, TEST_PASSWORD, writeOrder, type Caller, type TestServer } from '../support/server';
import { until as waitUntil } from '../support/until';

const until = <T>(what: string, f: () => Promise<T | null | undefined | false> | T | null | undefined | false, ms = 60_000) => waitUntil(what, f, ms);

/**
 * The debrief page of a training run played through the real server and a real training host: the
 * desaturation scenario at x60, the trainee acknowledges the SpO2 alarm and lowers the rate but gives
 * a benzodiazepine after the colleague's midazolam and scores no sedation. The page shows the score,
 * each expected action judged, the alarm's time to acknowledge, what counted against, the timeline;
 * its export downloads; the trainee's progress lists the run.
 */
describe('training debrief page', () => {
  let s: TestServer;
  let browser: Browser;
  let host: TrainingHost;
  let run: TrainingRun;
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(join(CLIENT_DIST, 'index.html'))) throw new Error('client/dist is missing: run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'debrief-e2e-'));
    s = await startServer({ clientDist: CLIENT_DIST, config: { LOG_LEVEL: 'error' } as never });
    for (const [username, displayName, role] of [['coach', 'Dr Coach', 'trainer'], ['kim', 'Kim Nurse', 'nurse']] as const)
      await s.app.users.create({ username, displayName, role, units: ['training'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    const coach: Caller = await login(s.url, 'coach');
    const kim: Caller = await login(s.url, 'kim');
    host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(coach, 'GET', '/api/training/scenarios')).body.data.some((x) => x.name === 'desaturation'));
    const post = async (who: Caller, path: string, body: unknown = {}) => {
      const r = await api<TrainingRun>(who, 'POST', path, body);
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.data;
    };
    run = await post(coach, '/api/training/runs', { scenario: 'desaturation', seed: 3, trainee: 'kim', unit: 'training', patientLabel: 'TRN-DEBRIEF' });
    const sock = dashboard(kim);
    const alarms: AlarmUpdate[] = [];
    sock.on('alarm', (u) => alarms.push(u));
    await connected(sock);
    await sock.emitWithAck('subscribe', {});

    await post(coach, `/api/training/runs/${run.id}/start`);
    // Baseline vitals before the checklist (it needs them).
    await until('baseline frames', () => (s.app.db.prepare('SELECT COUNT(*) n FROM vitals WHERE session_id = ?').get(run.sessionId) as { n: number }).n >= 3);
    await writeOrder(coach, run.sessionId, { setting: SCENARIOS.desaturation.setting, rateMinMgKgH: 0.25, rateMaxMgKgH: 1 });
    await post(kim, `/api/sessions/${run.sessionId}/observations`, { scale: 'RASS', score: 0 });
    await post(kim, `/api/sessions/${run.sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
    await api(kim, 'PUT', `/api/sessions/${run.sessionId}/checklist`, passingChecklist(1));
    await post(kim, `/api/sessions/${run.sessionId}/infusion`, { type: 'start', rateMgKgH: 1 });
    const fast = await post(coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    // Past the colleague's midazolam (minute 20) at x60, then a desaturation the trainer adds.
    await until('scenario minute 21', () => scenarioMsAt(fast.clock, Date.now()) > 21 * 60_000);
    await post(coach, `/api/training/runs/${run.id}/events`, { event: { kind: 'excursion', label: 'Sudden desaturation', onsetMin: 0.5, holdMin: 30, recoverMin: 1, to: { spo2: 78 } } });
    const raised = await until('the SpO2 alarm', () => alarms.find((u) => u.alarm.sessionId === run.sessionId && u.alarm.ruleId === 'spo2.low.high'), 90_000);
    await post(coach, `/api/training/runs/${run.id}/speed`, { speed: 1 });
    const ack = (await sock.emitWithAck('alarm:acknowledge', { alarmId: raised.alarm.id })) as Result<Alarm>;
    if (!ack.ok) throw new Error(ack.error);
    await post(kim, `/api/sessions/${run.sessionId}/infusion`, { type: 'rate_change', rateMgKgH: 0.5 });
    // Against the scenario: a further benzodiazepine (the formulary's example dose, Green et al. 2011).
    await post(kim, `/api/sessions/${run.sessionId}/rescue`, { drugId: 'midazolam', doseMg: Math.floor(0.03 * run.weightKg * 10) / 10, route: 'IV', confirm: { reason: 'training run' } });
    await until('the actions are on the run', async () => (await api<TrainingRun>(coach, 'GET', `/api/training/runs/${run.id}`)).body.data.events.filter((e) => e.kind === 'action').length >= 3);
    await post(coach, `/api/training/runs/${run.id}/end`);
    sock.close();
    browser = await launchBrowser();
  }, 150_000);
  afterAll(async () => {
    host?.close();
    await browser?.close();
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = async (hash: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    await loginInBrowser(page, s.url, 'kim');
    await page.getByTestId('current-user').waitFor({ timeout: 10_000 });
    await page.goto(`${s.url}/${hash}`);
    return page;
  };

  it('shows the score, the judged actions, time to acknowledge, what counted against and the timeline; exports the PDF', async () => {
    const page = await open(`#/training/runs/${run.id}/debrief`);
    await page.getByTestId('debrief-items').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('training-badge').first().textContent()).toBe('SIMULATED · TRAINING');
    // Acknowledged and lowered in time (20 + 30), the further benzodiazepine (20) and the missed sedation score (10): 50 of 80.
    expect(await page.getByTestId('debrief-percent').textContent()).toBe('62.5 %');
    const rows = await page.getByTestId('debrief-items').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const byLabel = Object.fromEntries(rows.map((r) => [r[0], r]));
    expect(byLabel['Acknowledge the SpO2 alarm within 30 s']![1]).toBe('Met');
    expect(byLabel['Acknowledge the SpO2 alarm within 30 s']![2]).toMatch(/^\d+(\.\d)? s \(deadline 30 s\)$/);
    expect(byLabel['Lower the rate or pause within 2 min of the alarm']![1]).toBe('Met');
    expect(byLabel['Give no further benzodiazepine']![1]).toBe('Not avoided');
    expect(byLabel['Score sedation within 5 min of the alarm']![1]).toBe('Missed');
    const alarmRow = page.getByTestId('debrief-alarms').locator('tbody tr', { hasText: 'expected in this scenario' }).first();
    expect(await alarmRow.locator('td').nth(4).textContent()).toMatch(/^\d+(\.\d)? s$/);
    expect(await alarmRow.locator('td').nth(5).textContent()).toBe('Kim Nurse');
    expect(await page.getByTestId('debrief-wrong').textContent()).toContain('The scenario says to give no further benzodiazepine.');
    const timeline = await page.getByTestId('debrief-timeline').textContent();
    expect(timeline).toContain('Midazolam by a colleague');
    expect(timeline).toContain('Rate lowered to 0.5 mg/kg/h (from 1)');
    // Clinical words only.
    const text = (await page.getByTestId('debrief-page').textContent()) ?? '';
    for (const p of DEVELOPER_TEXT) expect(text).not.toMatch(p);
    expect(text).not.toMatch(/spo2\.low\.high|desaturation\.json/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SCREENSHOTS, 'training-debrief.png'), fullPage: true });

    const downloaded = page.waitForEvent('download');
    await page.getByTestId('debrief-export-pdf').click();
    const file = await downloaded;
    expect(file.suggestedFilename()).toMatch(/^debrief_desaturation_kim_\d{4}-\d\d-\d\d_SIMULATED-TRAINING\.pdf$/);
    const path = join(dir, file.suggestedFilename());
    await file.saveAs(path);
    expect(readFileSync(path).subarray(0, 5).toString()).toBe('%PDF-');
    await page.close();
  });

  it('the trainee\'s progress lists the ended run with its score and links to its debrief', async () => {
    const page = await open('#/training/trainees/kim/progress');
    await page.getByTestId('progress-runs').waitFor({ timeout: 10_000 });
    const cells = await page.getByTestId('progress-runs').locator('tbody tr').first().locator('td').allTextContents();
    expect(cells.slice(1, 7)).toEqual([SCENARIOS.desaturation.title, 'coach', '62.5 % (50 of 80)', '1', '1', expect.stringMatching(/^\d+(\.\d)? s$/)]);
    expect(await page.getByTestId('progress-chart').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'training-progress.png'), fullPage: true });
    await page.getByRole('link', { name: 'Debrief' }).click();
    await page.getByTestId('debrief-items').waitFor({ timeout: 10_000 });
    await page.close();
  });
});
