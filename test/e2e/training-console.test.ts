import type { Alarm, TrainingRun } from '@infusion/shared';
import { silentLogger, TrainingHost } from '@infusion/simulator';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginInBrowser, SCREENSHOTS } from '../support/browser';
import { api, login, passingChecklist, startServer, TEST_PASSWORD, writeOrder, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';
import { until } from '../support/until';

/**
 * The trainer console in Chromium against a real server and a real training host (in-process, over
 * socket.io as a device): the trainer creates a run for a trainee (a refused trainee first), starts
 * it, sets x10, injects a desaturation that reaches the trainee's screen as an alarm, watches the
 * trainee acknowledge it and lower the rate on the session page, pauses and ends the run, and opens
 * the debrief: both expected actions met, with their times and the score. The trainee sees the
 * session tile marked TRAINING.
 */
describe('trainer console in the browser', () => {
  let s: TestServer;
  let host: TrainingHost;
  let browser: Browser;
  let trainer: Page;
  let trainee: Page;
  let runId: string;
  let scenarioTitle: string;
  let sessionId: string;

  const loginAsUser = async (page: Page, username: string) => {
    await loginInBrowser(page, s.url, username);
    await page.locator(`[data-testid="current-user"][data-username="${username}"]`).waitFor({ timeout: 10_000 });
  };

  beforeAll(async () => {
    s = await startServer({ clientDist: CLIENT_DIST });
    await s.app.users.create({ username: 'coach', displayName: 'Coach Demo', role: 'trainer', units: ['training'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    await s.app.users.create({ username: 'trainee', displayName: 'Trainee Demo', role: 'nurse', units: ['training'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    const coach = await login(s.url, 'coach');
    // Wait (no fixed sleep) for the host to offer its scenarios.
    for (const end = Date.now() + 20_000; !(await api<{ name: string }[]>(coach, 'GET', '/api/training/scenarios')).body.data.some((x) => x.name === 'desaturation'); ) {
      if (Date.now() > end) throw new Error('the training host offered no scenario');
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchBrowser();
    trainer = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    trainee = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });
  afterAll(async () => {
    host?.close();
    await browser?.close();
    await s?.close();
  });

  it('refuses a trainee who is no clinician of the unit under that field, then creates the run', async () => {
    await loginAsUser(trainer, 'coach');
    await trainer.getByTestId('training-link').click();
    await trainer.getByTestId('training-console').waitFor();
    expect(await trainer.getByTestId('training-marker').textContent()).toContain('TRAINING');
    await expect.poll(() => trainer.getByTestId('run-scenario').locator('option[value="desaturation"]').count(), { timeout: 10_000 }).toBe(1);
    await trainer.getByTestId('run-scenario').selectOption('desaturation');
    scenarioTitle = (await trainer.getByTestId('run-scenario').locator('option[value="desaturation"]').textContent())!;
    expect(await trainer.getByTestId('run-scenario-about').textContent()).toMatch(/kg/);

    // Checked before sending: no trainee, a seed that is not a whole number.
    await trainer.getByTestId('run-seed').fill('4.5');
    await trainer.getByTestId('run-create-submit').click();
    await trainer.getByTestId('run-error-trainee').waitFor();
    expect(await trainer.getByTestId('run-error-seed').textContent()).toContain('whole number');

    // Refused by the server: the reason under the trainee field.
    await trainer.getByTestId('run-seed').fill('7');
    await trainer.getByTestId('run-trainee').fill('nurse');
    await trainer.getByTestId('run-create-submit').click();
    await expect.poll(() => trainer.getByTestId('run-error-trainee').textContent(), { timeout: 10_000 }).toContain('not an active clinician of the training unit');
    expect(await trainer.getByTestId('run-error-seed').count()).toBe(0);
    await trainer.getByTestId('run-create').screenshot({ path: join(SCREENSHOTS, 'training-create-refused.png') });
    // The form offers the unit's clinicians, so the trainer need not guess: the refused nurse is not among them.
    await expect.poll(() => trainer.getByTestId('run-trainee-options').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), { timeout: 10_000 }).toContain('trainee');
    expect(await trainer.getByTestId('run-trainee-options').locator('option[value="nurse"]').count()).toBe(0);

    await trainer.getByTestId('run-trainee').fill('trainee');
    await trainer.getByTestId('run-create-submit').click();
    const detail = trainer.getByTestId('run-detail');
    await expect.poll(() => detail.getAttribute('data-state'), { timeout: 10_000 }).toBe('created');
    runId = (await detail.getAttribute('data-run'))!;
    expect(await trainer.getByTestId(`run-${runId}`).getAttribute('data-state')).toBe('created');
    expect(await trainer.getByTestId('run-error-trainee').count()).toBe(0);
    const runs = (await api<TrainingRun[]>(await login(s.url, 'coach'), 'GET', '/api/training/runs')).body.data;
    sessionId = runs.find((r) => r.id === runId)!.sessionId;
    expect(runs.find((r) => r.id === runId)).toMatchObject({ trainee: 'trainee', scenario: 'desaturation', seed: 7, state: 'created' });
  });

  it('starts the run, sets x10 and its scenario clock runs', async () => {
    await trainer.getByTestId('run-start').click();
    await expect.poll(() => trainer.getByTestId(`run-${runId}`).getAttribute('data-state'), { timeout: 10_000 }).toBe('running');
    await trainer.getByTestId('run-speed-10').click();
    await expect.poll(() => trainer.getByTestId(`run-speed-of-${runId}`).textContent(), { timeout: 10_000 }).toBe('×10');
    expect(await trainer.getByTestId('run-speed-10').getAttribute('aria-pressed')).toBe('true');
    // At x10 the scenario passes a minute in about 6 s: the clock shows minutes going by.
    const clock = trainer.getByTestId('run-detail-clock');
    await expect.poll(async () => (await clock.textContent())!.split(':')[0], { timeout: 20_000 }).not.toBe('0');
    // The run's tile appears in the watch panel as the trainee sees it.
    await trainer.getByTestId('run-watch').getByTestId(`tile-${sessionId}`).waitFor({ timeout: 10_000 });
  });

  it('the infusion runs: ordered, checked and started as the trainee documents it', async () => {
    const coach = await login(s.url, 'coach');
    const kim = await login(s.url, 'trainee');
    const ok = async (r: Promise<{ status: number; body: unknown }>) => {
      const res = await r;
      if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    };
    // The checklist needs baseline vitals: the host streams them.
    await until('baseline vitals', async () => (await countOf(dbOf(s).selectFrom('vitals').where('session_id', '=', sessionId))) >= 3, 20_000);
    await writeOrder(coach, sessionId, { setting: 'monitored_unit', rateMinMgKgH: 0.25, rateMaxMgKgH: 1 });
    await ok(api(kim, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'RASS', score: 0 }));
    await ok(api(kim, 'POST', `/api/sessions/${sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 }));
    await ok(api(kim, 'PUT', `/api/sessions/${sessionId}/checklist`, passingChecklist(1)));
    await ok(api(kim, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'start', rateMgKgH: 1 }));
  });

  it('the trainee sees the run\'s session tile marked TRAINING and SIMULATED', async () => {
    await loginAsUser(trainee, 'trainee');
    const tile = trainee.getByTestId(`tile-${sessionId}`);
    await tile.waitFor({ timeout: 10_000 });
    await tile.getByTestId('training-badge').waitFor({ timeout: 10_000 });
    expect(await tile.getByTestId('simulated-badge').count()).toBe(1);
    await trainee.screenshot({ path: join(SCREENSHOTS, 'training-trainee-overview.png') });
    // Their own runs, read-only: no control of the run.
    await trainee.getByTestId('training-link').click();
    await trainee.getByTestId(`trainee-run-${runId}`).waitFor();
    // Named by the scenario's title, as the trainer chose it, not its internal name.
    expect(await trainee.getByTestId(`trainee-run-${runId}`).textContent()).toContain(scenarioTitle);
    expect(await trainee.getByTestId('run-start').count()).toBe(0);
    expect(await trainee.getByTestId('run-create').count()).toBe(0);
    expect(await trainee.getByTestId(`trainee-session-${runId}`).getAttribute('href')).toBe(`#/session/${sessionId}`);
    await trainee.getByTestId(`trainee-run-${runId}`).getByTestId(`tile-${sessionId}`).waitFor();
    await trainee.screenshot({ path: join(SCREENSHOTS, 'training-trainee-runs.png') });
  });

  it('injects a desaturation: on the timeline at once, then the trainee\'s alarm, watched until the trainee acknowledges it', async () => {
    await trainer.getByTestId('inject-kind-excursion').check();
    // Nothing to move: refused before sending.
    await trainer.getByTestId('inject-label').fill('Sudden desaturation');
    await trainer.getByTestId('inject-submit').click();
    await trainer.getByTestId('inject-error-to').waitFor();
    await trainer.getByTestId('inject-to-spo2').fill('78');
    await trainer.getByTestId('inject-onsetMin').fill('0.5');
    await trainer.getByTestId('inject-holdMin').fill('30');
    await trainer.getByTestId('inject-submit').click();
    // The run's whole timeline (the watch panel lists only the trainee's own actions).
    const timeline = trainer.getByTestId('run-detail').getByTestId('run-timeline').filter({ hasText: 'Sudden desaturation: SpO2 to 78' });
    await timeline.waitFor({ timeout: 10_000 });
    expect(await timeline.locator('[data-source="trainer"]').count()).toBe(1);

    // The SpO2 alarm reaches the trainee's screen; the console shows it waiting for them.
    const watch = trainer.getByTestId('run-watch');
    const open = watch.locator('[data-testid^="watch-alarm-"][data-acknowledged="false"]').first();
    await open.waitFor({ timeout: 30_000 });
    expect(await open.textContent()).toContain('not acknowledged');
    const alarmId = (await open.getAttribute('data-testid'))!.replace('watch-alarm-', '');
    // The scenario expects the high SpO2 alarm acknowledged within 30 s and the rate lowered within
    // 2 min: the trainer slows the run to x1 first, so the trainee's seconds are scenario seconds.
    await trainer.getByTestId('run-speed-1').click();
    await expect.poll(() => trainer.getByTestId(`run-speed-of-${runId}`).textContent(), { timeout: 10_000 }).toBe('×1');

    // The link's own address (the escalation panel of the trainee's header may lie over the list).
    const href = (await trainee.getByTestId(`trainee-session-${runId}`).getAttribute('href'))!;
    await trainee.evaluate((h) => {
      location.hash = h;
    }, href);
    await trainee.getByTestId('session-page').waitFor();
    await trainee.getByTestId('session-page').getByTestId('training-badge').waitFor();
    await trainee.getByTestId(`ack-${alarmId}`).click();
    await expect.poll(() => watch.getByTestId(`watch-alarm-${alarmId}`).getAttribute('data-acknowledged'), { timeout: 10_000 }).toBe('true');
    expect(await watch.getByTestId(`watch-alarm-${alarmId}`).textContent()).toContain('acknowledged by trainee');

    const high = await until('the high SpO2 alarm', () => s.app.alarms.unresolved().find((a: Alarm) => a.sessionId === sessionId && a.ruleId === 'spo2.low.high'), 60_000);
    if (String(high.id) !== alarmId) await trainee.getByTestId(`ack-${high.id}`).click();
    await expect.poll(() => watch.getByTestId(`watch-alarm-${high.id}`).getAttribute('data-acknowledged'), { timeout: 10_000 }).toBe('true');
    await trainee.getByTestId('infusion-rate').fill('0.5');
    await trainee.getByTestId('infusion-change').click();
    await trainee.getByTestId('infusion-done').waitFor({ timeout: 10_000 });
    await expect.poll(() => watch.textContent(), { timeout: 10_000 }).toContain('0.5');
    await trainer.screenshot({ path: join(SCREENSHOTS, 'training-console.png') });
  });

  it('pauses (the clock stands still), then ends the run after a confirm; the debrief is linked', async () => {
    await trainer.getByTestId('run-pause').click();
    await expect.poll(() => trainer.getByTestId('run-detail').getAttribute('data-state'), { timeout: 10_000 }).toBe('paused');
    const clock = trainer.getByTestId('run-detail-clock');
    const held = await clock.textContent();
    // Two renders later (the speed buttons re-render it too) the paused clock still shows the same time.
    await trainer.getByTestId('run-end').click();
    await trainer.getByTestId('run-end-confirm').waitFor();
    expect(await clock.textContent()).toBe(held);
    await trainer.getByTestId('run-end-no').click();
    expect(await trainer.getByTestId('run-detail').getAttribute('data-state')).toBe('paused');
    await trainer.getByTestId('run-end').click();
    await trainer.getByTestId('run-end-yes').click();
    await expect.poll(() => trainer.getByTestId('run-detail').getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
    expect(await trainer.getByTestId('run-debrief-link').getAttribute('href')).toBe(`#/training/runs/${runId}/debrief`);
    expect(await trainer.getByTestId('run-controls').count()).toBe(0);
    expect(await trainer.getByTestId('inject-form').count()).toBe(0);
    await trainer.screenshot({ path: join(SCREENSHOTS, 'training-console-ended.png') });
    await trainee.getByTestId('training-link').click();
    await expect.poll(() => trainee.getByTestId(`trainee-run-${runId}`).getAttribute('data-state'), { timeout: 10_000 }).toBe('ended');
    expect(await trainee.getByTestId(`trainee-debrief-${runId}`).getAttribute('href')).toBe(`#/training/runs/${runId}/debrief`);
  });

  it('the debrief shows the trainee met both expected actions, with their times, and the score', async () => {
    await trainer.getByTestId('run-debrief-link').click();
    await trainer.getByTestId('debrief-items').waitFor({ timeout: 10_000 });
    const rows = await trainer.getByTestId('debrief-items').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const ack = rows.find((r) => r[0]!.startsWith('Acknowledge the SpO2 alarm'))!;
    const lower = rows.find((r) => r[0]!.startsWith('Lower the rate'))!;
    expect(ack[1]).toBe('Met');
    expect(ack[2]).toMatch(/^\d+(\.\d)? s \(deadline 30 s\)$/);
    expect(lower[1]).toBe('Met');
    expect(lower[2]).toMatch(/^\d+(\.\d)? s \(deadline 120 s\)$/);
    expect(await trainer.getByTestId('debrief-percent').textContent()).toMatch(/^\d+(\.\d)? %$/);
    expect(await trainer.getByTestId('debrief-score').textContent()).toMatch(/of \d+ points/);
    await trainer.screenshot({ path: join(SCREENSHOTS, 'training-full-run-debrief.png'), fullPage: true });
  });
});
