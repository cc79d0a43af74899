import { defaultFormulary, defaultRuleSet, type Alarm, type IngestResult, type Result, type Session, type SessionDetail, type Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { silentLogger, TrainingHost } from '@infusion/simulator';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, demoSession, device, login, passingChecklist, prepareStart, startServer, anOrder, writeOrder, TEST_PASSWORD, waitFor, type Caller, type TestServer } from '../support/server';

/**
 * Every HTTP route and socket event, tried by every role and by nobody. A refusal must have the
 * right status and change nothing in the database; an allowed call must succeed.
 *
 * The server runs on a manual clock that never moves, so no tick (no-data, observation-due, re-arm,
 * escalation) can change the database between the two fingerprints of a refused call: whatever
 * changed, the call did.
 */
type Who = 'anonymous' | 'nurse' | 'physician' | 'trainer' | 'admin';
const WHO: Who[] = ['anonymous', 'nurse', 'physician', 'trainer', 'admin'];

interface Targets {
  real: Session;
  /** A real session whose checklist failed (consent missing), not started. */
  fresh: Session;
  sim: Session;
  /** A simulated session not started. */
  simIdle: Session;
  /** A real session in recovery (started and stopped), made only for the discharge cases. */
  recovering?: Session;
  userId: number;
  deviceId: number;
}
interface Case {
  route: string;
  path: (t: Targets) => string;
  body?: (t: Targets) => unknown;
  allowed: Who[];
  /** Status for a logged-in role that is refused (default 403). */
  refusedAs?: Partial<Record<Who, number>>;
}

const clock = new ManualClock(Date.now());
let patientCount = 0;
const frame = (sessionId: string, seq: number) => ({ sessionId, seq, t: clock.now(), hr: 170 });

const DISCHARGE = {
  aldrete: { activity: 2, respiration: 2, consciousness: 2 },
  onSupplementalOxygen: false,
  finalSedation: { scale: 'RASS', score: 0 },
  finalPain: 2,
  mentalStatusAtBaseline: true,
  escortPresent: true,
  noDrivingAgreed: true,
};

