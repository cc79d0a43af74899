import type { ChecklistRecord, Formulary, GuardrailReport, InfusionEvent, Observation, RescueDose, Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, device, passingChecklist, prepareStart, startServer, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('bedside documentation and the pre-infusion checklist', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  it('records sedation and pain on validated scales and refuses scores off the scale', async () => {
    const sess = await createSession(s.nurse);
    const ok = await api<Observation>(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: -2 });
    expect(ok.status).toBe(201);
    expect(ok.body.data).toMatchObject({ scale: 'RASS', score: -2, t: T0, by: 'user:nurse' });
    const off = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 7 });
    expect(off.status).toBe(400);
    expect(off.body.fields).toEqual([{ field: 'score', reason: 'RASS is scored -5 to 4' }]);
    const unknown = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'GCS', score: 15 });
    expect(unknown.body.fields![0]!.field).toBe('scale');
    expect((await api<Observation[]>(s.nurse, 'GET', `/api/sessions/${sess.id}/observations`)).body.data).toHaveLength(1);
  });

  it('blocks the start until the checklist passes, naming every failed item', async () => {
    const sess = await createSession(s.nurse);
    const noChecklist = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    expect(noChecklist.status).toBe(409);
    expect(noChecklist.body.fields).toEqual([{ field: 'checklist', reason: 'pre-infusion checklist not submitted' }]);

    const c = passingChecklist(1.5);
    c.pregnancy = { result: 'positive' };
    c.contraindications.moderate_liver_disease = true;
    const sub = await api<ChecklistRecord>(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, c);
    expect(sub.body.data.result.passed).toBe(false);
    const failed = sub.body.data.result.items.filter((i) => !i.ok).map((i) => i.id);
    expect(failed).toEqual(['pregnancy', 'baseline_bp', 'baseline_hr', 'baseline_spo2', 'baseline_sedation', 'baseline_pain', 'setting']);
    // Each missing baseline vital is named; EtCO2 is asked where it is monitored (a caution here).
    expect(sub.body.data.result.items.find((i) => i.id === 'baseline_bp')!.reason).toBe('no blood pressure (SBP/DBP) measured before the infusion');
    expect(sub.body.data.result.items.find((i) => i.id === 'baseline_etco2')).toMatchObject({ ok: true, caution: true });
    const caution = sub.body.data.result.items.find((i) => i.id === 'contraindication.moderate_liver_disease')!;
    expect(caution).toMatchObject({ ok: true, caution: true, reason: 'precaution present: proceed with caution', source: 'ASRA/AAPM/ASA 2018, Q2' });
    const setting = sub.body.data.result.items.find((i) => i.id === 'setting')!;
    expect(setting.reason).toBe('above 1 mg/kg/h: monitored unit or ICU only');

    const refused = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 1.5 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('cannot start: 7 pre-infusion checklist item(s) not met');
    expect(refused.body.fields!.map((f) => f.reason)).toContain('Pregnancy test: positive: positive pregnancy test: contraindication');
  });

  it('lets only a physician override a failed checklist, with a recorded reason', async () => {
    const sess = await createSession(s.nurse);
    const c = passingChecklist();
    c.resuscitationEquipmentChecked = false;
    await prepareStart(s, s.nurse, sess.id, T0).catch(() => undefined); // baseline data; its checklist is replaced below
    await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, c);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'crash cart in next bay' })).status).toBe(403);
    const noReason = await api(s.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: '' });
    expect(noReason.body.fields![0]).toEqual({ field: 'reason', reason: 'a reason of at least 5 characters is required' });
    const ov = await api<ChecklistRecord>(s.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'crash cart in next bay, checked by me' });
    expect(ov.body.data.override).toEqual({ reason: 'crash cart in next bay, checked by me', by: 'user:physician', at: T0 });
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    const audit = await api<{ action: string; actor: string; after: string }[]>(s.admin, 'GET', '/api/audit?limit=1000');
    const row = audit.body.data.find((r) => r.action === 'checklist.override')!;
    expect(row.actor).toBe('user:physician');
    // The reason is free text about the patient: stored in full, shown to admins redacted.
    expect(JSON.parse(row.after)).toMatchObject({ reason: '[redacted]', by: 'user:physician', at: T0 });
    const stored = await dbOf(s).selectFrom('audit_log').select('after').where('action', '=', 'checklist.override').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.after!)).toMatchObject({ reason: 'crash cart in next bay, checked by me' });
  });

  it('takes the baseline as the mean of the vitals before the start', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [
      { sessionId: sess.id, seq: 1, t: T0 - 120_000, sbp: 118, dbp: 70, hr: 70, spo2: 97 },
      { sessionId: sess.id, seq: 2, t: T0 - 60_000, sbp: 126, dbp: 76, hr: 74, spo2: 99 },
    ]);
    dev.close();
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'MOAAS', score: 5 });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: 7 });
    expect((await api<ChecklistRecord>(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, passingChecklist())).body.data.result.passed).toBe(true);
    const started = await api<{ session: Session; event: InfusionEvent }>(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    expect(started.status).toBe(201);
    expect(started.body.data.session.baseline).toEqual({ sbp: 122, dbp: 73, hr: 72, spo2: 98 });
  });

  it('ships a formulary with doses only where a publication gives one, and links a rescue dose to its alarm', async () => {
    const f = await api<Formulary>(s.nurse, 'GET', '/api/formulary');
    const mid = f.body.data.entries.find((e) => e.id === 'midazolam')!;
    expect(mid).toMatchObject({ class: 'benzodiazepine', dose: '0.03-0.05 mg/kg IV' });
    expect(mid.doseSource).toMatch(/Green et al., Ann Emerg Med 2011/);
    expect(f.body.data.entries.find((e) => e.id === 'lorazepam')!.dose).toBeNull();
    expect(f.body.data.entries.filter((e) => e.dose !== null).map((e) => e.id)).toEqual(['midazolam', 'haloperidol']);

    const sess = await createSession(s.nurse);
    const dose = await api<RescueDose>(s.physician, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 2, alarmId: 7, note: 'emergence reaction' });
    expect(dose.status).toBe(201);
    expect(dose.body.data).toMatchObject({ drug: 'Midazolam', doseMg: 2, route: 'IV', alarmId: 7, by: 'user:physician' });
    const unknown = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'propofol-bolus', doseMg: 20 });
    expect(unknown.body.fields![0]!.reason).toMatch(/^not in the site formulary/);
    const detail = await api<{ rescueDoses: RescueDose[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`);
    expect(detail.body.data.rescueDoses.map((d) => d.alarmId)).toEqual([7]);
  });

  it('counts a refused rescue dose once, as refused by its hard limit, and never as given', async () => {
    const sess = await createSession(s.nurse);
    // 50 mg midazolam is above the formulary dose (soft) and at its rule-set multiple (hard): refused.
    const refused = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 50 });
    expect(refused.status).toBe(409);
    const given = await api<RescueDose>(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 2 });
    expect(given.status).toBe(201);
    const detail = await api<{ rescueDoses: RescueDose[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`);
    expect(detail.body.data.rescueDoses.map((d) => d.doseMg)).toEqual([2]);
    const report = await api<GuardrailReport>(s.physician, 'GET', `/api/reports/guardrails?unit=${sess.unit}&from=${T0}&to=${clock.now() + 1}`);
    expect(report.status).toBe(200);
    expect(report.body.data).toMatchObject({ softAlerts: 0, overrides: 0, hardRefusals: 1 });
    const rows = report.body.data.byLimit.map((l) => [l.limitId, l.level, l.alerts, l.overrides, l.refusals]);
    expect(rows).toEqual([['rescue.midazolam.hard', 'hard', 0, 0, 1]]);
  });

  it('lets an admin edit the formulary as a new version; clinicians cannot', async () => {
    const f = (await api<Formulary>(s.admin, 'GET', '/api/formulary')).body.data;
    const edited = { entries: f.entries.map((e) => (e.id === 'lorazepam' ? { ...e, dose: '0.5-1 mg IV (site protocol 12)', doseSource: 'Site protocol 12' } : e)) };
    expect((await api(s.nurse, 'PUT', '/api/formulary', edited)).status).toBe(403);
    const put = await api<Formulary>(s.admin, 'PUT', '/api/formulary', edited);
    expect(put.body.data.version).toBe(2);
    expect((await api<Formulary>(s.nurse, 'GET', '/api/formulary')).body.data.entries.find((e) => e.id === 'lorazepam')!.dose).toBe('0.5-1 mg IV (site protocol 12)');
  });
});
