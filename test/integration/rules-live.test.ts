import type { Alarm, AlarmUpdate, IngestResult, Result, RuleSet, Session } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaySession } from '../../server/src/replay/replay';
import { api, connected, createSession, dashboard, demoSession, device, passingChecklist, startServer, waitFor, writeOrder, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** The v2 rule kinds as the server runs them: ticks, observations, infusion events, profiles, overrides. */
describe('guideline rules in the live server', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
  });
  afterEach(() => s.close());

  const frames = async (sessionId: string, from: number, to: number, v: (sec: number) => Record<string, number | null>) => {
    const dev = device(s);
    await connected(dev);
    for (let sec = from; sec < to; sec++) {
      clock.set(T0 + sec * 1000);
      const r = (await dev.emitWithAck('frames', [{ sessionId, seq: sec + 1, t: T0 + sec * 1000, ...v(sec) }])) as Result<IngestResult>;
      expect(r.ok && r.data.accepted).toEqual([sec + 1]);
    }
    dev.close();
  };
  const calm = () => ({ hr: 74, sbp: 122, dbp: 78, spo2: 98, etco2: 37, rr: 14 });
  const alarmsOf = async (id: string) => {
    // Alarm transitions commit through the write queue before they are readable: an op enqueued now
    // resolves once everything enqueued before it (the ticks' transitions) is committed.
    await s.app.queue.enqueue(() => {});
    return (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${id}`)).body.data.alarms;
  };
  const start = async (id: string, rate = 0.5) => {
    await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'RASS', score: 0 });
    await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'NRS_PAIN', score: 5 });
    await api(s.nurse, 'PUT', `/api/sessions/${id}/checklist`, passingChecklist(rate));
    const r = await api(s.physician, 'POST', `/api/sessions/${id}/infusion`, { type: 'start', rateMgKgH: rate });
    expect(r.status).toBe(201);
  };

  it('raises a technical no-data alarm from ticks when a device goes quiet, distinct from clinical alarms', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, 0, 5, calm);
    for (let sec = 5; sec <= 40; sec++) {
      clock.set(T0 + sec * 1000);
      s.app.tick();
    }
    const a = (await alarmsOf(sess.id)).find((x) => x.ruleId === 'tech.no_data')!;
    expect(a).toMatchObject({ kind: 'technical', priority: 'medium' });
    expect(a.message).toMatch(/^No data for \d+ s/);
  });

  it('judges delays on the device clock even when the device clock is minutes behind the server', async () => {
    const sess = await createSession(s.nurse);
    // Server time runs 2 min ahead of the frames' time; ticks and a score happen before the first frame.
    clock.set(T0 + 120_000);
    s.app.tick();
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 0 });
    const dev = device(s);
    await connected(dev);
    for (let sec = 0; sec <= 11; sec++) {
      clock.set(T0 + 120_000 + sec * 1000);
      await dev.emitWithAck('frames', [{ sessionId: sess.id, seq: sec + 1, t: T0 + sec * 1000, ...calm(), spo2: sec === 0 ? 97 : 85 }]);
      s.app.tick();
    }
    dev.close();
    const a = (await alarmsOf(sess.id)).find((x) => x.ruleId === 'spo2.low.high');
    expect(a).toMatchObject({ message: 'SpO2 85 < 88', startedAt: T0 + 11_000 });
  });

  /** The session's alarms once `ready` holds (alarm transitions commit through the write queue first). */
  const alarmsWhen = async (id: string, ready: (alarms: Alarm[]) => boolean) => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const alarms = (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${id}`)).body.data.alarms;
      if (ready(alarms) || Date.now() > deadline) return alarms;
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const has = (ruleId: string) => (alarms: Alarm[]) => alarms.some((a) => a.ruleId === ruleId);

  it('raises no-data from the infusion start when the monitor never sends a first frame', async () => {
    const sess = await createSession(s.nurse, { setting: 'monitored_unit' });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 0 });
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'NRS_PAIN', score: 6 });
    // No baseline vitals (no frame yet): the physician overrides the checklist and the infusion starts.
    await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, passingChecklist(1.5));
    expect((await api(s.physician, 'POST', `/api/sessions/${sess.id}/checklist/override`, { reason: 'monitor being replaced' })).status).toBe(200);
    expect((await api(s.physician, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 1.5 })).status).toBe(201);
    for (let sec = 1; sec <= 40; sec++) {
      clock.set(T0 + sec * 1000);
      s.app.tick();
    }
    const a = (await alarmsWhen(sess.id, has('tech.no_data'))).find((x) => x.ruleId === 'tech.no_data');
    expect(a).toMatchObject({ kind: 'technical', priority: 'medium', startedAt: T0 + 30_000, message: 'No data for 30 s', conditionActive: true });

    // The monitor comes, its clock a minute behind the server: its data is judged on its own clock and no-data clears.
    const dev = device(s);
    await connected(dev);
    for (let sec = 41; sec <= 60; sec++) {
      clock.set(T0 + sec * 1000);
      await dev.emitWithAck('frames', [{ sessionId: sess.id, seq: sec, t: T0 - 60_000 + sec * 1000, ...calm(), spo2: sec >= 45 ? 85 : 97 }]);
      s.app.tick();
    }
    dev.close();
    const after = await alarmsWhen(sess.id, has('spo2.low.high'));
    expect(after.find((x) => x.ruleId === 'tech.no_data')).toMatchObject({ conditionActive: false });
    expect(after.find((x) => x.ruleId === 'spo2.low.high')).toMatchObject({ message: 'SpO2 85 < 88', startedAt: T0 - 60_000 + 55_000 });
  });

  it('frames without RR and EtCO2 raise the technical no-respiratory-signal alarm, never apnea; RR 0 still raises apnea', async () => {
    const noCapno = await createSession(s.nurse);
    await frames(noCapno.id, 0, 60, (sec) => (sec === 0 ? calm() : { hr: 74, sbp: 122, dbp: 78, spo2: 98 }));
    const tech = await alarmsWhen(noCapno.id, has('tech.resp.absent'));
    expect(tech.find((x) => x.ruleId === 'tech.resp.absent')).toMatchObject({ kind: 'technical', priority: 'medium', startedAt: T0 + 20_000 });
    expect(tech.map((x) => x.ruleId)).not.toContain('apnea');

    const apneic = await createSession(s.nurse);
    await frames(apneic.id, 0, 30, (sec) => ({ ...calm(), rr: sec < 5 ? 14 : 0 }));
    const a = (await alarmsWhen(apneic.id, has('apnea'))).find((x) => x.ruleId === 'apnea');
    expect(a).toMatchObject({ kind: 'clinical', priority: 'high', startedAt: T0 + 24_000, message: 'No breath for 20 s (limit 20 s)' });
  });

  it('a 5-s SpO2 dip raises no alarm; a sustained fall raises SpO2 falling after its confirmation time', async () => {
    const sess = await createSession(s.nurse);
    // 98, a 5-s dip to 86 at 20 s, back to 98; then from 60 s a sustained fall to 93.
    await frames(sess.id, 0, 90, (sec) => ({ ...calm(), spo2: (sec >= 20 && sec < 25) || sec >= 60 ? (sec < 60 ? 86 : 93) : 98 }));
    const alarms = await alarmsWhen(sess.id, has('spo2.falling'));
    expect(alarms.map((x) => [x.ruleId, x.startedAt])).toEqual([['spo2.falling', T0 + 75_000]]);
  });

  it('one low SpO2 reading followed by frames without SpO2 (probe off, field omitted) raises the SpO2 sensor-off alarm, no SpO2 clinical alarm', async () => {
    const sess = await createSession(s.nurse);
    const { spo2: _spo2, ...noSpo2 } = calm();
    // SpO2 86 once at 10 s, then 50 s of frames without SpO2; SBP 200 at 60 s marks the end.
    await frames(sess.id, 0, 61, (sec) => (sec < 10 ? calm() : sec === 10 ? { ...calm(), spo2: 86 } : sec < 60 ? noSpo2 : { ...noSpo2, sbp: 200 }));
    const alarms = await alarmsWhen(sess.id, has('sbp.high.high'));
    expect(alarms.map((x) => [x.ruleId, x.kind, x.startedAt]).sort()).toEqual([
      ['sbp.high.high', 'clinical', T0 + 60_000],
      ['tech.spo2.off', 'technical', T0 + 26_000],
    ]);
  });

  it('raises deep sedation from a RASS score and suggests the first actions', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, 0, 3, calm);
    await start(sess.id);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: -4 });
    const a = (await alarmsOf(sess.id)).find((x) => x.ruleId === 'sedation.deep')!;
    expect(a).toMatchObject({ priority: 'high', kind: 'clinical' });
    expect(a.actions.join(' ')).toMatch(/stop the infusion/i);
    expect(a.source).toMatch(/institutional default/);
  });

  it('still flags a confirmed bolus of 0.35 mg/kg or more (guideline Q6) after the fact; a rate above 1 mg/kg/h in a clinic never reaches the alarms', async () => {
    // Monitored unit: a bolus >= 0.35 mg/kg is a soft limit a physician confirms; the alarm is the second line.
    const mon = await createSession(s.nurse, { weightKg: 60, setting: 'monitored_unit' });
    await writeOrder(s.physician, mon.id, { setting: 'monitored_unit', bolusMaxMgKg: 0.5 });
    await frames(mon.id, 0, 3, calm);
    await start(mon.id);
    const bolus = await api(s.physician, 'POST', `/api/sessions/${mon.id}/infusion`, { type: 'bolus', doseMg: 24, confirm: { reason: 'refractory pain, airway-trained staff present' } }); // 0.4 mg/kg
    expect(bolus.status).toBe(201);
    expect((await alarmsOf(mon.id)).map((a) => [a.ruleId, a.kind, a.message])).toEqual(expect.arrayContaining([['dose.bolus.high', 'advisory', expect.stringMatching(/0\.40 mg\/kg/)]]));
    // Clinic: the rate is refused before it is stored, so no rate alarm ever fires.
    const clinic = await createSession(s.nurse, { weightKg: 60, setting: 'clinic' });
    await frames(clinic.id, 0, 3, calm);
    await start(clinic.id);
    const rate = await api(s.nurse, 'POST', `/api/sessions/${clinic.id}/infusion`, { type: 'rate_change', rateMgKgH: 1.5 });
    expect(rate.status).toBe(409);
    expect((await alarmsOf(clinic.id)).some((a) => a.ruleId === 'dose.rate.clinic')).toBe(false);
  });

  it('tightens the respiratory limits once midazolam is documented, shows it in the changed limits, and replay agrees', async () => {
    const sess = await createSession(s.nurse);
    expect(sess.limitsChanged).toEqual([]);
    await frames(sess.id, 0, 3, calm);
    await start(sess.id);
    // RR 11 for 20 s: above the standard limit (10), nothing.
    await frames(sess.id, 3, 23, () => ({ ...calm(), rr: 11 }));
    expect((await alarmsOf(sess.id)).map((a) => a.ruleId)).toEqual([]);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const pushed = new Promise<Session>((resolve) => dash.on('session', (x: Session) => x.id === sess.id && x.limitsChanged.length > 0 && resolve(x)));
    clock.set(T0 + 23_000);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'midazolam', doseMg: 2 })).status).toBe(201);
    // Every screen is told: the session now runs on changed limits, and why.
    expect((await pushed).limitsChanged).toContain('Respiratory rate low: limit 10 → 12 (benzodiazepine or opioid given)');
    dash.close();
    const detail = (await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.session;
    expect(detail.limitsChanged).toEqual(expect.arrayContaining(['SpO2 low: limit 88 → 90 (benzodiazepine or opioid given)', 'Apnea: duration 20 s → 15 s (benzodiazepine or opioid given)']));
    // The same RR 11 now raises the (tighter) RR-low alarm after its 15 s delay.
    await frames(sess.id, 23, 45, () => ({ ...calm(), rr: 11 }));
    const a = (await alarmsWhen(sess.id, has('rr.low.medium'))).find((x) => x.ruleId === 'rr.low.medium');
    expect(a).toMatchObject({ message: 'RR 11 < 12', startedAt: T0 + 38_000 });
    expect(a?.source).toMatch(/benzodiazepine or opioid given: Q6: concomitantly administered medications may enhance certain effects/);
    // Replay switches to the tighter limits at the dose, as the live server did.
    const replayed = await replaySession(s.app.store, sess.id);
    expect(replayed.alarms.map((x) => `${x.ruleId}@${x.t - T0}`)).toEqual(['rr.low.medium@38000']);
  });

  it('an antiemetic documented changes no limit', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, 0, 3, calm);
    await start(sess.id);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/rescue`, { drugId: 'antiemetic', doseMg: 4 })).status).toBe(201);
    expect((await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.session.limitsChanged).toEqual([]);
  });

  it('runs patients of 65 and older on the tighter elderly/comorbid limits and says so', async () => {
    const old = await createSession(s.nurse, { ageYears: 78 });
    expect(old.profile).toBe('elderly_comorbid');
    expect(old.limitsChanged.length).toBeGreaterThan(0);
    expect(old.limitsChanged.join('\n')).toMatch(/SpO2/);
    const young = await createSession(s.nurse, { ageYears: 40 });
    expect(young.limitsChanged).toEqual([]);
  });

  it('lets a physician set patient-specific limits with a reason, shown on the session and audited', async () => {
    const sess = await createSession(s.nurse);
    const body = { overrides: { 'spo2.low.high': { limit: 85 } }, reason: 'COPD, baseline SpO2 88-90' };
    expect((await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/limits`, body)).status).toBe(403);
    const bad = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/limits`, { overrides: { 'no.such.rule': { limit: 1 } }, reason: 'typo test here' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields![0]!.reason).toMatch(/no.such.rule/);
    const dash = dashboard(s.nurse);
    await connected(dash);
    await dash.emitWithAck('subscribe', {});
    const pushed = waitFor<Session>(dash, 'session', (x) => x.id === sess.id && x.limitsChanged.length > 0);
    const ok = await api<Session>(s.physician, 'PUT', `/api/sessions/${sess.id}/limits`, body);
    expect(ok.status).toBe(200);
    expect(ok.body.data.limitsChanged).toEqual(['SpO2 low: limit 88 → 85']);
    expect((await pushed).limitOverrides).toMatchObject({ reason: 'COPD, baseline SpO2 88-90', by: 'user:physician' });

    // SpO2 86 for 15 s no longer raises the high alarm for this patient.
    const seen: AlarmUpdate[] = [];
    dash.on('alarm', (u) => seen.push(u));
    await frames(sess.id, 0, 16, () => ({ ...calm(), spo2: 86 }));
    expect(seen.map((u) => u.alarm.ruleId)).not.toContain('spo2.low.high');
    dash.close();
    const reset = await api<Session>(s.physician, 'DELETE', `/api/sessions/${sess.id}/limits`);
    expect(reset.body.data.limitsChanged).toEqual([]);
  });

  it('figures per-kg doses on the dosing weight the site chose, and says which on the session', async () => {
    const actual = await createSession(s.nurse, { weightKg: 110, heightCm: 175, sex: 'male' });
    expect(actual.dosingWeight).toMatchObject({ kg: 110, basis: 'actual', label: 'per kg actual body weight, 110 kg' });
    const cur = (await api<RuleSet>(s.admin, 'GET', '/api/rulesets/current')).body.data;
    const { id: _id, version: _v, ...doc } = cur;
    const put = await api<RuleSet>(s.admin, 'PUT', '/api/rulesets/current', { ...doc, dosingWeight: { basis: 'ideal', source: 'site protocol 7: ideal body weight' } });
    expect(put.status).toBe(200);
    const ideal = await createSession(s.nurse, { weightKg: 110, heightCm: 175, sex: 'male' });
    expect(ideal.dosingWeight).toMatchObject({ basis: 'ideal', used: 'ideal', label: 'per kg ideal body weight (Devine), 70.5 kg' });
    expect(ideal).toMatchObject({ heightCm: 175, sex: 'male' });
    // No height: the actual weight is used, and the label says why.
    const noHeight = await createSession(s.nurse, { weightKg: 110 });
    expect(noHeight.dosingWeight.label).toBe('per kg actual body weight, 110 kg (ideal weight needs height and sex: actual weight used)');
    // A 28 mg bolus: 0.25 mg/kg of 110 kg, 0.40 mg/kg of the 70.5 kg ideal weight (>= 0.35: Q6, Table 6).
    for (const sess of [actual, ideal]) {
      // The order lets boluses up to the clinic's 0.35 mg/kg through; the weight decides.
      await writeOrder(s.physician, sess.id, { bolusMaxMgKg: 0.35 });
      await frames(sess.id, 0, 3, calm);
      await start(sess.id);
    }
    expect((await api(s.physician, 'POST', `/api/sessions/${actual.id}/infusion`, { type: 'bolus', doseMg: 28 })).status).toBe(201);
    expect((await alarmsOf(actual.id)).map((a) => a.ruleId)).not.toContain('dose.bolus.clinic');
    // On the ideal weight the same bolus crosses the clinic's hard limit: refused before it is stored.
    const refused = await api<unknown>(s.physician, 'POST', `/api/sessions/${ideal.id}/infusion`, { type: 'bolus', doseMg: 28 });
    expect(refused.status).toBe(409);
    const crossing = (refused.body as { check?: { crossings: { id: string; level: string; value: number }[] } }).check?.crossings.find((c) => c.id === 'dose.bolus.clinic');
    expect(crossing?.level).toBe('hard');
    expect(crossing?.value).toBeCloseTo(28 / 70.47, 2);
    expect((await s.app.sessions.events(ideal.id)).map((e) => e.type)).toEqual(['start']);
    const shown = (await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${actual.id}`)).body.data.session;
    // The total is figured on the actual 110 kg: the bolus alone is 0.25 mg/kg, the infusion adds little.
    expect(shown.infusion.cumulativeMgPerKg).toBeGreaterThanOrEqual(28 / 110);
    expect(shown.infusion.cumulativeMgPerKg).toBeLessThan(0.3);
    const bad = await api(s.nurse, 'POST', '/api/sessions', demoSession({ heightCm: 20 }));
    expect(bad.status).toBe(400);
    expect(bad.body.fields?.[0]?.field).toBe('heightCm');
  });

  it('versions rule-set edits by an admin; running sessions keep the version they opened under', async () => {
    const before = await createSession(s.nurse);
    const cur = (await api<RuleSet>(s.admin, 'GET', '/api/rulesets/current')).body.data;
    const { id: _id, version: _v, ...doc } = cur;
    const edited = { ...doc, rules: doc.rules.map((r) => (r.id === 'hr.high.high' && r.kind === 'threshold' ? { ...r, limit: 140 } : r)) };
    expect((await api(s.nurse, 'PUT', '/api/rulesets/current', edited)).status).toBe(403);
    const broken = await api(s.admin, 'PUT', '/api/rulesets/current', { ...doc, rules: [{ ...doc.rules[0], priority: 'urgent' }] });
    expect(broken.status).toBe(400);
    expect(broken.body.fields![0]!.field).toBe('rules.0.priority');
    const put = await api<RuleSet>(s.admin, 'PUT', '/api/rulesets/current', edited);
    expect(put.body.data.version).toBe(cur.version + 1);
    const after = await createSession(s.nurse);
    expect([before.ruleSetVersion, after.ruleSetVersion]).toEqual([cur.version, cur.version + 1]);
    await frames(before.id, 0, 1, () => ({ ...calm(), hr: 145 }));
    await frames(after.id, 1, 2, () => ({ ...calm(), hr: 145 }));
    expect((await alarmsOf(before.id)).map((a) => a.ruleId)).not.toContain('hr.high.high');
    expect((await alarmsOf(after.id)).map((a) => a.ruleId)).toContain('hr.high.high');
    const versions = await api<{ version: number; createdBy: string }[]>(s.nurse, 'GET', '/api/rulesets/versions');
    expect(versions.body.data.map((v) => v.createdBy)).toEqual(['system:shipped', 'user:admin']);
  });
});
