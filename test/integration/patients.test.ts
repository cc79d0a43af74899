import { defaultRuleSet, patientCursor, type AdverseEffect, type AuditRow, type FollowUp, type Patient, type PatientRecord, type RescueDose, type ResponseAssessment, type SeriesNotice, type Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingRepo } from '../../server/src/persistence/recordingRepo';
import { api, connected, login, createSession, dashboard, demoSession, prepareStart, startServer, waitFor, type Caller, type DashClient, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

let s: TestServer;
let clock: ManualClock;
const screens: DashClient[] = [];
let loggedInAt = T0;
const start = async (opts: Parameters<typeof startServer>[0] = {}) => {
  clock = new ManualClock(T0);
  loggedInAt = T0;
  s = await startServer({ clock, config: { SESSION_IDLE_MS: DAY, SESSION_TTL_MS: 7 * DAY }, ...opts });
};
/** Time passes on the manual clock; logins that would have lapsed meanwhile are renewed (as the users would log in again). */
const advance = async (ms: number) => {
  clock.advance(ms);
  if (clock.now() - loggedInAt < 20 * 60 * MIN) return;
  loggedInAt = clock.now();
  for (const role of ['nurse', 'physician', 'trainer', 'admin'] as const) Object.assign(s[role], await login(s.url, role));
};
afterEach(async () => {
  for (const d of screens.splice(0)) d.close();
  await s?.close();
});

const newPatient = async (who: Caller, over: Record<string, unknown> = {}) => {
  const r = await api<Patient>(who, 'POST', '/api/patients', { sitePatientId: 'KX-100', yearOfBirth: 1970, sex: 'female', weightKg: 70, heightCm: 165, allergies: ['latex'], ...over });
  expect(r.status).toBe(201);
  return r.body.data;
};

/** Polls a condition the server reaches on its own (rules run after the request that fed them). */
async function until<T>(fn: () => T | Promise<T>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * An infusion as given: baseline data and a passing checklist, pain before, start, `minutes` running,
 * stop, pain after, end. Returns the session.
 */
async function infusion(patientId: number, o: { painBefore?: number; painAfter?: number; minutes?: number; rate?: number; end?: boolean } = {}): Promise<Session> {
  const sess = await createSession(s.nurse, { patientId });
  await prepareStart(s, s.nurse, sess.id, clock.now(), o.rate ?? 0.5);
  if (o.painBefore !== undefined) await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: o.painBefore });
  await advance(MIN);
  expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: o.rate ?? 0.5 })).status).toBe(201);
  await advance((o.minutes ?? 30) * MIN);
  expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'stop' })).status).toBe(201);
  await advance(15 * MIN);
  if (o.painAfter !== undefined) await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: o.painAfter });
  if (o.end !== false) expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'session closed after recovery' })).status).toBe(200);
  await advance(MIN);
  return sess;
}

