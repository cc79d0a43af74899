import { DEVELOPER_TEXT, type RuleSet } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, device, prepareStart, startServer, type DeviceSocket, type TestServer } from '../support/server';

const MIN = 60_000;

/**
 * Stop → recovery → discharge in the browser: the recovery panel counts from the stop, a discharge
 * before the site's criteria are met is refused with each reason shown, and once the patient has
 * been observed long enough at baseline the nurse discharges. The server runs on a manual clock so
 * the 30 min of observation pass at once.
 */
describe('recovery and discharge in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let nurse: Page;
  let physician: Page;
  let dev: DeviceSocket;
  let sessionId: string;
  let seq = 0;
  const clock = new ManualClock(Date.now());
  /** The header and the session's panel of the course of care, clipped from the whole page scrolled to the top (sticky bars stay up there). */
  const shoot = async (name: string, page: Page = nurse) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    const header = await page.locator('.session-header').boundingBox();
    const panel = await page.getByTestId('course-panel').boundingBox();
    if (!header || !panel) throw new Error('session page not laid out');
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-header.png`), clip: header });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, clip: panel });
  };
  const frame = (v: Record<string, number> = {}) => dev.emitWithAck('frames', [{ sessionId, seq: ++seq, t: clock.now(), hr: 72, sbp: 120, dbp: 78, map: 92, spo2: 98, etco2: 37, rr: 14, ...v }]);

  beforeAll(async () => {
    s = await startServer({ clientDist: CLIENT_DIST, clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse, { patientLabel: 'Bay-4 pt', location: 'Chair 4' })).id;
    await prepareStart(s, s.nurse, sessionId, clock.now());
    expect((await api(s.nurse, 'POST', `/api/sessions/${sessionId}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    dev = device(s);
    await connected(dev);
    clock.advance(40 * MIN);
    await frame({ sbp: 138 });
    browser = await launchBrowser();
    nurse = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
    physician = await (await browser.newContext({ viewport: { width: 1400, height: 1100 } })).newPage();
  });
  afterAll(async () => {
    dev?.close();
    await browser?.close();
    await s?.close();
  });

  it('stops the infusion into recovery, refuses an early discharge with the reasons, then discharges at baseline', async () => {
    await loginAs(nurse, s.url, 'nurse');
    await expect.poll(() => nurse.getByTestId(`phase-of-${sessionId}`).textContent(), { timeout: 10_000 }).toBe('Infusion');
    await nurse.getByTestId(`tile-${sessionId}`).click();
    await nurse.getByTestId('course-panel').waitFor();
    // Ending while the infusion runs is not offered: stopping it starts recovery.
    expect(await nurse.getByTestId('end-form').count()).toBe(0);

    await nurse.getByTestId('infusion-stop').click();
    await nurse.getByTestId('dose-dialog-confirm').click();
    await expect.poll(() => nurse.getByTestId('session-phase').textContent(), { timeout: 10_000 }).toBe('Recovery');
    await nurse.getByTestId('recovery-panel').waitFor();
    expect(await nurse.getByTestId('recovery-since').textContent()).toMatch(/0 min ago/);
    expect(await nurse.getByTestId('recovery-min-observation').textContent()).toMatch(/30 min after the stop · 30 min to go/);
    expect(await nurse.getByTestId('recovery-sedation-due').textContent()).toMatch(/every 15 min/);
    await shoot('recovery-panel');

    // Straight away: BP still 15 % up, but only 0 of 30 min observed and no escort yet.
    await nurse.getByTestId('discharge-activity').selectOption('2');
    await nurse.getByTestId('discharge-respiration').selectOption('2');
    await nurse.getByTestId('discharge-consciousness').selectOption('2');
    await nurse.getByTestId('discharge-sedation-score').fill('0');
    await nurse.getByTestId('discharge-pain').fill('3');
    await nurse.getByTestId('discharge-mental').check();
    await nurse.getByTestId('discharge-no-driving').check();
    await nurse.getByTestId('discharge-submit').click();
    await nurse.getByTestId('discharge-refused').waitFor();
    expect(await nurse.getByTestId('discharge-refused').textContent()).toMatch(/Observed at least 30 min after the stop \(0 min since the stop \(minimum 30 min\)\)/);
    expect(await nurse.getByTestId('criterion-escort').getAttribute('data-met')).toBe('false');
    expect(await nurse.getByTestId('criterion-aldrete').getAttribute('data-met')).toBe('true');
    expect(await nurse.getByTestId('aldrete-circulation').textContent()).toMatch(/SBP 138 vs baseline 120 mmHg \(\+15 %\)/);
    expect(await nurse.getByTestId('discharge-assessment-score').textContent()).toBe('10 / 10');
    // A nurse cannot override: that is the physician's decision.
    expect(await nurse.getByTestId('discharge-override-submit').count()).toBe(0);
    await shoot('discharge-refused');
    expect(await nurse.getByTestId('session-phase').textContent()).toBe('Recovery');

    // 31 min later, vitals back at baseline, the escort has arrived.
    clock.advance(31 * MIN);
    await frame({ sbp: 124 });
    await nurse.getByTestId('discharge-escort').check();
    await nurse.getByTestId('discharge-assess').click();
    await expect.poll(() => nurse.getByTestId('discharge-assessment').getAttribute('data-met'), { timeout: 10_000 }).toBe('true');
    await nurse.getByTestId('discharge-submit').click();
    await expect.poll(() => nurse.getByTestId('session-phase').textContent(), { timeout: 10_000 }).toBe('Discharged');
    await nurse.getByTestId('discharge-summary').waitFor();
    const summary = (await nurse.getByTestId('discharge-summary').textContent()) ?? '';
    expect(summary).toMatch(/Modified Aldrete 10 \/ 10 · final sedation RASS 0 · pain 3 \/ 10 · mental status at baseline/);
    expect(summary).not.toMatch(/physician's decision/);
    expect(await nurse.getByTestId('criterion-observation_time').last().getAttribute('data-met')).toBe('true');
    // Clinician words only on the page (no file names, rule ids or internal ids).
    const text = (await nurse.locator('body').textContent()) ?? '';
    for (const re of DEVELOPER_TEXT) expect(text, String(re)).not.toMatch(re);
    await shoot('discharge-done');
  });

  it('lets the physician discharge before the criteria are met, with the reason shown on the record', async () => {
    const other = (await createSession(s.nurse, { patientLabel: 'Bay-5 pt', location: 'Chair 5' })).id;
    await prepareStart(s, s.nurse, other, clock.now());
    expect((await api(s.nurse, 'POST', `/api/sessions/${other}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    clock.advance(20 * MIN);
    expect((await api(s.nurse, 'POST', `/api/sessions/${other}/infusion`, { type: 'stop' })).status).toBe(201);
    clock.advance(10 * MIN);
    await dev.emitWithAck('frames', [{ sessionId: other, seq: ++seq, t: clock.now(), hr: 72, sbp: 120, dbp: 78, map: 92, spo2: 98, etco2: 37, rr: 14 }]);

    await loginAs(physician, s.url, 'physician');
    await physician.getByTestId(`tile-${other}`).click();
    await physician.getByTestId('recovery-panel').waitFor();
    await physician.getByTestId('discharge-activity').selectOption('2');
    await physician.getByTestId('discharge-respiration').selectOption('2');
    await physician.getByTestId('discharge-consciousness').selectOption('2');
    await physician.getByTestId('discharge-sedation-score').fill('0');
    await physician.getByTestId('discharge-pain').fill('2');
    await physician.getByTestId('discharge-mental').check();
    await physician.getByTestId('discharge-escort').check();
    await physician.getByTestId('discharge-no-driving').check();
    await physician.getByTestId('discharge-submit').click();
    await physician.getByTestId('discharge-refused').waitFor();
    expect(await physician.getByTestId('discharge-refused').textContent()).toMatch(/10 min since the stop \(minimum 30 min\)/);
    await physician.getByTestId('discharge-override-reason').fill('stable at baseline, transport waiting; reviewed by me');
    await physician.getByTestId('discharge-override-submit').click();
    await expect.poll(() => physician.getByTestId('session-phase').textContent(), { timeout: 10_000 }).toBe('Discharged');
    expect(await physician.getByTestId('discharge-override').textContent()).toMatch(/discharged on the physician's decision \(Test physician, [\d:]+\): stable at baseline, transport waiting; reviewed by me/);
    await shoot('discharge-override', physician);
  });

  it('asks the PADSS items on a site that chose PADSS (bleeding by site policy, no escort asked), shows them scored and discharges at 9', async () => {
    // The admin's rule-set edit (the document the rule-set editor saves): PADSS, escort not required.
    const current = (await api<RuleSet>(s.admin, 'GET', '/api/rulesets/current')).body.data;
    const { id: _id, version: _v, ...doc } = current;
    const d = current.discharge!;
    expect((await api(s.admin, 'PUT', '/api/rulesets/current', { ...doc, discharge: { ...d, score: { ...d.score, scale: 'padss' }, escort: { ...d.escort!, required: false } } })).status).toBe(200);

    const padss = (await createSession(s.nurse, { patientLabel: 'Bay-6 pt', location: 'Chair 6' })).id;
    await prepareStart(s, s.nurse, padss, clock.now());
    expect((await api(s.nurse, 'POST', `/api/sessions/${padss}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    clock.advance(20 * MIN);
    expect((await api(s.nurse, 'POST', `/api/sessions/${padss}/infusion`, { type: 'stop' })).status).toBe(201);
    clock.advance(35 * MIN);
    await dev.emitWithAck('frames', [{ sessionId: padss, seq: ++seq, t: clock.now(), hr: 76, sbp: 126, dbp: 80, map: 95, spo2: 98, etco2: 37, rr: 14 }]);

    await nurse.goto(`${s.url}/`);
    await nurse.getByTestId(`tile-${padss}`).click();
    await nurse.getByTestId('recovery-panel').waitFor();
    await nurse.getByTestId('discharge-score-padss').waitFor();
    // The Aldrete items and the escort are not asked on this site.
    expect(await nurse.getByTestId('discharge-score-aldrete').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-respiration').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-escort').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-padss-bleeding').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-padss-bleeding-policy').textContent()).toBe('Surgical bleeding: not applicable (no surgical wound), scored 2 — Site discharge policy (institutional default, not from PADSS)');
    expect(await nurse.getByTestId('discharge-score-padss').textContent()).toMatch(/Chung F, Chan VW, Ong D/);
    const options = await nurse.getByTestId('discharge-padss-nauseaVomiting').locator('option').allTextContents();
    expect(options).toEqual(['score…', '0: severe', '1: moderate', '2: minimal']);

    await nurse.getByTestId('discharge-padss-activity').selectOption('2');
    await nurse.getByTestId('discharge-padss-nauseaVomiting').selectOption('1');
    await nurse.getByTestId('discharge-padss-pain').selectOption('1');
    await nurse.getByTestId('discharge-sedation-score').fill('0');
    await nurse.getByTestId('discharge-pain').fill('4');
    await nurse.getByTestId('discharge-mental').check();
    await nurse.getByTestId('discharge-no-driving').check();
    await nurse.getByTestId('discharge-submit').click();
    await nurse.getByTestId('discharge-refused').waitFor();
    expect(await nurse.getByTestId('discharge-refused').textContent()).toMatch(/PADSS score 9 or more \(score 8 of 10, needs 9: nausea and vomiting 1 \(moderate\); pain 1 \(moderate\)\)/);
    expect(await nurse.getByTestId('discharge-assessment-padss').count()).toBe(1);
    expect(await nurse.getByTestId('padss-vitals').textContent()).toMatch(/Vital signs \(measured\)2SBP 126 vs baseline 120 mmHg \(\+5 %\), HR 76 vs baseline 72 \/min \(\+6 %\)/);
    expect(await nurse.getByTestId('padss-bleeding').textContent()).toMatch(/Surgical bleeding \(site policy\)2not applicable/);
    expect(await nurse.getByTestId('criterion-escort').count()).toBe(0);

    // Changing an answer withdraws the refusal at once (it was of the answers sent: "8 of 10"), and the
    // criteria shown are marked as those of the earlier answers until checked again.
    await nurse.getByTestId('discharge-padss-pain').selectOption('2');
    expect(await nurse.getByTestId('discharge-refused').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-assessment-stale').textContent()).toMatch(/answers changed since this check/);
    await nurse.getByTestId('discharge-assess').click();
    await expect.poll(() => nurse.getByTestId('discharge-assessment').getAttribute('data-met'), { timeout: 10_000 }).toBe('true');
    expect(await nurse.getByTestId('discharge-assessment-score').textContent()).toBe('9 / 10');
    expect(await nurse.getByTestId('discharge-refused').count()).toBe(0);
    expect(await nurse.getByTestId('discharge-assessment-stale').count()).toBe(0);
    expect(await nurse.getByTestId('criterion-padss').getAttribute('data-met')).toBe('true');
    await shoot('discharge-padss');
    await nurse.getByTestId('discharge-submit').click();
    await expect.poll(() => nurse.getByTestId('session-phase').textContent(), { timeout: 10_000 }).toBe('Discharged');
    expect(await nurse.getByTestId('discharge-summary').textContent()).toMatch(/PADSS 9 \/ 10 · final sedation RASS 0/);
    const text = (await nurse.locator('body').textContent()) ?? '';
    for (const re of DEVELOPER_TEXT) expect(text, String(re)).not.toMatch(re);
    await shoot('discharge-padss-done');
  });
});
