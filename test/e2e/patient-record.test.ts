import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEVELOPER_TEXT, type Patient, type RescueDose, type Session } from '@infusion/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_DIST, launchBrowser, loginAs, SCREENSHOTS } from '../support/browser';
import { api, connected, createSession, device, deviceKeyFor, login, prepareStart, startServer, type TestServer } from '../support/server';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/**
 * A patient's course of care in real Chromium: three past infusions (8 → 5, 8 → 6, 7 → 4) with adverse
 * effects, an alarm and responses; a new session whose pre-infusion panel and admission form show the
 * series notice (Q8 count, Q3 first course, reassess); adverse effects as markers on the live trend,
 * one documented from the page and shown at once; the patient page with every session and a follow-up.
 */
describe('patient record in the browser', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  /** The server's clock runs at wall speed, shifted into the past while the history is built. */
  let offset = 0;
  const now = () => Date.now() + offset;
  let patient: Patient;
  let current: Session;
  const past: Session[] = [];

  /** Moves the server's clock; the test callers log in again (a move past their idle time ends their logins). */
  const shift = async (to: number) => {
    offset = to - Date.now();
    for (const role of ['nurse', 'physician'] as const) Object.assign(s[role], await login(s.url, role));
  };

  /** An infusion given at `at`: pain before, 150 min at 0.6 mg/kg/h, pain after, satisfaction, an adverse effect. */
  async function pastInfusion(at: number, painBefore: number, painAfter: number, effect: { type: string; severity: string; rescue?: boolean }, lowSpO2 = false) {
    await shift(at);
    const sess = await createSession(s.nurse, { patientId: patient.id, location: 'Chair 4', weightKg: 70 });
    await prepareStart(s, s.nurse, sess.id, now(), 0.6);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: painBefore });
    await shift(at + 3 * 60 * MIN);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.6, t: at + 10 * MIN })).status).toBe(201);
    if (lowSpO2) {
      const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sess.id) });
      await connected(dev);
      for (let k = 0; k < 4; k++) await dev.emitWithAck('frames', [{ sessionId: sess.id, seq: 10 + k, t: at + 60 * MIN + k * 10_000, hr: 80, sbp: 128, dbp: 80, map: 96, spo2: 85, etco2: 40, rr: 12 }]);
      dev.close();
    }
    let rescueDoseId: number | undefined;
    if (effect.rescue) {
      const d = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'antiemetic', doseMg: 4, t: at + 70 * MIN, confirm: { reason: 'site antiemetic, dose per local protocol' } });
      rescueDoseId = d.body.data.id;
    }
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { ...effect, rescue: undefined, t: at + 65 * MIN, ...(rescueDoseId ? { rescueDoseId } : {}) })).status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'stop', t: at + 160 * MIN })).status).toBe(201);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: painAfter, t: at + 175 * MIN });
    await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/response`, { satisfaction: 'satisfied' });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed after recovery' });
    past.push(sess);
  }

  beforeAll(async () => {
    const start = Date.now();
    offset = -90 * DAY;
    s = await startServer({ clientDist: CLIENT_DIST, clock: { now }, config: { SESSION_IDLE_MS: DAY } });
    patient = (await api<Patient>(s.nurse, 'POST', '/api/patients', { sitePatientId: 'KX-2041', yearOfBirth: 1968, sex: 'female', weightKg: 70, heightCm: 164, allergies: ['latex'] })).body.data;
    await pastInfusion(start - 84 * DAY, 8, 5, { type: 'dissociation', severity: 'mild' });
    await pastInfusion(start - 56 * DAY, 8, 6, { type: 'nausea', severity: 'moderate', rescue: true }, true);
    await pastInfusion(start - 28 * DAY, 7, 4, { type: 'headache', severity: 'mild' });
    // Today's session, opened 12 minutes ago, not started yet.
    await shift(Date.now() - 12 * MIN);
    current = await createSession(s.nurse, { patientId: patient.id, patientLabel: 'KX pt', location: 'Chair 2', weightKg: 69 });
    await shift(Date.now());
    offset = 0;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    await loginAs(page, s.url, 'nurse');
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('shows the series notice at a new session: admission and before the infusion, each with its source', async () => {
    await page.goto(`${s.url}/#/admit`);
    await page.getByTestId('admit-patientRef').fill('KX-2041');
    const found = page.getByTestId('admit-patient-found');
    await found.waitFor();
    await expect.poll(() => found.getByTestId('series-count').textContent()).toMatch(/^3 infusions given in the last 12 months \(guideline: no more than 6 to 12 a year\)ASRA\/AAPM\/ASA 2018, Q8/);
    expect(await found.getByTestId('series-first-course').textContent()).toMatch(/^First course: \d+ mg over 2 h 30 min: an adequate first course \(at least 80 mg over more than 2 h\).*Q3/);
    expect(await found.getByTestId('series-reassess').textContent()).toMatch(/^Reassess before this infusion, not by rote: last response positive \(pain 42\.9% lower\).*Q8/);
    await page.screenshot({ path: join(SCREENSHOTS, 'patient-admission-series.png') });

    await page.goto(`${s.url}/#/session/${current.id}`);
    const notice = page.getByTestId('prestart-panel').getByTestId('series-notice');
    await notice.waitFor();
    expect(await notice.getAttribute('data-count')).toBe('3');
    expect(await notice.getByTestId('series-first-course').getAttribute('data-adequate')).toBe('true');
    await page.screenshot({ path: join(SCREENSHOTS, 'patient-series-prestart.png') });
  });

  it('draws adverse effects as markers on the trend, and one documented on the page appears at once', async () => {
    const opened = current.createdAt;
    await prepareStart(s, s.nurse, current.id, opened + MIN, 0.6);
    expect((await api(s.nurse, 'POST', `/api/sessions/${current.id}/infusion`, { type: 'start', rateMgKgH: 0.6, t: opened + 2 * MIN })).status).toBe(201);
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, current.id) });
    await connected(dev);
    const frames = [];
    for (let t = opened + 2 * MIN + 10_000, k = 0; t < Date.now() - 5000; t += 10_000, k++) frames.push({ sessionId: current.id, seq: 100 + k, t, hr: 78 + (k % 5), sbp: 124 + (k % 7), dbp: 79, map: 94, spo2: 97, etco2: 38, rr: 14 });
    for (let i = 0; i < frames.length; i += 20) await dev.emitWithAck('frames', frames.slice(i, i + 20));
    dev.close();
    const rescue = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${current.id}/rescue`, { drugId: 'midazolam', doseMg: 1, t: Date.now() - 6 * MIN, note: 'for hallucinations' });
    expect(rescue.status).toBe(201);
    expect((await api(s.nurse, 'POST', `/api/sessions/${current.id}/adverse-effects`, { type: 'hallucinations', severity: 'moderate', t: Date.now() - 6.5 * MIN, rescueDoseId: rescue.body.data.id })).status).toBe(201);

    await page.goto(`${s.url}/#/session/${current.id}`);
    const trends = page.getByTestId('session-trends');
    await trends.waitFor();
    const adverseMarks = async () => (JSON.parse((await trends.getAttribute('data-markers')) ?? '[]') as { kind: string; detail: string }[]).filter((m) => m.kind === 'adverse').map((m) => m.detail);
    await expect.poll(adverseMarks).toEqual(['hallucinations']);
    expect(await page.getByTestId('adverse-effects').textContent()).toMatch(/Hallucinations.*Table 4 \(psychomimetic effects: hallucinations\).*moderate/);

    // Documented on the page: listed and on the trend at once, 3 minutes ago.
    await page.getByTestId('adverse-type').selectOption('nausea');
    await page.getByTestId('adverse-severity').selectOption('mild');
    await page.getByTestId('adverse-minutes-ago').fill('3');
    await page.getByTestId('adverse-note').fill('settled with rate reduction');
    await page.getByTestId('adverse-submit').click();
    await page.getByTestId('adverse-done').waitFor();
    await expect.poll(adverseMarks).toEqual(['hallucinations', 'nausea']);
    expect(await page.getByTestId('adverse-effects').locator('tbody tr').count()).toBe(2);
    await page.getByTestId('window-15m').click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SCREENSHOTS, 'patient-adverse-markers.png') });
  });

  it('lists every session of the patient with dose, pain before and after, response, adverse effects and alarms; takes a follow-up', async () => {
    await page.goto(`${s.url}/#/session/${current.id}`);
    await page.getByTestId('patient-link').click();
    const p = page.getByTestId('patient-page');
    await p.waitFor();
    expect(await p.getByTestId('patient-site-id').textContent()).toBe('Patient KX-2041');
    expect(await p.getByTestId('patient-allergies').textContent()).toBe('latex');
    const rows = p.getByTestId('patient-sessions').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(4);
    const row = (sess: Session) => p.getByTestId(`course-row-${sess.id}`);
    expect(await row(past[0]!).getByTestId('course-pain').textContent()).toBe('8 → 5');
    expect(await row(past[0]!).getByTestId('course-response').textContent()).toMatch(/^37\.5% responder/);
    expect(await row(past[1]!).getByTestId('course-response').textContent()).toMatch(/^25% not a responder/);
    expect(await row(past[1]!).getByTestId('course-adverse').textContent()).toBe('Nausea (moderate)');
    // 0.6 mg/kg/h x 70 kg x 2.5 h = 105 mg, 1.50 mg/kg.
    expect(await row(past[0]!).getByTestId('course-dose').textContent()).toBe('105.0 mg · 1.50 mg/kg');
    expect(Number(await row(past[1]!).locator('td').last().textContent())).toBeGreaterThan(0);
    expect(await row(current).getByTestId('course-adverse').textContent()).toBe('Hallucinations (moderate), Nausea (mild)');

    await p.getByTestId('followup-pain').fill('4');
    await p.getByTestId('followup-satisfaction').selectOption('satisfied');
    await p.getByTestId('followup-note').fill('3-week call: walking further');
    await p.getByTestId('followup-submit').click();
    await expect.poll(() => p.getByTestId('patient-followups').locator('tbody tr').count()).toBe(1);
    expect(await p.getByTestId('patient-followups').textContent()).toContain('3-week call: walking further');
    await page.screenshot({ path: join(SCREENSHOTS, 'patient-page.png') });
    // Clinical words only: no internal user ids, file names or rule ids on the page.
    await p.locator('details.measurements summary').click();
    const shown = (await p.textContent()) ?? '';
    expect(DEVELOPER_TEXT.filter((re) => re.test(shown)).map(String)).toEqual([]);
    expect(shown).toContain('(Test nurse)');
  });
});
