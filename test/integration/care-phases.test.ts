import type { Alarm, ChecklistRecord, DischargeAssessment, DischargeInput, DischargeRecord, PhaseChange, RuleSet, Session, SessionDetail } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import { fhirSchemaErrors, unresolvedReferences } from '../support/fhirValidator';
import { api, connected, createSession, device, passingChecklist, prepareStart, startServer, type Caller, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const MIN = 60_000;

/** Everything at the patient's baseline: the bedside Aldrete items 2, room air, RASS 0 as before, escort and no driving. */
const ready = (over: Partial<DischargeInput> = {}): DischargeInput => ({
  aldrete: { activity: 2, respiration: 2, consciousness: 2 },
  onSupplementalOxygen: false,
  finalSedation: { scale: 'RASS', score: 0 },
  finalPain: 3,
  mentalStatusAtBaseline: true,
  escortPresent: true,
  noDrivingAgreed: true,
  ...over,
});

describe('phases of a session: infusion → recovery → discharged, or ended early / transferred', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
  });
  afterEach(() => s.close());

  /** A frame from the session's monitor at event time t (baseline-like values unless given). */
  const frame = async (sessionId: string, t: number, v: Record<string, number> = {}) => {
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [{ sessionId, seq: Math.floor(t / 1000), t, hr: 72, sbp: 120, dbp: 78, map: 92, spo2: 98, etco2: 38, rr: 14, ...v }]);
    dev.close();
  };
  const detail = async (id: string) => (await api<SessionDetail>(s.nurse, 'GET', `/api/sessions/${id}`)).body.data;
  const infusion = (id: string, body: unknown) => api<{ session: Session }>(s.nurse, 'POST', `/api/sessions/${id}/infusion`, body);
  /** Checklist passed at T0 (baseline frame at T0 - 1 min: HR 72, BP 120/78, SpO2 98), started at T0, stopped at T0 + 10 min. */
  const inRecovery = async () => {
    const sess = await createSession(s.nurse);
    await prepareStart(s, s.nurse, sess.id, T0);
    expect((await infusion(sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    clock.set(T0 + 10 * MIN);
    const stopped = await infusion(sess.id, { type: 'stop' });
    expect(stopped.status).toBe(201);
    return stopped.body.data.session;
  };

  it('refuses "end" while the infusion runs or is paused (409 naming the state); stopping starts recovery', async () => {
    const sess = await createSession(s.nurse);
    expect(sess.phase).toBe('pre_infusion');
    await prepareStart(s, s.nurse, sess.id, T0);
    const started = await infusion(sess.id, { type: 'start', rateMgKgH: 0.5 });
    expect(started.body.data.session).toMatchObject({ phase: 'infusion', phaseSince: T0 });

    const running = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'patient wants to leave' });
    expect(running.status).toBe(409);
    expect(running.body.error).toBe('cannot end the session while the infusion is running (phase: infusion): stop the infusion first, which starts recovery');
    await infusion(sess.id, { type: 'pause' });
    const paused = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { reason: 'patient wants to leave' });
    expect(paused.status).toBe(409);
    expect(paused.body.error).toMatch(/while the infusion is paused/);
    expect((await detail(sess.id)).session).toMatchObject({ status: 'active', phase: 'infusion' });

    clock.set(T0 + 20 * MIN);
    const stopped = await infusion(sess.id, { type: 'stop' });
    expect(stopped.body.data.session).toMatchObject({ status: 'active', phase: 'recovery', phaseSince: T0 + 20 * MIN });
    expect((await detail(sess.id)).phases?.map((p) => [p.phase, p.at, p.by])).toEqual([
      ['pre_infusion', T0, 'user:nurse'],
      ['infusion', T0, 'user:nurse'],
      ['recovery', T0 + 20 * MIN, 'user:nurse'],
    ]);
  });

  it('ends a session early or transfers it only with a reason, recorded in the phase history and audited', async () => {
    const sess = await inRecovery();
    const noReason = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields).toEqual([{ field: 'reason', reason: expect.stringMatching(/required|expected string/) }]);
    const badOutcome = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { outcome: 'discharged', reason: 'skipping the criteria' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.fields?.[0]?.field).toBe('outcome');

    clock.set(T0 + 15 * MIN);
    const ended = await api<Session>(s.nurse, 'POST', `/api/sessions/${sess.id}/end`, { outcome: 'transferred', reason: 'transferred to the emergency department' });
    expect(ended.status).toBe(200);
    expect(ended.body.data).toMatchObject({ status: 'ended', phase: 'transferred', endedAt: T0 + 15 * MIN });
    const phases = (await detail(sess.id)).phases!;
    expect(phases.at(-1)).toEqual<PhaseChange>({ sessionId: sess.id, phase: 'transferred', at: T0 + 15 * MIN, by: 'user:nurse', reason: 'transferred to the emergency department' });
    const row = s.app.db.prepare("SELECT actor, before, after FROM audit_log WHERE action = 'session.end' AND entity_id = ?").get(sess.id) as { actor: string; before: string; after: string };
    expect(row.actor).toBe('user:nurse');
    expect(JSON.parse(row.before)).toEqual({ phase: 'recovery' });
    expect(JSON.parse(row.after)).toEqual({ phase: 'transferred', reason: 'transferred to the emergency department' });

    // Before any infusion: ended early (e.g. the patient declined), also with its reason.
    const other = await createSession(s.nurse, { patientLabel: 'P-2', location: 'Chair 9' });
    const early = await api<Session>(s.nurse, 'POST', `/api/sessions/${other.id}/end`, { reason: 'patient declined the infusion' });
    expect(early.body.data).toMatchObject({ status: 'ended', phase: 'ended_early' });
  });

  it('keeps the sedation schedule running in recovery: a recovery sedation score falls due every 15 min after the last', async () => {
    const sess = await inRecovery();
    // The last sedation score was at T0 (before the start); the monitor goes on sending in recovery.
    clock.set(T0 + 11 * MIN);
    await frame(sess.id, T0 + 11 * MIN);
    for (let m = 12; m <= 18; m++) {
      clock.set(T0 + m * MIN);
      s.app.tick();
    }
    await s.app.queue.enqueue(() => {});
    const alarms: Alarm[] = (await detail(sess.id)).alarms;
    const due = alarms.find((a) => a.ruleId === 'obs.sedation.recovery');
    expect(due).toMatchObject({ priority: 'medium', conditionActive: true });
    expect(due!.message).toMatch(/^Sedation score overdue in recovery: last 1[56] min ago \(every 15 min\)$/);
    expect(due!.startedAt).toBeGreaterThan(T0 + 15 * MIN);
    // The infusion's own schedule is not what fired: it runs only while the infusion runs or is paused.
    expect(alarms.some((a) => a.ruleId === 'obs.sedation.due')).toBe(false);

    // A score clears it.
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 0 });
    await s.app.queue.enqueue(() => {});
    expect((await detail(sess.id)).alarms.find((a) => a.ruleId === 'obs.sedation.recovery')?.conditionActive).toBe(false);
  });

  it('refuses the nurse a discharge below the criteria, naming each unmet one; a physician may discharge with a reason', async () => {
    const sess = await inRecovery();
    // 12 min after the stop, BP still up 30 % and drowsy.
    clock.set(T0 + 22 * MIN);
    await frame(sess.id, T0 + 22 * MIN, { sbp: 156 });
    const input = ready({ finalSedation: { scale: 'RASS', score: -1 } });

    const assessed = await api<DischargeAssessment>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge/assess`, input);
    expect(assessed.status).toBe(200);
    const byId = Object.fromEntries(assessed.body.data.criteria.map((c) => [c.id, c]));
    expect(assessed.body.data).toMatchObject({ met: false, score: 9, minScore: 9 });
    expect(assessed.body.data.aldrete.find((i) => i.item === 'circulation')).toMatchObject({ score: 1, computed: true, why: 'SBP 156 vs baseline 120 mmHg (+30 %): systolic BP 20-49 % from baseline' });
    expect(byId.aldrete).toMatchObject({ met: true });
    expect(byId.sedation_baseline).toMatchObject({ met: false, reason: 'RASS -1 now, baseline 0' });
    expect(byId.vitals_range).toMatchObject({ met: false });
    expect(byId.vitals_range!.reason).toContain('SBP 156 vs baseline 120 mmHg (+30 %)');
    expect(byId.observation_time).toMatchObject({ met: false, reason: '12 min since the stop (minimum 30 min)' });
    expect(byId.observation_time!.source).toMatch(/institutional default/);

    const refused = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, input);
    expect(refused.status).toBe(409);
    expect(refused.body.fields?.map((f) => f.field)).toEqual(['sedation_baseline', 'vitals_range', 'observation_time']);
    expect(refused.body.error).toMatch(/^discharge criteria not met: Sedation back to the baseline score \(RASS -1 now, baseline 0\)/);
    // The nurse's reason is not enough: the physician's decision.
    const nurseOverride = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, { ...input, override: { reason: 'patient insists on leaving' } });
    expect(nurseOverride.status).toBe(403);
    expect((await detail(sess.id)).session).toMatchObject({ status: 'active', phase: 'recovery' });
    const noReason = await api(s.physician, 'POST', `/api/sessions/${sess.id}/discharge`, { ...input, override: { reason: '' } });
    expect(noReason.status).toBe(400);

    const done = await api<{ session: Session; discharge: DischargeRecord }>(s.physician, 'POST', `/api/sessions/${sess.id}/discharge`, { ...input, override: { reason: 'known labile BP, reviewed; escort to stay overnight' } });
    expect(done.status).toBe(200);
    expect(done.body.data.session).toMatchObject({ status: 'ended', phase: 'discharged', endedAt: T0 + 22 * MIN });
    expect(done.body.data.discharge.override).toEqual({ reason: 'known labile BP, reviewed; escort to stay overnight', by: 'user:physician', at: T0 + 22 * MIN });
    const d = await detail(sess.id);
    expect(d.discharge).toMatchObject({ by: 'user:physician', override: { by: 'user:physician' }, assessment: { met: false, score: 9 }, input: { finalPain: 3, finalSedation: { scale: 'RASS', score: -1 } } });
    expect(d.phases?.at(-1)).toMatchObject({ phase: 'discharged', by: 'user:physician', reason: 'known labile BP, reviewed; escort to stay overnight' });
    const audit = s.app.db.prepare("SELECT actor, after FROM audit_log WHERE action = 'discharge.override' AND entity_id = ?").get(sess.id) as { actor: string; after: string };
    expect(audit.actor).toBe('user:physician');
    expect(JSON.parse(audit.after)).toMatchObject({ met: false, unmet: ['sedation_baseline', 'vitals_range', 'observation_time'] });
  });

  it('discharges on the nurse\'s word once every criterion is met (Aldrete 10, vitals at baseline, 30 min observed)', async () => {
    const sess = await inRecovery();
    clock.set(T0 + 41 * MIN);
    await frame(sess.id, T0 + 41 * MIN, { sbp: 128, dbp: 80, hr: 76 });
    // Not before recovery: a session still in pre-infusion cannot be discharged.
    const idle = await createSession(s.nurse, { patientLabel: 'P-3', location: 'Chair 8' });
    const early = await api(s.nurse, 'POST', `/api/sessions/${idle.id}/discharge`, ready());
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/phase: pre-infusion/);

    const done = await api<{ session: Session; discharge: DischargeRecord }>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, ready());
    expect(done.status).toBe(200);
    expect(done.body.data.session).toMatchObject({ phase: 'discharged', status: 'ended' });
    const a = done.body.data.discharge.assessment;
    expect(a).toMatchObject({ met: true, score: 10, sinceStopMs: 31 * MIN });
    expect(a.criteria.every((c) => c.met)).toBe(true);
    expect(a.criteria.find((c) => c.id === 'vitals_range')!.reason).toBe('SBP 128 vs baseline 120 mmHg (+7 %); DBP 80 vs baseline 78 mmHg (+3 %); HR 76 vs baseline 72 /min (+6 %)');
    expect(done.body.data.discharge.override).toBeNull();
    const row = s.app.db.prepare("SELECT actor FROM audit_log WHERE action = 'discharge.record' AND entity_id = ?").get(sess.id) as { actor: string };
    expect(row.actor).toBe('user:nurse');
    // Discharged is final.
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, ready())).status).toBe(409);
  });

  it('puts the phase history and the discharge (criteria, score, who, override) in the PDF, CSV and FHIR record', async () => {
    const sess = await inRecovery();
    clock.set(T0 + 25 * MIN);
    await frame(sess.id, T0 + 25 * MIN);
    const override = { reason: 'reviewed: stable, escort waiting' };
    expect((await api(s.physician, 'POST', `/api/sessions/${sess.id}/discharge`, { ...ready(), override })).status).toBe(200);
    const get = async (who: Caller, format: string) => Buffer.from(await (await fetch(`${who.url}/api/sessions/${sess.id}/export?format=${format}`, { headers: who.headers })).arrayBuffer());

    const csv = parse(await get(s.nurse, 'csv'), { columns: true, bom: true }) as Record<string, string>[];
    const rows = csv.filter((r) => r.record!.startsWith('phase') || r.record!.startsWith('discharge')).map((r) => [r.record, r.detail, r.by]);
    expect(rows).toEqual([
      ['phase pre-infusion', '', 'Test nurse'],
      ['phase infusion', '', 'Test nurse'],
      ['phase recovery', '', 'Test nurse'],
      ['phase discharged', override.reason, 'Test physician'],
      ['discharge', expect.stringMatching(/^Modified Aldrete 10\/10 \(site threshold 9; Activity 2, Respiration 2, Circulation 2, Consciousness 2, SpO2 2\); criteria not met: Observed at least 30 min after the stop \(15 min since the stop \(minimum 30 min\)\); final sedation RASS 0, pain 3, mental status at baseline$/), 'Test physician'],
      ['discharge override', override.reason, 'Test physician'],
    ]);

    const bundle = JSON.parse((await get(s.nurse, 'fhir')).toString('utf8')) as { entry: { fullUrl: string; resource: { resourceType: string } & Record<string, unknown> }[] };
    expect(fhirSchemaErrors(bundle)).toEqual([]);
    expect(unresolvedReferences(bundle)).toEqual([]);
    const enc = bundle.entry.find((e) => e.resource.resourceType === 'Encounter')!.resource;
    expect(enc.status).toBe('finished');
    expect(enc.period).toEqual({ start: new Date(T0).toISOString().replace('.000', ''), end: new Date(T0 + 25 * MIN).toISOString().replace('.000', '') });
    expect((enc.statusHistory as { status: string }[]).map((h) => h.status)).toEqual(['arrived', 'in-progress', 'in-progress', 'finished']);
    expect(enc.hospitalization).toEqual({
      dischargeDisposition: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'home', display: 'Home' }],
        text: `Discharged: Modified Aldrete 10/10 (site threshold 9); criteria not met, discharged on the physician's decision: ${override.reason}`,
      },
    });

    const dir = mkdtempSync(join(tmpdir(), 'care-phases-pdf-'));
    try {
      const file = join(dir, 'record.pdf');
      writeFileSync(file, await get(s.nurse, 'pdf'));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toMatch(/Phases and discharge/);
      expect(text).toMatch(/Discharged 2026-11-22 09:25:00 UTC by Test physician: Modified Aldrete 10\/10 \(site threshold 9\); criteria NOT met/);
      expect(text).toMatch(/Discharged before the criteria were met on the decision of Test physician at 2026-11-22 09:25:00 UTC: reviewed:\s+stable, escort waiting/);
      expect(text).toMatch(/Observed at least 30 min after[\s\S]*NOT MET/);
      // The page with the discharge, rendered to look at.
      mkdirSync(SCREENSHOTS, { recursive: true });
      const page = text.split('\f').findIndex((p) => p.includes('Phases and discharge')) + 1;
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', String(page), '-l', String(page), '-singlefile', file, join(SCREENSHOTS, 'record-discharge')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** The admin edits the site's discharge section in the rule set (as the rule-set editor does); new sessions run on it. */
  const editDischarge = async (change: (d: NonNullable<RuleSet['discharge']>) => NonNullable<RuleSet['discharge']>) => {
    const current = (await api<RuleSet>(s.admin, 'GET', '/api/rulesets/current')).body.data;
    const { id: _id, version: _v, ...doc } = current;
    const put = await api<RuleSet>(s.admin, 'PUT', '/api/rulesets/current', { ...doc, discharge: change(current.discharge!) });
    expect(put.status).toBe(200);
  };
  const padssReady = (padss: DischargeInput['padss'], over: Partial<DischargeInput> = {}): DischargeInput => {
    const { aldrete: _a, ...rest } = ready(over);
    return { ...rest, padss };
  };

  it('a site on PADSS: asks its items, refuses discharge below 9 naming the low items, discharges at 9, and the record shows PADSS', async () => {
    await editDischarge((d) => ({ ...d, score: { ...d.score, scale: 'padss' } }));
    const sess = await inRecovery();
    clock.set(T0 + 41 * MIN);
    // SBP 150 vs 120 (+25 %): PADSS vital signs 1.
    await frame(sess.id, T0 + 41 * MIN, { sbp: 150, dbp: 80, hr: 76 });

    const aldreteOnly = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, ready());
    expect(aldreteOnly.status).toBe(400);
    expect(aldreteOnly.body.fields).toEqual(['activity', 'nauseaVomiting', 'pain'].map((k) => ({ field: `padss.${k}`, reason: 'not scored (the site uses PADSS)' })));

    const eight = await api<{ assessment: DischargeAssessment }>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, padssReady({ activity: 2, nauseaVomiting: 1, pain: 2 }, { onSupplementalOxygen: true }));
    expect(eight.status).toBe(409);
    expect(eight.body.error).toContain('PADSS score 9 or more (score 8 of 10, needs 9: vital signs 1 (SBP 150 vs baseline 120 mmHg (+25 %), HR 76 vs baseline 72 /min (+6 %): BP and pulse within 20-40 % of baseline); nausea and vomiting 1 (moderate))');
    expect(eight.body.fields).toContainEqual({ field: 'padss', reason: expect.stringMatching(/^score 8 of 10/) });

    const assessed = (await api<DischargeAssessment>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge/assess`, padssReady({ activity: 2, nauseaVomiting: 2, pain: 2 }))).body.data;
    expect(assessed).toMatchObject({ scale: 'padss', score: 9, minScore: 9, met: false, aldrete: [] });
    expect(assessed.padss!.map((i) => [i.item, i.score])).toEqual([['vitals', 1], ['activity', 2], ['nauseaVomiting', 2], ['pain', 2], ['bleeding', 2]]);
    expect(assessed.padss!.find((i) => i.item === 'bleeding')).toMatchObject({ policy: true, why: expect.stringMatching(/not applicable.*institutional default/) });
    expect(assessed.criteria.find((c) => c.id === 'padss')).toMatchObject({ met: true, reason: 'score 9 of 10', source: expect.stringMatching(/Chung F, Chan VW, Ong D/) });
    // Vitals out of the site's 20 % range still block (the separate criterion), as for Aldrete.
    expect(assessed.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual(['vitals_range']);

    clock.set(T0 + 42 * MIN);
    await frame(sess.id, T0 + 42 * MIN, { sbp: 130, dbp: 80, hr: 76 });
    const nine = await api<{ discharge: DischargeRecord }>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, padssReady({ activity: 2, nauseaVomiting: 1, pain: 2 }));
    expect(nine.status).toBe(200);
    expect(nine.body.data.discharge.assessment).toMatchObject({ scale: 'padss', score: 9, met: true });

    const get = async (format: string) => Buffer.from(await (await fetch(`${s.nurse.url}/api/sessions/${sess.id}/export?format=${format}`, { headers: s.nurse.headers })).arrayBuffer());
    const csv = parse(await get('csv'), { columns: true, bom: true }) as Record<string, string>[];
    expect(csv.find((r) => r.record === 'discharge')!.detail).toMatch(/^PADSS 9\/10 \(site threshold 9; Vital signs 2, Activity 2, Nausea and vomiting 1, Pain 2, Surgical bleeding 2\); criteria met/);
    const bundle = JSON.parse((await get('fhir')).toString('utf8')) as { entry: { resource: { resourceType: string; hospitalization?: { dischargeDisposition: { text: string } } } }[] };
    expect(bundle.entry.find((e) => e.resource.resourceType === 'Encounter')!.resource.hospitalization!.dischargeDisposition.text).toBe('Discharged: PADSS 9/10 (site threshold 9); discharge criteria met');
    const dir = mkdtempSync(join(tmpdir(), 'care-phases-padss-'));
    try {
      const file = join(dir, 'record.pdf');
      writeFileSync(file, await get('pdf'));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toMatch(/by Test nurse: PADSS 9\/10 \(site threshold 9\); criteria met/);
      expect(text).toMatch(/PADSS item/);
      expect(text).toMatch(/Surgical bleeding \(site policy\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a site scoring PADSS bleeding at the bedside asks for it; a threshold of 10 refuses a 9', async () => {
    await editDischarge((d) => ({ ...d, score: { ...d.score, scale: 'padss', minScore: 10 }, padss: { ...d.padss!, bleeding: { ...d.padss!.bleeding, handling: 'nurse_scores' } } }));
    const sess = await inRecovery();
    clock.set(T0 + 41 * MIN);
    await frame(sess.id, T0 + 41 * MIN);
    const noBleeding = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge/assess`, padssReady({ activity: 2, nauseaVomiting: 2, pain: 2 }));
    expect(noBleeding.status).toBe(400);
    expect(noBleeding.body.fields).toEqual([{ field: 'padss.bleeding', reason: 'not scored (the site uses PADSS)' }]);
    const nine = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, padssReady({ activity: 2, nauseaVomiting: 2, pain: 2, bleeding: 1 }));
    expect(nine.status).toBe(409);
    expect(nine.body.error).toContain('PADSS score 10 or more (score 9 of 10, needs 10: surgical bleeding 1 (moderate))');
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge`, padssReady({ activity: 2, nauseaVomiting: 2, pain: 2, bleeding: 2 }))).status).toBe(200);
  });

  it('requires escort and no driving as shipped, and neither asks nor assesses them once the site switches them off', async () => {
    // One session opened under the shipped rule set, one after the admin switched both criteria off.
    const shipped = await createSession(s.nurse);
    await editDischarge((d) => ({ ...d, escort: { ...d.escort!, required: false }, noDriving: { ...d.noDriving!, required: false } }));
    const off = await createSession(s.nurse, { patientLabel: 'P-4', location: 'Chair 9' });
    for (const sess of [shipped, off]) {
      await prepareStart(s, s.nurse, sess.id, T0);
      expect((await infusion(sess.id, { type: 'start', rateMgKgH: 0.5 })).status).toBe(201);
    }
    clock.set(T0 + 10 * MIN);
    for (const sess of [shipped, off]) expect((await infusion(sess.id, { type: 'stop' })).status).toBe(201);
    clock.set(T0 + 41 * MIN);
    for (const sess of [shipped, off]) await frame(sess.id, T0 + 41 * MIN);
    const { escortPresent: _e, noDrivingAgreed: _n, ...without } = ready();

    const refused = await api(s.nurse, 'POST', `/api/sessions/${shipped.id}/discharge`, without);
    expect(refused.status).toBe(409);
    expect(refused.body.fields).toEqual([
      { field: 'escort', reason: 'no escort' },
      { field: 'no_driving', reason: 'not agreed' },
    ]);

    const a = (await api<DischargeAssessment>(s.nurse, 'POST', `/api/sessions/${off.id}/discharge/assess`, without)).body.data;
    expect(a.met).toBe(true);
    expect(a.criteria.map((c) => c.id)).not.toContain('escort');
    expect(a.criteria.map((c) => c.id)).not.toContain('no_driving');
    expect((await api(s.nurse, 'POST', `/api/sessions/${off.id}/discharge`, without)).status).toBe(200);
    // The shipped session keeps the version it was opened under: both still required there.
    expect((await api(s.nurse, 'POST', `/api/sessions/${shipped.id}/discharge`, without)).status).toBe(409);
    expect((await api(s.nurse, 'POST', `/api/sessions/${shipped.id}/discharge`, ready())).status).toBe(200);
  });

  it('prompts post-infusion liver tests at discharge when the checklist answered liver risk (a to-do, not a block)', async () => {
    const sess = await createSession(s.nurse);
    await prepareStart(s, s.nurse, sess.id, T0);
    await api(s.nurse, 'PUT', `/api/sessions/${sess.id}/checklist`, { ...passingChecklist(), liverRisk: true, lftsDone: true });
    await infusion(sess.id, { type: 'start', rateMgKgH: 0.5 });
    clock.set(T0 + 10 * MIN);
    await infusion(sess.id, { type: 'stop' });
    clock.set(T0 + 45 * MIN);
    await frame(sess.id, T0 + 45 * MIN);
    const a = (await api<DischargeAssessment>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge/assess`, ready())).body.data;
    expect(a.criteria.find((c) => c.id === 'post_infusion_lft')).toMatchObject({ met: false, todo: true, reason: 'to arrange: liver dysfunction or risk on the checklist' });
    expect(a.met).toBe(true);
    const arranged = (await api<DischargeAssessment>(s.nurse, 'POST', `/api/sessions/${sess.id}/discharge/assess`, ready({ postInfusionLftsArranged: true }))).body.data;
    expect(arranged.criteria.find((c) => c.id === 'post_infusion_lft')).toMatchObject({ met: true });
  });
});

