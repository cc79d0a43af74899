import { TRAINING_MARK, type Alarm, type AlarmUpdate, type Result, type TraineeProgress, type TrainingDebrief, type TrainingRun } from '@infusion/shared';
import { SCENARIOS, silentLogger, TrainingHost } from '@infusion/simulator';
import { parse } from 'csv-parse/sync';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SCREENSHOTS } from '../support/browser';
import { api, connected, dashboard, login, passingChecklist, startServer, TEST_PASSWORD, writeOrder, type Caller, type TestServer } from '../support/server';
import { until } from '../support/until';

/**
 * The debrief of a training run through the real server and a real training host: a trainee
 * acknowledges the SpO2 alarm and lowers the rate, and the debrief shows the times (scenario
 * seconds) and the score; its exports are marked simulated training on every page and row; the
 * trainee's progress keeps the ended run's score; who else asks gets 404. On SQLite and PostgreSQL.
 */


const post = async (who: Caller, path: string, body?: unknown) => {
  const r = await api<TrainingRun>(who, 'POST', path, body ?? {});
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
};

async function download(who: Caller, path: string): Promise<{ status: number; type: string; disposition: string; body: Buffer }> {
  const res = await fetch(who.url + path, { headers: who.headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

describe('training debrief', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('a trainee acknowledges the SpO2 alarm and lowers the rate: the debrief shows the times and the score, exports and progress follow', async () => {
    const s: TestServer = await startServer({ config: { LOG_LEVEL: 'error' } as never });
    cleanup.push(() => s.close());
    // Through the server's own store: the test runs on SQLite and on PostgreSQL alike.
    const db = () => s.app.store.db;
    const mk = async (username: string, role: 'nurse' | 'trainer', units: string[]) => {
      await s.app.users.create({ username, displayName: `${username[0]!.toUpperCase()}${username.slice(1)} Display`, role, units, password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
      return login(s.url, username);
    };
    const coach = await mk('coach', 'trainer', ['training']);
    const trainee = await mk('kim', 'nurse', ['training']);
    const other = await mk('lee', 'nurse', ['training']);
    const otherCoach = await mk('farcoach', 'trainer', ['infusion-suite']);
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    cleanup.push(() => host.close());
    await until('the host offers its scenarios', async () => (await api<{ name: string }[]>(coach, 'GET', '/api/training/scenarios')).body.data.some((x) => x.name === 'desaturation'));

    const run = await post(coach, '/api/training/runs', { scenario: 'desaturation', seed: 7, trainee: 'kim', unit: 'training' });
    // The run keeps its scenario's expectations from creation on.
    const stored = await db().selectFrom('training_runs').select('scenario_doc').where('id', '=', run.id).executeTakeFirstOrThrow();
    expect(JSON.parse(stored.scenario_doc!)).toMatchObject({ name: 'desaturation', expectedAlarms: SCENARIOS.desaturation.expectedAlarms });

    const sock = dashboard(trainee);
    cleanup.push(() => void sock.close());
    const alarms: AlarmUpdate[] = [];
    sock.on('alarm', (u) => alarms.push(u));
    await connected(sock);
    const sub = await sock.emitWithAck('subscribe', {});
    if (!sub.ok) throw new Error(sub.error);

    // The trainee prepares and starts the infusion as on the ward.
    await post(coach, `/api/training/runs/${run.id}/start`);
    // Baseline vitals before the checklist (it needs them).
    await until('baseline frames', async () => Number((await db().selectFrom('vitals').select((eb) => eb.fn.countAll().as('n')).where('session_id', '=', run.sessionId).executeTakeFirstOrThrow()).n) >= 3);
    await writeOrder(coach, run.sessionId, { setting: SCENARIOS.desaturation.setting, rateMinMgKgH: 0.25, rateMaxMgKgH: 1 });
    await api(trainee, 'POST', `/api/sessions/${run.sessionId}/observations`, { scale: 'RASS', score: 0 });
    await api(trainee, 'POST', `/api/sessions/${run.sessionId}/observations`, { scale: 'NRS_PAIN', score: 6 });
    expect((await api(trainee, 'PUT', `/api/sessions/${run.sessionId}/checklist`, passingChecklist(1))).status).toBe(200);
    expect((await api(trainee, 'POST', `/api/sessions/${run.sessionId}/infusion`, { type: 'start', rateMgKgH: 1 })).status).toBe(201);

    // x60 until the injected desaturation raises the SpO2 alarm, then x1 so the trainee's seconds count as seconds.
    await post(coach, `/api/training/runs/${run.id}/speed`, { speed: 60 });
    await post(coach, `/api/training/runs/${run.id}/events`, { event: { kind: 'excursion', label: 'Sudden desaturation', onsetMin: 0.5, holdMin: 30, recoverMin: 1, to: { spo2: 78 } } });
    const raised = await until('the SpO2 alarm', () => alarms.find((u) => u.alarm.sessionId === run.sessionId && u.alarm.ruleId === 'spo2.low.high'));
    await post(coach, `/api/training/runs/${run.id}/speed`, { speed: 1 });
    const ack = (await sock.emitWithAck('alarm:acknowledge', { alarmId: raised.alarm.id })) as Result<Alarm>;
    expect(ack.ok).toBe(true);
    expect((await api(trainee, 'POST', `/api/sessions/${run.sessionId}/infusion`, { type: 'rate_change', rateMgKgH: 0.5 })).status).toBe(201);
    expect((await api(trainee, 'POST', `/api/sessions/${run.sessionId}/observations`, { scale: 'RASS', score: -2 })).status).toBe(201);

    // While the run goes on the debrief is there, not final.
    const live = await api<TrainingDebrief>(trainee, 'GET', `/api/training/runs/${run.id}/debrief`);
    expect(live.status).toBe(200);
    expect(live.body.data.state).toBe('running');
    await post(coach, `/api/training/runs/${run.id}/end`);
    // The debrief no longer needs a host.
    host.close();

    const d = (await api<TrainingDebrief>(trainee, 'GET', `/api/training/runs/${run.id}/debrief`)).body.data;
    const byId = Object.fromEntries(d.items.map((i) => [i.id, i]));
    // What the stored alarm says, on the run's clocks: the debrief's times are these.
    const a = d.alarms.find((x) => x.alarmId === String(raised.alarm.id))!;
    expect(a).toMatchObject({ ruleId: 'spo2.low.high', expected: true, acknowledgedBy: 'Kim Display', priority: 'high' });
    // The frame that raised it is scenario second seq - 1 (one frame per scenario second): its wall time (whole ms,
    // so within half a wall ms at x60, i.e. 30 scenario ms) maps back to that second.
    // The alarm's wall time is its scenario instant mapped back to wall time (whole ms): within 1 ms of the
    // frame's own, and frames are about 17 ms apart at x60.
    const frame = await db()
      .selectFrom('vitals')
      .select('seq')
      .where('session_id', '=', run.sessionId)
      .where('t', '>=', raised.alarm.startedAt - 1)
      .where('t', '<=', raised.alarm.startedAt + 1)
      .executeTakeFirstOrThrow();
    expect(Math.abs(a.raisedMs - (Number(frame.seq) - 1) * 1000)).toBeLessThanOrEqual(30);
    expect(a.timeToAckS).not.toBeNull();
    expect(a.timeToAckS!).toBeGreaterThanOrEqual(0);
    expect(a.timeToAckS!).toBeLessThan(30);
    expect(byId.ack_spo2).toMatchObject({ outcome: 'met', startedMs: a.raisedMs, doneMs: a.acknowledgedMs, responseS: a.timeToAckS, deadlineS: 30, points: 20 });
    expect(byId.lower_rate).toMatchObject({ outcome: 'met', startedMs: a.raisedMs, deadlineS: 120, points: 30 });
    expect(byId.lower_rate!.responseS!).toBeGreaterThanOrEqual(a.timeToAckS!);
    expect(byId.score_sedation).toMatchObject({ outcome: 'met', points: 10 });
    // The colleague's midazolam (minute 20) was never reached: it neither counts for nor against.
    expect(d.scenarioMs).toBeLessThan(20 * 60_000);
    expect(byId.no_more_benzo).toMatchObject({ outcome: 'not_triggered', points: 0 });
    expect(d.score).toEqual({ points: 60, max: 60, percent: 100 });
    expect(d).toMatchObject({ state: 'ended', simulated: true, trainee: 'kim', trainer: 'coach', scenarioTitle: SCENARIOS.desaturation.title });
    const mine = d.timeline.filter((e) => e.source === 'trainee').map((e) => e.text);
    expect(mine).toContain('Rate lowered to 0.5 mg/kg/h (from 1)');
    expect(mine.some((t) => t.startsWith('Alarm acknowledged:'))).toBe(true);
    expect(d.timeline.some((e) => e.source === 'trainer' && e.text === 'Event added by the trainer: Sudden desaturation')).toBe(true);
    console.log(`debrief: SpO2 alarm at scenario ${(a.raisedMs / 1000).toFixed(0)} s, acknowledged after ${a.timeToAckS} s, rate lowered after ${byId.lower_rate!.responseS} s; score ${d.score.points}/${d.score.max}`);

    // Exports: PDF (pdftotext) and CSV, marked on every page and row, audited.
    const dir = mkdtempSync(join(tmpdir(), 'debrief-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const pdf = await download(coach, `/api/training/runs/${run.id}/debrief/export?format=pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.disposition).toMatch(/attachment; filename="debrief_desaturation_kim_\d{4}-\d{2}-\d{2}_SIMULATED-TRAINING\.pdf"/);
    writeFileSync(join(dir, 'd.pdf'), pdf.body);
    const pages = execFileSync('pdftotext', ['-layout', join(dir, 'd.pdf'), '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim() !== '');
    expect(pages.length).toBeGreaterThanOrEqual(1);
    for (const p of pages) expect(p.split('SIMULATED — TRAINING RUN, not a patient record').length - 1).toBe(2);
    pages.forEach((p, i) => expect(p, `page ${i + 1}`).toMatch(new RegExp(`Page ${i + 1} of ${pages.length}[\\s\\S]*Training run ${run.id}`)));
    const text = pages.join('\n').replace(/\s+/g, ' ');
    expect(text).toContain('Acknowledge the SpO2 alarm within 30 s');
    expect(text).toContain('60 of 60 points (100 %)');
    expect(text).toContain('Kim Display');
    expect(text).not.toMatch(/spo2\.low\.high|user:/);
    const csv = await download(trainee, `/api/training/runs/${run.id}/debrief/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const rows = parse(csv.body.toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.simulated === 'SIMULATED TRAINING')).toBe(true);
    expect(rows.find((r) => r.section === 'expected action' && r.what === 'Acknowledge the SpO2 alarm within 30 s')).toMatchObject({ outcome: 'Met', 'response (s)': String(a.timeToAckS), 'deadline (s)': '30', points: '20' });
    expect(TRAINING_MARK).toBe('SIMULATED — TRAINING RUN, not a patient record');
    expect((await api(trainee, 'GET', `/api/training/runs/${run.id}/debrief/export?format=fhir`)).status).toBe(400);

    // Progress: the ended run's kept score, to the trainee and the unit's trainer.
    const kept = await db().selectFrom('training_scores').select(['points', 'max', 'percent', 'median_ack_s']).where('run_id', '=', run.id).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ points: 60, max: 60, percent: 100 });
    for (const who of [trainee, coach]) {
      const p = await api<TraineeProgress>(who, 'GET', '/api/training/trainees/kim/progress');
      expect(p.status).toBe(200);
      expect(p.body.data.trainee).toBe('kim');
      expect(p.body.data.runs).toEqual([expect.objectContaining({ runId: run.id, scenario: 'desaturation', points: 60, max: 60, percent: 100, missed: 0, violated: 0, medianAckS: kept.median_ack_s })]);
    }

    // Nobody else: another trainee, a trainer of another unit (404); an admin has no training role (403).
    for (const who of [other, otherCoach]) {
      expect((await api(who, 'GET', `/api/training/runs/${run.id}/debrief`)).status).toBe(404);
      expect((await download(who, `/api/training/runs/${run.id}/debrief/export?format=pdf`)).status).toBe(404);
      expect((await api(who, 'GET', '/api/training/trainees/kim/progress')).status).toBe(404);
    }
    expect((await api(s.admin, 'GET', `/api/training/runs/${run.id}/debrief`)).status).toBe(403);
    expect((await api(trainee, 'GET', '/api/training/trainees/lee/progress')).status).toBe(404);
    const audit = await db().selectFrom('audit_log').select(['action', 'actor']).where((eb) => eb.or([eb('action', 'like', 'training.debrief.%'), eb('action', '=', 'training.progress.read')])).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'training.debrief.read', actor: 'user:kim' },
      { action: 'training.debrief.read', actor: 'user:kim' },
      { action: 'training.debrief.export', actor: 'user:coach' },
      { action: 'training.debrief.export', actor: 'user:kim' },
      { action: 'training.progress.read', actor: 'user:kim' },
      { action: 'training.progress.read', actor: 'user:coach' },
    ]);

    // A run from before clock histories were kept: its clocks come from its audited state changes, same debrief.
    await db().deleteFrom('training_run_clocks').where('run_id', '=', run.id).execute();
    const again = (await api<TrainingDebrief>(coach, 'GET', `/api/training/runs/${run.id}/debrief`)).body.data;
    expect({ ...again, generatedAt: 0 }).toEqual({ ...d, generatedAt: 0 });
    // The pdf of the debrief, rendered to look at.
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', join(dir, 'd.pdf'), join(SCREENSHOTS, 'training-debrief-pdf')]);
  }, 90_000);
});