const CASES: Case[] = [
  { route: 'GET /api/health', path: () => '/api/health', allowed: WHO },
  { route: 'GET /api/auth/me', path: () => '/api/auth/me', allowed: ['nurse', 'physician', 'trainer', 'admin'] },
  { route: 'GET /api/sessions', path: () => '/api/sessions', allowed: ['nurse', 'physician', 'trainer'] },
  // Training runs: creating and driving them is the trainer's (403 for others: test/integration/training.test.ts); reading, own runs.
  { route: 'GET /api/training/runs', path: () => '/api/training/runs', allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'GET /api/training/scenarios', path: () => '/api/training/scenarios', allowed: ['trainer'] },
  // The test trainer has no training unit: refused like every other role here (a unit's trainer: training-trainees.test.ts).
  { route: 'GET /api/training/trainees', path: () => '/api/training/trainees?unit=training', allowed: [] },
  { route: 'POST /api/training/runs', path: () => '/api/training/runs', body: () => ({ scenario: 'stable', seed: 1, trainee: 'nurse', unit: 'training' }), allowed: [] },
  { route: 'POST /api/sessions (real)', path: () => '/api/sessions', body: () => demoSession(), allowed: ['nurse', 'physician'] },
  { route: 'POST /api/sessions (simulated)', path: () => '/api/sessions', body: () => demoSession({ simulated: true }), allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'GET /api/sessions/:id (real)', path: (t) => `/api/sessions/${t.real.id}`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id (simulated)', path: (t) => `/api/sessions/${t.sim.id}`, allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'POST /api/sessions/:id/infusion rate (real)', path: (t) => `/api/sessions/${t.real.id}/infusion`, body: () => ({ type: 'rate_change', rateMgKgH: 0.75 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/infusion bolus (real)', path: (t) => `/api/sessions/${t.real.id}/infusion`, body: () => ({ type: 'bolus', doseMg: 10 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/order (real)', path: (t) => `/api/sessions/${t.real.id}/order`, body: () => anOrder({ bolusMinIntervalMin: 0 }), allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/order (simulated)', path: (t) => `/api/sessions/${t.sim.id}/order`, body: () => anOrder(), allowed: ['physician', 'trainer'] },
  { route: 'GET /api/sessions/:id/order (real)', path: (t) => `/api/sessions/${t.real.id}/order`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/dose-check (real)', path: (t) => `/api/sessions/${t.real.id}/dose-check`, body: () => ({ type: 'bolus', doseMg: 10 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/infusion rate (simulated)', path: (t) => `/api/sessions/${t.sim.id}/infusion`, body: () => ({ type: 'rate_change', rateMgKgH: 0.75 }), allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'POST /api/sessions/:id/audio-pause (real)', path: (t) => `/api/sessions/${t.real.id}/audio-pause`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  // Ended early (never while an infusion runs): the not-started sessions.
  { route: 'POST /api/sessions/:id/end (real)', path: (t) => `/api/sessions/${t.fresh.id}/end`, body: () => ({ reason: 'patient declined the infusion' }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/end (simulated)', path: (t) => `/api/sessions/${t.simIdle.id}/end`, body: () => ({ reason: 'teaching case finished' }), allowed: ['nurse', 'physician', 'trainer'] },
  // Discharge from recovery: the assessment stores nothing; discharging before the criteria are met (0 min observed) is the physician's.
  { route: 'POST /api/sessions/:id/discharge/assess (real)', path: (t) => `/api/sessions/${t.recovering!.id}/discharge/assess`, body: () => DISCHARGE, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/discharge override (real)', path: (t) => `/api/sessions/${t.recovering!.id}/discharge`, body: () => ({ ...DISCHARGE, override: { reason: 'reviewed, stable at baseline' } }), allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/observations (real)', path: (t) => `/api/sessions/${t.real.id}/observations`, body: () => ({ scale: 'RASS', score: -1 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/responses (real)', path: (t) => `/api/sessions/${t.real.id}/responses`, body: () => ({ text: 'continue, observe' }), allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/responses (simulated)', path: (t) => `/api/sessions/${t.sim.id}/responses`, body: () => ({ text: 'stop' }), allowed: ['physician', 'trainer'] },
  { route: 'GET /api/sessions/:id/responses (real)', path: (t) => `/api/sessions/${t.real.id}/responses`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/observations (real)', path: (t) => `/api/sessions/${t.real.id}/observations`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/checklist (real)', path: (t) => `/api/sessions/${t.real.id}/checklist`, body: () => passingChecklist(), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/checklist (real)', path: (t) => `/api/sessions/${t.real.id}/checklist`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/checklist/override (failed)', path: (t) => `/api/sessions/${t.fresh.id}/checklist/override`, body: () => ({ reason: 'equipment checked by me in person' }), allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/rescue (real)', path: (t) => `/api/sessions/${t.real.id}/rescue`, body: () => ({ drugId: 'midazolam', doseMg: 1 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/rules (real)', path: (t) => `/api/sessions/${t.real.id}/rules`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/limits (real)', path: (t) => `/api/sessions/${t.real.id}/limits`, body: () => ({ overrides: { 'hr.high.high': { limit: 140 } }, reason: 'known tachycardia' }), allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/limits (simulated)', path: (t) => `/api/sessions/${t.sim.id}/limits`, body: () => ({ overrides: { 'hr.high.high': { limit: 140 } }, reason: 'teaching case' }), allowed: ['physician', 'trainer'] },
  { route: 'DELETE /api/sessions/:id/limits (real)', path: (t) => `/api/sessions/${t.real.id}/limits`, allowed: ['physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/export (real)', path: (t) => `/api/sessions/${t.real.id}/export?format=fhir`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/export (simulated)', path: (t) => `/api/sessions/${t.sim.id}/export?format=fhir`, allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'GET /api/formulary', path: () => '/api/formulary', allowed: ['nurse', 'physician', 'trainer', 'admin'] },
  { route: 'PUT /api/formulary', path: () => '/api/formulary', body: () => ({ entries: defaultFormulary.entries }), allowed: ['admin'] },
  { route: 'GET /api/rulesets/current', path: () => '/api/rulesets/current', allowed: ['nurse', 'physician', 'trainer', 'admin'] },
  { route: 'GET /api/rulesets/versions', path: () => '/api/rulesets/versions', allowed: ['nurse', 'physician', 'trainer', 'admin'] },
  { route: 'PUT /api/rulesets/current', path: () => '/api/rulesets/current', body: () => ({ name: defaultRuleSet.name, description: defaultRuleSet.description, rules: defaultRuleSet.rules }), allowed: ['admin'] },
  { route: 'GET /api/reports/alarms', path: () => `/api/reports/alarms?unit=infusion-suite&from=0&to=${clock.now()}`, allowed: ['physician', 'admin'] },
  { route: 'GET /api/reports/guardrails', path: () => `/api/reports/guardrails?unit=infusion-suite&from=0&to=${clock.now() + 1}`, allowed: ['physician', 'admin'] },
  { route: 'POST /api/ingest/frames', path: () => '/api/ingest/frames', body: (t) => ({ frames: [frame(t.real.id, 1)] }), allowed: [], refusedAs: { nurse: 401, physician: 401, trainer: 401, admin: 401 } },
  { route: 'GET /api/users', path: () => '/api/users', allowed: ['admin'] },
  { route: 'POST /api/users', path: () => '/api/users', body: () => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, displayName: 'New', role: 'nurse', password: TEST_PASSWORD }), allowed: ['admin'] },
  { route: 'PATCH /api/users/:id', path: (t) => `/api/users/${t.userId}`, body: () => ({ role: 'physician' }), allowed: ['admin'] },
  { route: 'GET /api/patients', path: () => '/api/patients', allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'POST /api/patients (real)', path: () => '/api/patients', body: () => ({ sitePatientId: `AZ-${++patientCount}`, yearOfBirth: 1970 }), allowed: ['nurse', 'physician'] },
  { route: 'POST /api/patients (simulated)', path: () => '/api/patients', body: () => ({ sitePatientId: `AZ-SIM-${++patientCount}`, yearOfBirth: 1970, simulated: true }), allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'GET /api/patients/:id (real)', path: (t) => `/api/patients/${t.real.patientId}`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/patients/:id (simulated)', path: (t) => `/api/patients/${t.sim.patientId}`, allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'PATCH /api/patients/:id (real)', path: (t) => `/api/patients/${t.real.patientId}`, body: () => ({ weightKg: 71, allergies: ['latex'] }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/patients/:id/series (real)', path: (t) => `/api/patients/${t.real.patientId}/series`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/patients/:id/follow-ups (real)', path: (t) => `/api/patients/${t.real.patientId}/follow-ups`, body: () => ({ t: clock.now(), pain: 4 }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/adverse-effects (real)', path: (t) => `/api/sessions/${t.real.id}/adverse-effects`, body: () => ({ type: 'nausea', severity: 'mild' }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'POST /api/sessions/:id/adverse-effects (simulated)', path: (t) => `/api/sessions/${t.sim.id}/adverse-effects`, body: () => ({ type: 'headache', severity: 'mild' }), allowed: ['nurse', 'physician', 'trainer'] },
  { route: 'GET /api/sessions/:id/adverse-effects (real)', path: (t) => `/api/sessions/${t.real.id}/adverse-effects`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'PUT /api/sessions/:id/response (real)', path: (t) => `/api/sessions/${t.real.id}/response`, body: () => ({ satisfaction: 'satisfied' }), allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/sessions/:id/series (real)', path: (t) => `/api/sessions/${t.real.id}/series`, allowed: ['nurse', 'physician'], refusedAs: { trainer: 404 } },
  { route: 'GET /api/devices', path: () => '/api/devices', allowed: ['admin'] },
  { route: 'POST /api/devices', path: () => '/api/devices', body: () => ({ name: 'pump bay 2' }), allowed: ['admin'] },
  { route: 'POST /api/devices/:id/revoke', path: (t) => `/api/devices/${t.deviceId}/revoke`, allowed: ['admin'] },
  { route: 'GET /api/audit', path: () => '/api/audit', allowed: ['admin'] },
  { route: 'GET /api/audit/export', path: () => '/api/audit/export?format=json', allowed: ['admin'] },
];

let s: TestServer;
let callers: Record<Who, Caller>;

/** Everything a refused call must leave as it was (the audit log and login sessions aside). */
async function fingerprint(): Promise<string> {
  // Through the server's own store, so the matrix runs on SQLite and on PostgreSQL alike.
  const out: string[] = [];
  for (const text of [
    'SELECT id, status, ended_at FROM sessions ORDER BY id',
    'SELECT COUNT(*) n FROM infusion_events',
    'SELECT COUNT(*) n FROM vitals',
    'SELECT id, state FROM alarms ORDER BY id',
    'SELECT id, role, units, disabled, must_change_password FROM users ORDER BY id',
    'SELECT id, revoked_at, bound_session_id FROM devices ORDER BY id',
    'SELECT COUNT(*) n FROM observations',
    'SELECT COUNT(*) n FROM physician_responses',
    'SELECT session_id, passed, override FROM checklists ORDER BY session_id',
    'SELECT COUNT(*) n FROM rescue_doses',
    'SELECT COUNT(*) n FROM orders',
    'SELECT COUNT(*) n FROM guardrail_events',
    'SELECT COUNT(*) n FROM formulary_versions',
    'SELECT COUNT(*) n FROM rule_set_versions',
    'SELECT COUNT(*) n FROM training_runs',
    'SELECT run_id, points FROM training_scores ORDER BY run_id',
    'SELECT id, limit_overrides FROM sessions ORDER BY id',
    'SELECT id, phase, phase_at FROM sessions ORDER BY id',
    'SELECT COUNT(*) n FROM session_phases',
    'SELECT COUNT(*) n FROM discharges',
    'SELECT id, allergies FROM patients ORDER BY id',
    'SELECT COUNT(*) n FROM patient_measurements',
    'SELECT COUNT(*) n FROM adverse_effects',
    'SELECT session_id, body FROM session_responses ORDER BY session_id',
    'SELECT COUNT(*) n FROM patient_followups',
  ])
    out.push(JSON.stringify((await sql.raw(text).execute(s.app.store.db)).rows));
  return out.join('|');
}

/** What a case's path and body need besides the four sessions every case gets. */
type Extra = 'recovering' | 'user' | 'device';
const extrasOf = (c: Case): Extra[] => [
  ...(c.route.includes('discharge') ? (['recovering'] as const) : []),
  ...(c.route.includes('/api/users/:id') ? (['user'] as const) : []),
  ...(c.route.includes('/api/devices/:id') ? (['device'] as const) : []),
];

async function startedSession(who: Caller, simulated: boolean, order: boolean): Promise<Session> {
  const session = await createSession(who, { simulated });
  if (order) await writeOrder(who, session.id, simulated ? {} : { bolusMinIntervalMin: 0 });
  await prepareStart(s, who, session.id, clock.now());
  await api(who, 'POST', `/api/sessions/${session.id}/infusion`, { type: 'start', rateMgKgH: 0.5 });
  return session;
}

/** Fresh targets; the independent ones are made concurrently (the real device's two sessions one after the other). */
async function targets(extras: Extra[] = []): Promise<Targets> {
  const realSessions = async () => {
    const real = await startedSession(s.physician, false, true);
    if (!extras.includes('recovering')) return { real };
    const recovering = await startedSession(s.physician, false, false);
    await api(s.physician, 'POST', `/api/sessions/${recovering.id}/infusion`, { type: 'stop' });
    return { real, recovering };
  };
  const failedChecklist = async () => {
    const fresh = await createSession(s.nurse);
    await api(s.nurse, 'PUT', `/api/sessions/${fresh.id}/checklist`, { ...passingChecklist(), consentObtained: false });
    return fresh;
  };
  const [reals, sim, simIdle, fresh, userId, deviceId] = await Promise.all([
    realSessions(),
    startedSession(s.trainer, true, true),
    createSession(s.trainer, { simulated: true }),
    failedChecklist(),
    // A user (an argon2 hash) and a device only for the routes that change them.
    extras.includes('user')
      ? api<{ id: number }>(s.admin, 'POST', '/api/users', { username: `t${Math.random().toString(36).slice(2, 10)}`, displayName: 'Target', role: 'nurse', password: TEST_PASSWORD }).then((r) => r.body.data.id)
      : -1,
    extras.includes('device') ? api<{ device: { id: number } }>(s.admin, 'POST', '/api/devices', { name: 'target device' }).then((r) => r.body.data.device.id) : -1,
  ]);
  return { ...reals, fresh, sim, simIdle, userId, deviceId };
}

/**
 * The targets of one route, shared by the callers it refuses and, for a read (GET), by all: a refusal
 * changes nothing (each test asserts it) and a read changes no target, so each caller meets the
 * targets as made. An allowed write may change them (ends a session, revokes a device), so each
 * caller it allows gets targets of its own.
 */
const sharedTargets = new Map<string, Promise<Targets>>();
function targetsFor(c: Case, allowed: boolean): Promise<Targets> {
  if (allowed && !c.route.startsWith('GET ')) return targets(extrasOf(c));
  let t = sharedTargets.get(c.route);
  if (!t) sharedTargets.set(c.route, (t = targets(extrasOf(c))));
  return t;
}

beforeAll(async () => {
  s = await startServer({ clock });
  callers = { anonymous: { url: s.url, headers: {} }, nurse: s.nurse, physician: s.physician, trainer: s.trainer, admin: s.admin };
});
afterAll(() => s.close());

describe('HTTP authorization matrix', () => {
  for (const c of CASES) {
    for (const who of WHO) {
      const allowed = c.allowed.includes(who);
      it(`${c.route} as ${who}: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const t = await targetsFor(c, allowed);
        const [method, ...rest] = c.route.split(' ');
        void rest;
        const before = await fingerprint();
        const res = await api(callers[who], method!, c.path(t), c.body?.(t));
        if (allowed) {
          expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
        } else {
          const expected = who === 'anonymous' ? 401 : (c.refusedAs?.[who] ?? 403);
          expect(res.status, JSON.stringify(res.body)).toBe(expected);
          expect(res.body.ok).toBe(false);
          expect(await fingerprint()).toBe(before);
        }
      });
    }
  }
});

describe('Socket.IO authorization matrix', () => {
  it.each(['anonymous', 'admin'] as const)('refuses a dashboard socket for %s', async (who) => {
    const sock = dashboard(callers[who]);
    await expect(connected(sock)).rejects.toThrow(who === 'admin' ? /role admin has no dashboard/ : /not logged in/);
    sock.close();
  });

  it.each(['nurse', 'physician', 'trainer'] as const)('%s: subscribe, session:detail and alarm:acknowledge within scope only', async (who) => {
    const t = await targets();
    // Real sessions are fed by the real device, simulated ones by the simulator.
    for (const [sessionId, deviceKey] of [[t.real.id, s.deviceKey], [t.sim.id, s.simDeviceKey]] as const) {
      const dev = device({ url: s.url, deviceKey });
      await connected(dev);
      const r = (await dev.emitWithAck('frames', [frame(sessionId, 1)])) as Result<IngestResult>;
      expect(r.ok && r.data.accepted).toEqual([1]);
      dev.close();
    }

    const sock = dashboard(callers[who]);
    await connected(sock);
    const snap = (await sock.emitWithAck('subscribe', {})) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    const seesReal = who !== 'trainer';
    expect(snap.data.sessions.some((x) => x.id === t.real.id)).toBe(seesReal);
    expect(snap.data.sessions.some((x) => x.id === t.sim.id)).toBe(true);
    expect(snap.data.alarms.some((a) => a.sessionId === t.real.id)).toBe(seesReal);
    if (who === 'trainer') expect(snap.data.sessions.every((x) => x.simulated)).toBe(true);

    const detailReal = (await sock.emitWithAck('session:detail', { sessionId: t.real.id })) as Result<SessionDetail>;
    expect(detailReal.ok).toBe(seesReal);
    if (!seesReal) expect(detailReal).toMatchObject({ ok: false, error: `session ${t.real.id} not found` });
    expect(((await sock.emitWithAck('session:detail', { sessionId: t.sim.id })) as Result<SessionDetail>).ok).toBe(true);

    const realAlarm = (await api<{ alarms: Alarm[] }>(s.physician, 'GET', `/api/sessions/${t.real.id}`)).body.data.alarms[0]!;
    const before = await fingerprint();
    const ackReal = (await sock.emitWithAck('alarm:acknowledge', { alarmId: realAlarm.id })) as Result<Alarm>;
    if (seesReal) expect(ackReal.ok && ackReal.data.acknowledgedBy).toBe(`user:${who}`);
    else {
      expect(ackReal).toEqual({ ok: false, error: `alarm ${realAlarm.id} not found` });
      expect(await fingerprint()).toBe(before);
    }
    sock.close();
  });
});

describe('unit scoping', () => {
  it('a nurse assigned to another unit sees none of this unit\'s sessions, alarms or live data', async () => {
    await api(s.admin, 'POST', '/api/users', { username: 'nurse-b', displayName: 'Ward B nurse', role: 'nurse', units: ['ward-b'], password: TEST_PASSWORD, mustChangePassword: false });
    const nurseB = await login(s.url, 'nurse-b');
    const here = await createSession(s.nurse);
    const forbidden = await api(nurseB, 'POST', '/api/sessions', demoSession());
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toBe('not assigned to unit infusion-suite');
    const theirs = await createSession(nurseB, { unit: 'ward-b' });

    expect((await api<Session[]>(nurseB, 'GET', '/api/sessions')).body.data.map((x) => x.id)).toEqual([theirs.id]);
    expect((await api(nurseB, 'GET', `/api/sessions/${here.id}`)).status).toBe(404);
    expect((await api(nurseB, 'POST', `/api/sessions/${here.id}/end`)).status).toBe(404);

    const sock = dashboard(nurseB);
    await connected(sock);
    await sock.emitWithAck('subscribe', {});
    const seen: string[] = [];
    sock.on('alarm', (u) => seen.push(u.alarm.sessionId));
    sock.on('vitals', (b) => seen.push(...b.map((x) => x.sessionId)));
    sock.on('session', (x) => seen.push(x.id));
    sock.on('observation', (o) => seen.push(o.sessionId));
    // Barriers, each ordered after what nurse-b must not get: the live push and the alarms of one
    // ingest carry both sessions, and nurse-b's own observation is emitted after the nurse's.
    const theirVitals = waitFor<{ sessionId: string }[]>(sock, 'vitals', (b) => b.some((x) => x.sessionId === theirs.id));
    const theirAlarm = waitFor<{ alarm: { sessionId: string } }>(sock, 'alarm', (u) => u.alarm.sessionId === theirs.id);
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [frame(here.id, 1), frame(theirs.id, 1)]);
    await Promise.all([theirVitals, theirAlarm]);
    await api(s.nurse, 'POST', `/api/sessions/${here.id}/observations`, { scale: 'RASS', score: 0 });
    const theirObservation = waitFor<{ sessionId: string }>(sock, 'observation', (o) => o.sessionId === theirs.id);
    expect((await api(nurseB, 'POST', `/api/sessions/${theirs.id}/observations`, { scale: 'RASS', score: 0 })).status).toBe(201);
    await theirObservation;
    dev.close();
    sock.close();
    expect(seen).toContain(theirs.id);
    expect(seen).not.toContain(here.id);
  });
});

describe('training debrief routes', () => {
  // A run of the training unit: its trainee and the unit's trainer read its debrief and the trainee's
  // progress; the matrix's clinicians and trainer (another unit) get 404, an admin 403, nobody 401.
  type DebriefWho = Who | 'trainee' | 'coach';
  let runId = '';
  const extra: Partial<Record<DebriefWho, Caller>> = {};
  beforeAll(async () => {
    for (const [username, role] of [['dbf-trainee', 'nurse'], ['dbf-coach', 'trainer']] as const) {
      await s.app.users.create({ username, displayName: username, role, units: ['training'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    }
    extra.trainee = await login(s.url, 'dbf-trainee');
    extra.coach = await login(s.url, 'dbf-coach');
    const host = new TrainingHost({ url: s.url, deviceKey: s.simDeviceKey, log: silentLogger });
    try {
      for (let i = 0; ; i++) {
        const r = await api<{ name: string }[]>(extra.coach, 'GET', '/api/training/scenarios');
        if (r.body.data.some((x) => x.name === 'stable')) break;
        if (i > 400) throw new Error('no training host');
        await new Promise((res) => setTimeout(res, 25));
      }
      const run = await api<{ id: string }>(extra.coach, 'POST', '/api/training/runs', { scenario: 'stable', seed: 1, trainee: 'dbf-trainee', unit: 'training' });
      runId = run.body.data.id;
      expect((await api(extra.coach, 'POST', `/api/training/runs/${runId}/end`)).status).toBe(200);
    } finally {
      host.close();
    }
  });
  const ROUTES = [
    { route: 'GET /api/training/runs/:id/debrief', path: () => `/api/training/runs/${runId}/debrief` },
    { route: 'GET /api/training/runs/:id/debrief/export (pdf)', path: () => `/api/training/runs/${runId}/debrief/export?format=pdf` },
    { route: 'GET /api/training/runs/:id/debrief/export (csv)', path: () => `/api/training/runs/${runId}/debrief/export?format=csv` },
    { route: 'GET /api/training/trainees/:username/progress', path: () => '/api/training/trainees/dbf-trainee/progress' },
  ];
  const EXPECTED: Record<DebriefWho, number> = { anonymous: 401, nurse: 404, physician: 404, trainer: 404, admin: 403, trainee: 200, coach: 200 };
  for (const c of ROUTES) {
    for (const who of Object.keys(EXPECTED) as DebriefWho[]) {
      it(`${c.route} as ${who}: ${EXPECTED[who]}`, async () => {
        const caller = extra[who] ?? callers[who as Who];
        const audited = async () => Number((await sql.raw<{ n: number }>(`SELECT COUNT(*) n FROM audit_log WHERE action LIKE 'training.%.%'`).execute(s.app.store.db)).rows[0]!.n);
        const [before, auditBefore] = [await fingerprint(), await audited()];
        const res = await fetch(caller.url + c.path(), { headers: caller.headers });
        expect(res.status).toBe(EXPECTED[who]);
        // Every read is audited; a refused one changes nothing and is not.
        expect(await audited()).toBe(auditBefore + (res.status === 200 ? 1 : 0));
        expect(await fingerprint()).toBe(before);
      });
    }
  }
});