describe('the baseline before the start', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  const scores = async (id: string) => {
    await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'RASS', score: 0 });
    await api(s.nurse, 'POST', `/api/sessions/${id}/observations`, { scale: 'NRS_PAIN', score: 6 });
  };
  const frames = async (id: string, v: Record<string, number>) => {
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [{ sessionId: id, seq: 1, t: T0 - MIN, ...v }]);
    dev.close();
  };
  const submit = (id: string, body: unknown = passingChecklist()) => api<ChecklistRecord>(s.nurse, 'PUT', `/api/sessions/${id}/checklist`, body);

  it('refuses a start when the baseline has only a heart rate, naming the blood pressure and SpO2', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, { hr: 72 });
    await scores(sess.id);
    const c = await submit(sess.id);
    const failed = c.body.data.result.items.filter((i) => !i.ok);
    expect(failed.map((i) => [i.id, i.reason])).toEqual([
      ['baseline_bp', 'no blood pressure (SBP/DBP) measured before the infusion'],
      ['baseline_spo2', 'no SpO2 measured before the infusion'],
    ]);
    expect(c.body.data.result.items.find((i) => i.id === 'baseline_hr')).toMatchObject({ ok: true, label: 'Baseline heart rate measured (72 /min)' });
    const start = await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
    expect(start.status).toBe(409);
    expect(start.body.fields?.map((f) => f.reason)).toContain('Baseline blood pressure (SBP/DBP) measured: no blood pressure (SBP/DBP) measured before the infusion');
  });

  it('fails "poorly controlled hypertension" on a measured baseline SBP of 185, whatever was ticked, showing the value', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, { hr: 80, sbp: 185, dbp: 95, spo2: 97 });
    await scores(sess.id);
    const c = await submit(sess.id);
    expect(c.body.data.result.passed).toBe(false);
    const item = c.body.data.result.items.find((i) => i.id === 'contraindication.poorly_controlled_hypertension')!;
    expect(item).toMatchObject({ ok: false, reason: "measured baseline BP 185/95 mmHg above the site's limit (SBP > 180 or DBP > 110 mmHg)" });
    expect(item.source).toMatch(/Table 5 \(cardiovascular\).*institutional default/);
    expect(c.body.data.input.contraindications.poorly_controlled_hypertension).toBe(false);
    expect((await api(s.nurse, 'POST', `/api/sessions/${sess.id}/infusion`, { type: 'start', rateMgKgH: 0.5 })).status).toBe(409);
  });

  it('records pregnancy as a test result or "not applicable" with the reason; a positive test blocks', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, { hr: 72, sbp: 120, dbp: 78, spo2: 98 });
    await scores(sess.id);
    const missing = await submit(sess.id, { ...passingChecklist(), pregnancy: undefined });
    expect(missing.status).toBe(400);
    expect(missing.body.fields?.[0]?.field).toBe('pregnancy');
    const noReason = await submit(sess.id, { ...passingChecklist(), pregnancy: { result: 'not_applicable' } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.fields?.[0]?.field).toBe('pregnancy.reason');
    const positive = await submit(sess.id, { ...passingChecklist(), pregnancy: { result: 'positive' } });
    expect(positive.body.data.result.items.find((i) => i.id === 'pregnancy')).toMatchObject({ ok: false, reason: 'positive pregnancy test: contraindication', source: 'ASRA/AAPM/ASA 2018, Table 5 (pregnancy)' });
    const na = await submit(sess.id, { ...passingChecklist(), pregnancy: { result: 'not_applicable', reason: 'post-menopausal' } });
    expect(na.body.data.result.passed).toBe(true);
    expect(na.body.data.result.items.find((i) => i.id === 'pregnancy')).toMatchObject({ ok: true, label: 'Pregnancy: not applicable (post-menopausal)' });
  });

  it('lists the psychiatric items as Table 5 does, each its own answer', async () => {
    const sess = await createSession(s.nurse);
    await frames(sess.id, { hr: 72, sbp: 120, dbp: 78, spo2: 98 });
    await scores(sess.id);
    const c = passingChecklist();
    c.contraindications.delirium = true;
    const r = await submit(sess.id, c);
    const psych = r.body.data.result.items.filter((i) => i.source.includes('(psychiatric)'));
    expect(psych.map((i) => [i.id, i.ok])).toEqual([
      ['contraindication.intoxication', true],
      ['contraindication.active_substance_abuse', true],
      ['contraindication.delirium', false],
      ['contraindication.psychosis', true],
    ]);
  });
});