describe('patient records', () => {
  it('are created, read, searched and changed by nurses and physicians, audited, and refused to admins and nobody', async () => {
    await start();
    const p = await newPatient(s.nurse);
    expect(p).toMatchObject({ sitePatientId: 'KX-100', yearOfBirth: 1970, sex: 'female', allergies: ['latex'], contraindications: [], simulated: false, createdBy: 'user:nurse' });
    expect(p.measurements).toEqual([{ t: T0, weightKg: 70, heightCm: 165, by: 'user:nurse' }]);

    const dup = await api(s.physician, 'POST', '/api/patients', { sitePatientId: 'KX-100', yearOfBirth: 1980 });
    expect(dup.status).toBe(409);
    expect(dup.body.fields).toEqual([{ field: 'sitePatientId', reason: 'already on file' }]);
    const named = await api(s.nurse, 'POST', '/api/patients', { sitePatientId: 'Jane Doe', yearOfBirth: 1980 });
    expect(named.status).toBe(400);
    expect(named.body.fields![0]!.field).toBe('sitePatientId');

    await advance(DAY);
    const changed = await api<Patient>(s.physician, 'PATCH', `/api/patients/${p.id}`, { weightKg: 68.5, contraindications: ['glaucoma (ophthalmology review)'] });
    expect(changed.status).toBe(200);
    expect(changed.body.data.measurements.map((m) => [m.t, m.weightKg, m.heightCm])).toEqual([
      [T0, 70, 165],
      [T0 + DAY, 68.5, null],
    ]);
    expect(changed.body.data).toMatchObject({ allergies: ['latex'], contraindications: ['glaucoma (ophthalmology review)'] });
    expect((await api(s.nurse, 'PATCH', `/api/patients/${p.id}`, {})).status).toBe(400);

    await newPatient(s.nurse, { sitePatientId: 'KX-200' });
    const found = await api<Patient[]>(s.nurse, 'GET', '/api/patients?q=kx-1');
    expect(found.body.data.map((x) => x.sitePatientId)).toEqual(['KX-100']);
    expect((await api<Patient[]>(s.physician, 'GET', '/api/patients')).body.data).toHaveLength(2);
    const read = await api<PatientRecord>(s.physician, 'GET', `/api/patients/${p.id}`);
    expect(read.body.data).toMatchObject({ patient: { id: p.id }, sessions: [], followUps: [] });

    for (const [method, path] of [
      ['GET', '/api/patients'],
      ['POST', '/api/patients'],
      ['GET', `/api/patients/${p.id}`],
      ['PATCH', `/api/patients/${p.id}`],
    ] as const) {
      expect((await api(s.admin, method, path, method === 'GET' ? undefined : { weightKg: 1 })).status, `admin ${method} ${path}`).toBe(403);
      expect((await api({ url: s.url, headers: {} }, method, path, method === 'GET' ? undefined : { weightKg: 1 })).status, `nobody ${method} ${path}`).toBe(401);
    }
    expect((await api(s.nurse, 'GET', '/api/patients/99999')).status).toBe(404);

    const audit = (await s.app.audit.list(0, 1000)).filter((r: AuditRow) => r.entity === 'patient');
    expect(audit.map((r) => [r.action, r.actor, r.entity_id])).toEqual([
      ['patient.create', 'user:nurse', String(p.id)],
      ['patient.update', 'user:physician', String(p.id)],
      ['patient.create', 'user:nurse', expect.any(String)],
    ]);
    // The audit reader (admin) sees who changed which patient, never the patient's data.
    const asAdmin = await api<AuditRow[]>(s.admin, 'GET', '/api/audit?afterId=0&limit=500');
    const update = asAdmin.body.data.find((r) => r.action === 'patient.update')!;
    expect(JSON.parse(update.after!)).toEqual({ weightKg: '[redacted]', contraindications: '[redacted]' });
  });

  it('created twice at once with the same site patient id: one is created, the others answer 409 naming sitePatientId', async () => {
    await start();
    const body = (yearOfBirth: number) => ({ sitePatientId: 'KX-RACE', yearOfBirth });
    const answers = await Promise.all([1970, 1971, 1972, 1973].map((y, i) => api<Patient>(i % 2 ? s.physician : s.nurse, 'POST', '/api/patients', body(y))));
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) {
      expect(a.body.fields).toEqual([{ field: 'sitePatientId', reason: 'already on file' }]);
      expect(a.body.error).toBe('site patient id KX-RACE is already on file');
    }
    expect((await api<Patient[]>(s.nurse, 'GET', '/api/patients?q=KX-RACE')).body.data).toHaveLength(1);
    // Sessions admitting the same new site patient id at once share the one patient created.
    const sessions = await Promise.all([1, 2, 3].map(() => api<Session>(s.nurse, 'POST', '/api/sessions', demoSession({ patientRef: 'KX-ADMIT' }))));
    expect(sessions.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(new Set(sessions.map((r) => r.body.data.patientId)).size).toBe(1);
    expect((await api<Patient[]>(s.nurse, 'GET', '/api/patients?q=KX-ADMIT')).body.data).toHaveLength(1);
  });

  it('are listed newest first in pages: limit and the cursor of the last patient, every patient once, the same search', async () => {
    await start();
    // Five patients, two of them created in the same millisecond (the id breaks the tie).
    const made: Patient[] = [];
    for (const [i, id] of ['PG-1', 'PG-2', 'PG-3', 'PG-4', 'OTHER-1'].entries()) {
      if (i !== 2) await advance(MIN);
      made.push(await newPatient(s.nurse, { sitePatientId: id }));
    }
    const page = async (query: string) => {
      const r = await api<Patient[]>(s.nurse, 'GET', `/api/patients?${query}`);
      expect(r.status).toBe(200);
      return r.body.data;
    };
    const all = (await page('limit=200')).map((p) => p.sitePatientId);
    expect(all).toEqual(['OTHER-1', 'PG-4', 'PG-3', 'PG-2', 'PG-1']);

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 10; guard++) {
      const got: Patient[] = await page(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...got.map((p) => p.sitePatientId));
      if (got.length < 2) break;
      cursor = patientCursor(got.at(-1)!);
    }
    expect(seen).toEqual(all);
    // The tie: PG-2 and PG-3 share created_at; a page ending at PG-3 continues with PG-2.
    expect(made[1]!.createdAt).toBe(made[2]!.createdAt);
    expect((await page(`limit=1&cursor=${patientCursor(made[2]!)}`)).map((p) => p.sitePatientId)).toEqual(['PG-2']);
    // The search keeps its filter across pages.
    const first = await page('q=PG&limit=3');
    expect(first.map((p) => p.sitePatientId)).toEqual(['PG-4', 'PG-3', 'PG-2']);
    expect((await page(`q=PG&limit=3&cursor=${patientCursor(first.at(-1)!)}`)).map((p) => p.sitePatientId)).toEqual(['PG-1']);
    expect(await page(`q=PG&limit=3&cursor=${patientCursor(made[0]!)}`)).toEqual([]);

    const bad = await api(s.nurse, 'GET', '/api/patients?cursor=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'cursor', reason: 'a cursor from a previous page (<createdAt>.<id>)' }]);
    expect((await api(s.nurse, 'GET', '/api/patients?limit=201')).status).toBe(400);
  });

  it('list a patient\'s sessions newest first in pages (limit and cursor)', async () => {
    await start();
    const p = await newPatient(s.nurse);
    const made: Session[] = [];
    for (let i = 0; i < 5; i++) {
      // Two sessions opened in the same millisecond: the id orders them.
      if (i !== 3) await advance(MIN);
      made.push(await createSession(s.nurse, { patientId: p.id }));
    }
    const page = async (query: string) => {
      const r = await api<PatientRecord>(s.nurse, 'GET', `/api/patients/${p.id}?${query}`);
      expect(r.status).toBe(200);
      return r.body.data;
    };
    const everything = (await page('limit=200')).sessions.map((x) => x.sessionId);
    const newestFirst = [...made].sort((x, y) => y.createdAt - x.createdAt || (x.id < y.id ? 1 : -1)).map((x) => x.id);
    expect(made[3]!.createdAt).toBe(made[2]!.createdAt);
    expect(everything).toEqual(newestFirst);

    const seen: string[] = [];
    let cursor: string | null = null;
    const cursors: (string | null)[] = [];
    for (let guard = 0; guard < 10; guard++) {
      const got: PatientRecord = await page(`limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...got.sessions.map((x) => x.sessionId));
      cursors.push(got.sessionsCursor);
      cursor = got.sessionsCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(newestFirst);
    // 5 visible sessions in pages of 2: two pages say there is more, the third is the last.
    expect(cursors.map((c) => c !== null)).toEqual([true, true, false]);

    const bad = await api(s.nurse, 'GET', `/api/patients/${p.id}?cursor=x`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([{ field: 'cursor', reason: 'a cursor from a previous page (<createdAt>.<sessionId>)' }]);
    expect((await api(s.nurse, 'GET', `/api/patients/${p.id}?limit=0`)).status).toBe(400);
  });

  it('are shown to trainers only when simulated', async () => {
    await start();
    const real = await newPatient(s.nurse);
    expect((await api(s.trainer, 'POST', '/api/patients', { sitePatientId: 'SIM-9', yearOfBirth: 1990 })).status).toBe(403);
    const sim = await newPatient(s.trainer, { sitePatientId: 'SIM-9', simulated: true });
    expect(sim.simulated).toBe(true);
    expect((await api<Patient[]>(s.trainer, 'GET', '/api/patients')).body.data.map((x) => x.sitePatientId)).toEqual(['SIM-9']);
    expect((await api(s.trainer, 'GET', `/api/patients/${real.id}`)).status).toBe(404);
    expect((await api(s.trainer, 'PATCH', `/api/patients/${real.id}`, { weightKg: 60 })).status).toBe(404);
    expect((await api(s.trainer, 'GET', `/api/patients/${sim.id}`)).status).toBe(200);
    expect((await api<Patient[]>(s.nurse, 'GET', '/api/patients')).body.data).toHaveLength(2);
  });
});

describe('sessions belong to a patient', () => {
  it('picked by id or by the site patient id (patientRef), or created at admission', async () => {
    await start();
    const p = await newPatient(s.nurse);
    const byId = await createSession(s.nurse, { patientId: p.id, weightKg: 71 });
    expect(byId).toMatchObject({ patientId: p.id, patientRef: 'KX-100' });
    const byRef = await createSession(s.nurse, { patientRef: 'KX-100' });
    expect(byRef.patientId).toBe(p.id);
    // The admission weights join the patient's dated history.
    expect((await api<PatientRecord>(s.nurse, 'GET', `/api/patients/${p.id}`)).body.data.patient.measurements.map((m) => m.weightKg)).toEqual([70, 71, 70]);

    const fresh = await createSession(s.nurse, { patientRef: 'KX-300', ageYears: 45, sex: 'male' });
    const created = (await api<Patient[]>(s.nurse, 'GET', '/api/patients?q=KX-300')).body.data[0]!;
    expect(created).toMatchObject({ id: fresh.patientId, sitePatientId: 'KX-300', yearOfBirth: 2026 - 45, sex: 'male', simulated: false });
    const anonymous = await createSession(s.nurse);
    expect(anonymous.patientId).toEqual(expect.any(Number));
    // A made-up site id is not a patientRef: a monitor's PID-3 cannot be checked against it.
    expect(anonymous.patientRef).toBeNull();
    expect((await api<PatientRecord>(s.nurse, 'GET', `/api/patients/${anonymous.patientId}`)).body.data.patient.sitePatientId).toMatch(/^P-[0-9A-F]{10}$/);

    const wrongKind = await api(s.trainer, 'POST', '/api/sessions', { ...(await import('../support/server')).demoSession({ simulated: true }), patientId: p.id });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.fields).toEqual([{ field: 'patientId', reason: 'a simulated session needs a simulated patient' }]);
    const mismatch = await api(s.nurse, 'POST', '/api/sessions', { ...(await import('../support/server')).demoSession(), patientId: p.id, patientRef: 'KX-300' });
    expect(mismatch.status).toBe(400);
    expect((await api(s.nurse, 'POST', '/api/sessions', { ...(await import('../support/server')).demoSession(), patientId: 424242 })).status).toBe(400);
  });

  it('count infusions actually given in 12 months: sessions never started do not count, for the series notice and the Q8 rule', async () => {
    await start();
    const p = await newPatient(s.nurse);
    // More than a year ago: not counted.
    await infusion(p.id);
    await advance(370 * DAY);
    for (let i = 0; i < 5; i++) {
      await infusion(p.id);
      await advance(20 * DAY);
    }
    // Two sessions opened and ended without an infusion: not treatments.
    for (let i = 0; i < 2; i++) {
      const never = await createSession(s.nurse, { patientId: p.id });
      await api(s.nurse, 'POST', `/api/sessions/${never.id}/end`, { reason: 'infusion not given' });
    }
    const admission = await api<SeriesNotice>(s.nurse, 'GET', `/api/patients/${p.id}/series`);
    expect(admission.body.data.infusionsLast12Months).toBe(5);
    expect(admission.body.data.perYearSource).toMatch(/Q8/);

    // A sixth infusion about to start: 5 given + this one = 6, not more than 6: no advisory.
    const sixth = await createSession(s.nurse, { patientId: p.id });
    await prepareStart(s, s.nurse, sixth.id, clock.now());
    const notice = await api<SeriesNotice>(s.nurse, 'GET', `/api/sessions/${sixth.id}/series`);
    expect(notice.body.data.infusionsLast12Months).toBe(5);
    await until(() => s.app.rules && s.app.sessions.getLive(sixth.id)!.lastEvalT > 0);
    expect(s.app.alarms.unresolved().filter((a) => a.sessionId === sixth.id && a.ruleId.startsWith('treatments.'))).toEqual([]);
    await api(s.nurse, 'POST', `/api/sessions/${sixth.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    await api(s.nurse, 'POST', `/api/sessions/${sixth.id}/end`, { reason: 'session closed after recovery' });

    // The seventh: 6 given + this one = 7 > 6: the Q8 advisory fires.
    const seventh = await createSession(s.nurse, { patientId: p.id });
    await prepareStart(s, s.nurse, seventh.id, clock.now());
    const over = await until(() => s.app.alarms.unresolved().find((a) => a.sessionId === seventh.id && a.ruleId === 'treatments.year.over6'));
    expect(over!.message).toBe('7 treatments in 12 months > 6 (guideline: no more than 6 to 12 a year)');
    expect((await api<SeriesNotice>(s.nurse, 'GET', `/api/sessions/${seventh.id}/series`)).body.data.infusionsLast12Months).toBe(6);
    // Replay reads the same count the live rules used.
    expect((await recordingRepo(s.app.store).load(seventh.id, 365 * DAY))!.treatmentsInYear).toBe(7);
  });

  it('check the first course against Q3 at the next session', async () => {
    await start();
    const p = await newPatient(s.nurse);
    // 0.5 mg/kg/h x 70 kg x 1 h = 35 mg over 1 h: below 80 mg over more than 2 h.
    await infusion(p.id, { minutes: 60 });
    const next = await createSession(s.nurse, { patientId: p.id });
    const n = (await api<SeriesNotice>(s.nurse, 'GET', `/api/sessions/${next.id}/series`)).body.data;
    expect(n.firstCourse).toMatchObject({ adequate: false, totalMg: 35, runningMs: 60 * MIN });
    expect(n.firstCourse!.text).toBe('First course: 35 mg over 1 h 00 min: below at least 80 mg over more than 2 h, so it cannot yet be judged ineffective');
    expect(n.firstCourse!.source).toMatch(/Q3/);
    expect(n.reassessText).toMatch(/^Reassess before this infusion, not by rote/);
  });
});

describe('adverse effects', () => {
  it('are recorded with time and severity, linked to a rescue dose, audited and sent to every screen showing the session', async () => {
    await start();
    const p = await newPatient(s.nurse);
    const sess = await createSession(s.nurse, { patientId: p.id });
    const other = await createSession(s.nurse);
    const screen = dashboard(s.physician);
    screens.push(screen);
    await connected(screen);
    await screen.emitWithAck('subscribe', {});
    const pushed = waitFor<AdverseEffect>(screen, 'adverseEffect', (a) => a.sessionId === sess.id);

    const dose = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${other.id}/rescue`, { drugId: 'antiemetic', doseMg: 4, confirm: { reason: 'site antiemetic, no dose on file' } });
    expect(dose.status).toBe(201);
    const wrongDose = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'nausea', severity: 'moderate', rescueDoseId: dose.body.data.id });
    expect(wrongDose.status).toBe(400);
    expect(wrongDose.body.fields).toEqual([{ field: 'rescueDoseId', reason: 'not a rescue dose of this session' }]);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'nausea', severity: 'awful' })).status).toBe(400);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'seizure', severity: 'mild' })).status).toBe(400);
    const noCadss = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'dissociation', severity: 'mild', cadssTotal: 10 });
    expect(noCadss.body.fields).toEqual([{ field: 'cadssTotal', reason: 'this site does not score dissociation on CADSS (rule set: adverseEffects.cadss)' }]);

    const mine = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'antiemetic', doseMg: 4, confirm: { reason: 'site antiemetic, no dose on file' } });
    expect(mine.status).toBe(201);
    const t = T0 - MIN;
    const ok = await api<AdverseEffect>(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'nausea', severity: 'moderate', t, note: 'after 20 min', rescueDoseId: mine.body.data.id });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ sessionId: sess.id, type: 'nausea', severity: 'moderate', t, note: 'after 20 min', rescueDoseId: mine.body.data.id, by: 'user:nurse', at: T0 });
    expect(await pushed).toEqual(ok.body.data);

    expect((await api<AdverseEffect[]>(s.physician, 'GET', `/api/sessions/${sess.id}/adverse-effects`)).body.data).toEqual([ok.body.data]);
    expect((await api(s.trainer, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'headache', severity: 'mild' })).status).toBe(404);
    expect((await api(s.admin, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'headache', severity: 'mild' })).status).toBe(403);
    const audited = (await s.app.audit.list(0, 1000)).filter((r) => r.action === 'adverse_effect.record');
    expect(audited.map((r) => [r.actor, r.entity_id])).toEqual([['user:nurse', sess.id]]);
    // The session detail a screen opens carries them (trend markers).
    const detail = await screen.emitWithAck('session:detail', { sessionId: sess.id });
    expect(detail.ok && detail.data.adverseEffects).toEqual([ok.body.data]);
  });

  it('take a CADSS total (0-92) for dissociation where the site scores it', async () => {
    await start({ ruleSet: { ...defaultRuleSet, adverseEffects: { cadss: true } } });
    const sess = await createSession(s.nurse);
    const ok = await api<AdverseEffect>(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'dissociation', severity: 'moderate', cadssTotal: 24 });
    expect(ok.body.data.cadssTotal).toBe(24);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'dissociation', severity: 'moderate', cadssTotal: 93 })).status).toBe(400);
    const wrongType = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/adverse-effects`, { type: 'nausea', severity: 'mild', cadssTotal: 3 });
    expect(wrongType.body.fields).toEqual([{ field: 'cadssTotal', reason: 'a CADSS total describes dissociation or hallucinations only' }]);
  });
});

describe('response and follow-ups (Q8)', () => {
  it('computes pain 8 → 5 as 37.5 %, a responder, and 8 → 6 as 25 %, not; lists both sessions and the follow-ups on the patient page', async () => {
    await start();
    const p = await newPatient(s.nurse);
    const a = await infusion(p.id, { painBefore: 8, painAfter: 5, minutes: 150, end: false });
    const ra = await api<{ assessment: ResponseAssessment }>(s.nurse, 'GET', `/api/sessions/${a.id}/response`);
    expect(ra.body.data.assessment.pain).toEqual({ before: 8, after: 5, decreasePct: 37.5, responder: true });
    expect(ra.body.data.assessment.positive).toBe(false);
    const put = await api<{ assessment: ResponseAssessment }>(s.nurse, 'PUT', `/api/sessions/${a.id}/response`, { satisfaction: 'satisfied', opioidMmeBefore: 60, opioidMmeAfter: 45 });
    expect(put.status).toBe(200);
    expect(put.body.data.assessment).toMatchObject({ satisfaction: 'satisfied', opioidReductionPct: 25, objective: true, positive: true });
    expect(put.body.data.assessment.source).toMatch(/Q8/);
    expect((await api(s.nurse, 'PUT', `/api/sessions/${a.id}/response`, { satisfaction: 'delighted' })).status).toBe(400);
    expect((await api(s.admin, 'PUT', `/api/sessions/${a.id}/response`, { satisfaction: 'satisfied' })).status).toBe(403);
    await api(s.nurse, 'POST', `/api/sessions/${a.id}/adverse-effects`, { type: 'dissociation', severity: 'mild' });
    await api(s.nurse, 'POST', `/api/sessions/${a.id}/end`, { reason: 'session closed after recovery' });
    await advance(7 * DAY);

    const b = await infusion(p.id, { painBefore: 8, painAfter: 6, minutes: 60 });
    const rb = await api<{ assessment: ResponseAssessment }>(s.nurse, 'PUT', `/api/sessions/${b.id}/response`, { satisfaction: 'satisfied' });
    expect(rb.body.data.assessment.pain).toEqual({ before: 8, after: 6, decreasePct: 25, responder: false });
    expect(rb.body.data.assessment.positive).toBe(false);

    const threeWeeks = T0 + 21 * DAY;
    await advance(threeWeeks + DAY - clock.now());
    const f = await api<FollowUp>(s.physician, 'POST', `/api/patients/${p.id}/follow-ups`, { t: threeWeeks, sessionId: a.id, pain: 4, satisfaction: 'satisfied', opioidMmePerDay: 40, note: '3-week call' });
    expect(f.status).toBe(201);
    expect(f.body.data).toMatchObject({ patientId: p.id, sessionId: a.id, t: threeWeeks, pain: 4, by: 'user:physician' });
    const stranger = await createSession(s.nurse);
    expect((await api(s.nurse, 'POST', `/api/patients/${p.id}/follow-ups`, { t: threeWeeks, sessionId: stranger.id })).body.fields).toEqual([{ field: 'sessionId', reason: 'not a session of this patient' }]);
    expect((await api(s.nurse, 'POST', `/api/patients/${p.id}/follow-ups`, { t: clock.now() + DAY })).status).toBe(400);

    const record = (await api<PatientRecord>(s.nurse, 'GET', `/api/patients/${p.id}`)).body.data;
    // Newest first.
    expect(record.sessions.map((x) => [x.sessionId, Math.round(x.totalMg * 10) / 10, x.response.pain.decreasePct, x.response.positive, x.adverseEffects.map((e) => e.type)])).toEqual([
      [b.id, 35, 25, false, []],
      [a.id, 87.5, 37.5, true, ['dissociation']],
    ]);
    expect(record.sessionsCursor).toBeNull();
    expect(record.sessions[1]!.mgPerKg).toBeCloseTo(1.25, 5);
    expect(record.followUps.map((x) => x.note)).toEqual(['3-week call']);
    // Q3 at the next session: the first course was 87.5 mg over 2 h 30 min.
    const n = (await api<SeriesNotice>(s.nurse, 'GET', `/api/patients/${p.id}/series`)).body.data;
    expect(n.firstCourse).toMatchObject({ sessionId: a.id, adequate: true });
    expect(n.reassessText).toBe('Reassess before this infusion, not by rote: last response not positive (pain 25% lower)');
  });
});
