import { defaultRuleSet, type Alarm, type AlarmUpdate, type IngestResult, type Result, type Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import { fhirSchemaErrors, unresolvedReferences } from '../support/fhirValidator';
import { logLongSession } from '../support/longSession';
import { api, connected, createSession, dashboard, device, deviceKeyFor, login, prepareStart, startServer, TEST_PASSWORD, waitFor, writeOrder, type Caller, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const MIN = 60_000;

interface Download {
  status: number;
  type: string;
  disposition: string;
  body: Buffer;
}
/**
 * GET the export on a connection of its own: the FHIR schema check runs for seconds on this process's
 * event loop, which the server shares, so a kept-alive connection could be closed by its idle timer
 * just as the next request goes out on it.
 */
function download(who: Caller, sessionId: string, format: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${who.url}/api/sessions/${sessionId}/export?format=${encodeURIComponent(format)}`, { headers: who.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', disposition: res.headers['content-disposition'] ?? '', body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** The PDF's text per page (poppler's pdftotext; pages end with a form feed). */
function pdfPages(pdf: Buffer, dir: string, name: string): string[] {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((p) => p.trim() !== '');
}

/** Renders the PDF's pages into test-results/screenshots/<name>-N.png (poppler's pdftoppm) to look at. */
function renderPdf(pdf: Buffer, dir: string, name: string): string[] {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, pdf);
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const f of readdirSync(SCREENSHOTS)) if (f.startsWith(`${name}-`) && f.endsWith('.png')) rmSync(join(SCREENSHOTS, f));
  execFileSync('pdftoppm', ['-png', '-r', '80', file, join(SCREENSHOTS, name)]);
  return readdirSync(SCREENSHOTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
}

type CsvRow = Record<string, string>;
const csvRows = (csv: Buffer): CsvRow[] => parse(csv, { columns: true, skip_empty_lines: false, bom: true }) as CsvRow[];

/**
 * The session record export: a simulated session with an order, checklist, infusion start, bolus,
 * 1 Hz vitals, an HR alarm a nurse acknowledges, a rescue drug and a stop, downloaded as PDF, CSV
 * and FHIR by a real server and checked with real parsers (pdftotext, csv-parse, the FHIR R4 schema).
 */
describe('session record export', () => {
  let s: TestServer;
  let clock: ManualClock;
  let sess: Session;
  let real: Session;
  let alarm: Alarm;
  let dir: string;
  const sent: { t: number; hr: number; spo2: number; sbp: number; dbp: number; map: number; etco2: number; rr: number }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-test-'));
    clock = new ManualClock(T0);
    s = await startServer({ clock, ruleSet: defaultRuleSet, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sess = await createSession(s.nurse, { simulated: true, patientLabel: 'EXP-7, "Ward" B', location: 'Chair 2', weightKg: 70 });
    real = await createSession(s.nurse, { patientLabel: 'REAL-1', location: 'Chair 3' });
    await writeOrder(s.physician, sess.id);
    await prepareStart(s, s.nurse, sess.id, T0);
    const start = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    expect(start.status).toBe(201);

    const nurseScreen = dashboard(s.nurse);
    await connected(nurseScreen);
    await nurseScreen.emitWithAck('subscribe', {});
    const raised = waitFor<AlarmUpdate>(nurseScreen, 'alarm', (u) => u.transition === 'raised' && u.alarm.sessionId === sess.id && u.alarm.ruleId === 'hr.high.high');

    // Two minutes at 1 Hz; HR climbs to 160 for the seconds 60-69 (in steps a monitor could report, not an artifact) and raises the HR alarm.
    const hrAt = (sec: number) => (sec >= 60 && sec < 70 ? 160 : sec >= 54 && sec < 60 ? 70 + (sec - 53) * 15 : 70 + (sec % 7));
    const dev = device({ url: s.url, deviceKey: deviceKeyFor(s, sess.id) });
    await connected(dev);
    for (let sec = 1; sec <= 120; sec++) sent.push({ t: T0 + sec * 1000, hr: hrAt(sec), spo2: 96 + (sec % 3), sbp: 120 + (sec % 5), dbp: 78, map: 92, etco2: 37, rr: 14 });
    for (let i = 0; i < sent.length; i += 30) {
      const batch = sent.slice(i, i + 30);
      clock.set(batch.at(-1)!.t);
      const r = (await dev.emitWithAck('frames', batch.map((f, k) => ({ sessionId: sess.id, seq: i + k + 1, ...f })))) as Result<IngestResult>;
      expect(r.ok && r.data.accepted.length).toBe(batch.length);
    }
    dev.close();
    alarm = (await raised).alarm;
    clock.set(T0 + 125_000);
    const ack = (await nurseScreen.emitWithAck('alarm:acknowledge', { alarmId: alarm.id })) as Result<Alarm>;
    expect(ack.ok).toBe(true);
    nurseScreen.close();

    const bolus = await api(s.physician, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'bolus', doseMg: 10 });
    expect(bolus.status).toBe(201);
    const rescue = await api(s.physician, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 2, alarmId: alarm.id, note: 'emergence reaction' });
    expect(rescue.status).toBe(201);
    const effect = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'dysphoria', severity: 'moderate', rescueDoseId: (rescue.body.data as { id: number }).id, note: 'agitated on emergence' });
    expect(effect.status).toBe(201);
    clock.set(T0 + 30 * MIN);
    const stop = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'stop' });
    expect(stop.status).toBe(201);
    // Pain 6 before the start (prepareStart), 3 after the stop: 50 %, a responder; satisfied (Q8).
    clock.set(T0 + 45 * MIN);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: 3 })).status).toBe(201);
    expect((await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/response`, { satisfaction: 'satisfied' })).status).toBe(200);
    sess = (await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.session;
    // Alarms raised by the last requests (the monitor's silence at the stop) are committed before any export reads them.
    await s.app.queue.flush();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PDF: patient, total dose, the alarm and who acknowledged it, SIMULATED on every page; rendered for review', async () => {
    const r = await download(s.nurse, sess.id, 'pdf');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    expect(r.disposition).toBe('attachment; filename="Chair-2_EXP-7-Ward-B_2026-11-22_SIMULATED.pdf"');
    expect(r.body.subarray(0, 5).toString()).toBe('%PDF-');

    const pages = pdfPages(r.body, dir, 'session-export');
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((p, i) => expect(p, `page ${i + 1}`).toMatch(/SIMULATED — not a patient record/));
    // The page frame's number on every page.
    pages.forEach((p, i) => expect(p, `page ${i + 1}`).toContain(`Page ${i + 1} of ${pages.length}`));
    const text = pages.join('\n');
    expect(text).toContain('EXP-7, "Ward" B');
    const mg = Math.round(sess.infusion.cumulativeMg * 100) / 100;
    const mgKg = Math.round(sess.infusion.cumulativeMgPerKg * 100) / 100;
    expect(mg).toBeGreaterThan(10);
    expect(text).toMatch(new RegExp(`Total ketamine given:? +${mg} mg \\(${mgKg} mg/kg\\)`));
    expect(text).toContain(alarm.title);
    expect(text).toMatch(/ack 2026-11-22 09:02:05 UTC by\s+Test nurse/);
    // Clinicians by display name, never internal ids.
    expect(text).toContain('Test physician');
    expect(text).not.toMatch(/user:(nurse|physician)/);
    expect(text).toMatch(/Midazolam|midazolam/);
    // Phases are recorded; the adverse effects and the response, each with its source.
    expect(text).toMatch(/Phases and discharge[\s\S]*Pre-infusion[\s\S]*Infusion/);
    expect(text).toMatch(/Adverse effects[\s\S]*Dysphoria or emergence reaction\s+moderate[\s\S]*Table 4/);
    expect(text).toMatch(/Pain before, after:?\s+6 -> 3/);
    expect(text).toMatch(/Pain decrease:?\s+50% \(reaches 30%\)/);
    expect(text).toMatch(/Positive response:?\s+yes/);
    expect(text).toContain('documented dysphoria or emergence reaction (moderate)');

    const pngs = renderPdf(r.body, dir, 'session-export');
    expect(pngs.length).toBe(pages.length);
  });

  it('CSV: header first, times in ISO 8601 UTC, every frame sent with its values, simulated on every row, events with who', async () => {
    const r = await download(s.physician, sess.id, 'csv');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/csv/);
    expect(r.disposition).toMatch(/filename=".*_SIMULATED\.csv"$/);
    const rows = csvRows(r.body);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['time (ISO 8601 UTC)', 'simulated', 'record', 'HR (/min)', 'SpO2 (%)', 'SBP (mmHg)', 'EtCO2 (mmHg)', 'RR (/min)', 'dose (mg)', 'by']));
    expect(rows.every((x) => x.simulated === 'true')).toBe(true);
    expect(rows.every((x) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(x['time (ISO 8601 UTC)']!))).toBe(true);
    // Every frame sent (the 120 plus the baseline frame of the pre-start), values as sent, in time order.
    const vitals = rows.filter((x) => x.record === 'vitals');
    expect(vitals).toHaveLength(sent.length + 1);
    for (const f of sent) {
      const row = vitals.find((x) => x['time (ISO 8601 UTC)'] === new Date(f.t).toISOString().replace('.000', ''));
      expect(row, new Date(f.t).toISOString()).toBeDefined();
      expect([row!['HR (/min)'], row!['SpO2 (%)'], row!['SBP (mmHg)'], row!['DBP (mmHg)'], row!['MAP (mmHg)'], row!['EtCO2 (mmHg)'], row!['RR (/min)']].map(Number)).toEqual([f.hr, f.spo2, f.sbp, f.dbp, f.map, f.etco2, f.rr]);
    }
    // After the session row (its opening), every row in time order.
    expect(rows[0]!.record).toBe('session');
    const times = rows.slice(1).map((x) => x['time (ISO 8601 UTC)']!);
    expect([...times].sort()).toEqual(times);
    // The label with a comma and quotes survives the quoting.
    expect(rows.find((x) => x.record === 'session')!.detail).toContain('patient EXP-7, "Ward" B');
    const ackRow = rows.find((x) => x.record === 'alarm acknowledged')!;
    expect(ackRow).toMatchObject({ by: 'Test nurse', detail: alarm.title, 'time (ISO 8601 UTC)': '2026-11-22T09:02:05Z' });
    expect(rows.find((x) => x.record === 'infusion bolus')).toMatchObject({ 'dose (mg)': '10', by: 'Test physician' });
    expect(rows.find((x) => x.record === 'rescue dose')!.detail).toMatch(/midazolam/i);
    expect(rows.find((x) => x.record === 'adverse effect')).toMatchObject({ priority: 'moderate', by: 'Test nurse', detail: expect.stringMatching(/^Dysphoria or emergence reaction; agitated on emergence; rescue dose \d+$/) });
    expect(rows.find((x) => x.record === 'response')).toMatchObject({ score: '50', by: 'Test nurse', detail: expect.stringMatching(/pain 6 -> 3.*positive \(Q8\) yes/) });
    expect(rows.at(-1)).toMatchObject({ record: 'total dose', 'dose (mg)': String(Math.round(sess.infusion.cumulativeMg * 100) / 100) });
  });

  it('FHIR: a valid R4 bundle whose references all resolve, vital signs with LOINC and UCUM, the infusion, bolus, rescue drug and alarm, marked simulated', async () => {
    const r = await download(s.nurse, sess.id, 'fhir');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/fhir\+json/);
    const bundle = JSON.parse(r.body.toString('utf8')) as { resourceType: string; type: string; meta?: { security?: { code: string }[] }; entry: { fullUrl: string; resource: Record<string, unknown> & { resourceType: string; meta?: { security?: { code: string }[] } } }[] };
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    expect(unresolvedReferences(bundle)).toEqual([]);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.meta?.security?.map((c) => c.code)).toEqual(['HTEST']);
    expect(bundle.entry.every((e) => e.resource.meta?.security?.some((c) => c.code === 'HTEST'))).toBe(true);
    const of = (type: string) => bundle.entry.map((e) => e.resource).filter((x) => x.resourceType === type);
    expect(of('Patient')).toHaveLength(1);
    expect(JSON.stringify(of('Patient')[0])).toContain('EXP-7, \\"Ward\\" B');
    expect(of('Encounter')).toHaveLength(1);
    const codes = new Set(of('Observation').flatMap((o) => ((o.code as { coding?: { system: string; code: string }[] }).coding ?? []).filter((c) => c.system === 'http://loinc.org').map((c) => c.code)));
    for (const loinc of ['8867-4', '59408-5', '2708-6', '85354-9', '19889-5', '9279-1', '8478-0']) expect(codes, loinc).toContain(loinc);
    const hr = of('Observation').find((o) => JSON.stringify(o.code).includes('8867-4') && (o.effectiveDateTime as string) === '2026-11-22T09:01:05Z');
    expect(hr?.valueQuantity).toEqual({ value: 160, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' });
    const admin = of('MedicationAdministration');
    expect(admin.map((m) => (m.dosage as { text: string }).text)).toEqual([expect.stringMatching(/^continuous IV infusion; total/), 'IV bolus', 'rescue dose']);
    expect(admin.find((m) => (m.medicationCodeableConcept as { text: string }).text.match(/midazolam/i))).toBeDefined();
    // One DetectedIssue per alarm; the acknowledged one names who acknowledged it and its escalation.
    const issues = of('DetectedIssue');
    const all = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.alarms;
    expect(issues).toHaveLength(all.length);
    const hrHigh = issues.find((i) => JSON.stringify(i.identifier).includes(`"value":"${alarm.id}"`));
    // The adverse effect as an AdverseEvent (FHIR's severity codes), the response as an Observation (% decrease, pain before and after).
    const events = of('AdverseEvent');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actuality: 'actual', severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'moderate' }] }, event: { text: expect.stringMatching(/^Dysphoria or emergence reaction — agitated on emergence; treated with a rescue dose .*Table 4/) } });
    const response = of('Observation').find((o) => (o.code as { text?: string }).text?.startsWith('Response to the ketamine infusion'));
    expect(response).toMatchObject({ valueQuantity: { value: 50, unit: '%', system: 'http://unitsofmeasure.org', code: '%' }, interpretation: [{ text: 'positive response' }] });
    expect((response!.component as { valueInteger?: number }[]).map((c) => c.valueInteger).filter((v) => v !== undefined)).toEqual([6, 3]);
    expect(hrHigh).toMatchObject({ code: { text: alarm.title }, severity: 'high', mitigation: expect.arrayContaining([expect.objectContaining({ action: { text: 'alarm acknowledged' }, author: { display: 'Test nurse' } }), expect.objectContaining({ action: { text: expect.stringMatching(/^escalated \(level 1/) } })]) });
  });

  it('exports a session with nothing recorded yet: no vitals, no order, not started', async () => {
    const pdf = await download(s.nurse, real.id, 'pdf');
    expect(pdf.status).toBe(200);
    const text = pdfPages(pdf.body, dir, 'empty').join('\n');
    expect(text).toContain('REAL-1');
    expect(text).toMatch(/No vital signs recorded\.[\s\S]*The infusion was not started\.[\s\S]*Total ketamine given: 0 mg \(0 mg\/kg\)/);
    expect(text).not.toContain('SIMULATED');
    const csv = csvRows((await download(s.nurse, real.id, 'csv')).body);
    expect(csv.map((x) => [x.record, x.simulated])).toEqual([
      ['session', 'false'],
      ['phase pre-infusion', 'false'],
      ['total dose', 'false'],
    ]);
    const fhir = JSON.parse((await download(s.nurse, real.id, 'fhir')).body.toString('utf8')) as { meta?: unknown; entry: { resource: { resourceType: string } }[] };
    expect(fhirSchemaErrors(fhir)).toEqual([]);
    expect(fhir.meta).toBeUndefined();
    expect(fhir.entry.map((e) => e.resource.resourceType)).toEqual(['Patient', 'Encounter']);
  });

  it('refuses admins (403), trainers on a clinical session and other units (404 as for viewing), names a bad format (400), audits each export', async () => {
    expect((await download(s.admin, sess.id, 'pdf')).status).toBe(403);
    const trainerReal = await download(s.trainer, real.id, 'csv');
    expect(trainerReal.status).toBe(404);
    expect(trainerReal.disposition).toBe('');
    // A trainer may export the simulated one.
    expect((await download(s.trainer, sess.id, 'csv')).status).toBe(200);
    await s.app.users.create({ username: 'elsewhere', displayName: 'Dr Elsewhere', role: 'physician', units: ['day-unit'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    expect((await download(await login(s.url, 'elsewhere'), real.id, 'pdf')).status).toBe(404);
    expect((await download(s.nurse, 'no-such-session', 'pdf')).status).toBe(404);
    expect((await download({ url: s.url, headers: {} }, sess.id, 'pdf')).status).toBe(401);
    for (const bad of ['docx', '', 'PDF']) {
      const res = await api(s.nurse, 'GET', `/api/sessions/${sess.id}/export?format=${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.fields).toEqual([{ field: 'format', reason: 'must be one of pdf, csv, fhir' }]);
    }
    expect((await api(s.nurse, 'GET', `/api/sessions/${sess.id}/export?format=pdf&format=csv`)).status).toBe(400);

    const before = await api<{ action: string; actor: string; entity_id: string; after: string | null }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    const exportsBefore = before.body.data.filter((a) => a.action === 'session.export').length;
    expect((await download(s.physician, real.id, 'fhir')).status).toBe(200);
    const audit = await api<{ action: string; actor: string; entity_id: string; after: unknown }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    const exports = audit.body.data.filter((a) => a.action === 'session.export');
    expect(exports).toHaveLength(exportsBefore + 1);
    const mine = exports.filter((a) => a.entity_id === real.id && a.actor === 'user:physician');
    expect(mine).toHaveLength(1);
    expect(JSON.stringify(mine[0]!.after)).toMatch(/"format\\?":\\?"fhir/);
    // Refused requests leave no export row.
    expect(exports.filter((a) => a.actor === 'user:admin' || a.actor === 'user:elsewhere')).toEqual([]);
  });
});

/**
 * A one-hour session at 1 Hz (3,600 frames, more than one page of the CSV reader): the CSV holds every
 * frame exactly once in time order; the PDF and FHIR use the server's downsampled trend, whose FHIR
 * points say they are means over a period.
 */
describe('session record export of a long session', () => {
  let dir: string;
  let close: () => Promise<void> = async () => {};
  let url: string;
  let sessionId: string;
  let frames: number;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-long-'));
    const logged = await logLongSession(dir, 1);
    const { app } = logged;
    sessionId = logged.sessionId;
    frames = logged.frames;
    close = () => app.close();
    await app.users.create({ username: 'longnurse', displayName: 'Long Nurse', role: 'nurse', units: ['*'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  }, 120_000);
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('CSV has all 3,600 frames once, in order; FHIR trend points are bucket means with their period; the PDF charts it', async () => {
    const nurse = await login(url, 'longnurse');
    const csv = await download(nurse, sessionId, 'csv');
    expect(csv.status).toBe(200);
    const vitals = csvRows(csv.body).filter((x) => x.record === 'vitals');
    expect(vitals).toHaveLength(frames);
    const times = vitals.map((x) => Date.parse(x['time (ISO 8601 UTC)']!));
    expect(new Set(times).size).toBe(frames);
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);

    const fhir = await download(nurse, sessionId, 'fhir');
    const bundle = JSON.parse(fhir.body.toString('utf8')) as { entry: { resource: { resourceType: string; effectivePeriod?: { start: string; end: string }; effectiveDateTime?: string; note?: { text: string }[]; code?: unknown } }[] };
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    expect(unresolvedReferences(bundle)).toEqual([]);
    const vitalsObs = bundle.entry.map((e) => e.resource).filter((r) => r.resourceType === 'Observation' && JSON.stringify(r.code).includes('8867-4'));
    expect(vitalsObs.length).toBeGreaterThan(100);
    expect(vitalsObs.length).toBeLessThanOrEqual(600);
    expect(vitalsObs.every((o) => o.effectivePeriod && !o.effectiveDateTime && Date.parse(o.effectivePeriod.end) > Date.parse(o.effectivePeriod.start))).toBe(true);
    expect(vitalsObs.some((o) => /Mean of the readings in the period \(HR, lowest \d+, highest \d+ \/min\)/.test(o.note?.[0]?.text ?? ''))).toBe(true);

    const pdf = await download(nurse, sessionId, 'pdf');
    expect(pdf.status).toBe(200);
    const text = pdfPages(pdf.body, dir, 'long').join('\n');
    expect(text).toContain('Heart rate');
    expect(text).not.toContain('SIMULATED');
    renderPdf(pdf.body, dir, 'session-export-long');
  }, 60_000);
});
