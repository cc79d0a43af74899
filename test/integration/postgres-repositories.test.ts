import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../server/src/persistence/pgStore';
import { recordingRepo } from '../../server/src/persistence/recordingRepo';
import { createRepositories } from '../../server/src/persistence/repositories';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { freshDatabase } from '../support/postgres';

/**
 * The repositories are written once for both stores. Each scenario here runs on SQLite and on
 * PostgreSQL from the same empty schema and must give the same answers: the row types (numbers,
 * flags, JSON text, nulls), the orderings and the filters read the same on both.
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const UNIT = 'infusion-suite';

async function seed(store: Store): Promise<void> {
  const { db } = store;
  const session = (id: string, unit: string, simulated: number, created: number, ended: number | null) => ({
    id,
    patient_label: `P ${id}`,
    weight_kg: 70.5,
    age_years: 44,
    setting: 'clinic',
    indication: 'x',
    supervising_physician: 'd',
    nurse: 'n',
    location: `Chair ${id}`,
    unit,
    simulated,
    status: ended === null ? ('active' as const) : ('ended' as const),
    created_at: created,
    ended_at: ended,
    rule_set_id: 'default',
    rule_set_version: 1,
  });
  await db
    .insertInto('sessions')
    .values([session('s1', UNIT, 0, T0, T0 + 3_600_000), session('s2', UNIT, 1, T0 + 60_000, null), session('s3', 'other-unit', 0, T0, null), session('s4', UNIT, 0, T0 - 7_200_000, T0 - 3_600_000)])
    .execute();
  const alarm = (id: number, sessionId: string, at: number, priority: string) => ({
    id,
    session_id: sessionId,
    rule_id: `rule-${id}`,
    rule_set_version: 1,
    priority,
    kind: 'threshold',
    state: 'resolved',
    condition_active: 0,
    started_at: at,
    resolved_at: at + 60_000,
    simulated: sessionId === 's2' ? 1 : 0,
    body: JSON.stringify({ id, title: `Alarm ${id} — SpO₂ < 90 %`, sessionId }),
  });
  await db
    .insertInto('alarms')
    .values([alarm(1, 's1', T0 + 1000, 'high'), alarm(2, 's1', T0 + 2000, 'medium'), alarm(3, 's2', T0 + 3000, 'low'), alarm(4, 's3', T0 + 4000, 'high')])
    .execute();
  const ev = (id: number, alarmId: number, transition: string, at: number, actor: string | null) => ({ id, alarm_id: alarmId, session_id: 's1', transition, at, actor, simulated: 0, alarm: '{}' });
  await db
    .insertInto('alarm_events')
    .values([ev(1, 1, 'raised', T0 + 1000, null), ev(2, 1, 'acknowledged', T0 + 9000, 'user:3'), ev(3, 1, 'resolved', T0 + 61_000, 'user:4'), ev(4, 2, 'raised', T0 + 2000, null), ev(5, 2, 'resolved', T0 + 5000, 'system')])
    .execute();
  // One escalation per alarm and level (migration 13): each its own alarm.
  const esc = (id: number, level: number, state: string, sessionId: string, simulated: number) => ({ id, alarm_id: id, session_id: sessionId, unit: UNIT, state, level, opened_at: T0 + id * 1000, next_level_at: null, simulated, body: '{}' });
  await db
    .insertInto('escalations')
    .values([esc(1, 1, 'open', 's1', 0), esc(2, 2, 'acknowledged', 's1', 0), esc(3, 2, 'open', 's2', 1)])
    .execute();
  const g = (at: number, outcome: string, value: number, reason: string | null) => ({
    session_id: 's1',
    unit: UNIT,
    simulated: 0,
    at,
    by: 'user:2',
    action: 'rate_change',
    outcome,
    limit_id: 'rate.max',
    label: 'Rate above the order',
    level: 'soft',
    value,
    lim: 1,
    unit_of_measure: 'mg/kg/h',
    reason,
  });
  await db
    .insertInto('guardrail_events')
    .values([g(T0 + 100, 'alerted', 1.25, null), g(T0 + 100, 'overridden', 1.5, 'physician agreed'), g(T0 + 50, 'refused', 2.75, null)])
    .execute();
}

/** Everything the scenarios read back, to compare between the stores. */
async function scenario(store: Store): Promise<Record<string, unknown>> {
  await seed(store);
  const r = createRepositories(store);
  const out: Record<string, unknown> = {};
  const period = { unit: UNIT, from: T0 - 1000, to: T0 + 86_400_000, includeSimulated: false };
  out.sessionsOverlapping = await r.reports.sessionsOverlapping(period, T0 + 7_200_000);
  out.sessionsOverlappingSim = await r.reports.sessionsOverlapping({ ...period, includeSimulated: true }, T0 + 7_200_000);
  out.alarmsStarted = (await r.reports.alarmsStarted(period)).sort((a, b) => a.id - b.id);
  out.alarmsStartedSim = (await r.reports.alarmsStarted({ ...period, includeSimulated: true })).sort((a, b) => a.id - b.id);
  out.escalationCounts = await r.reports.escalationCounts(period);
  out.escalationCountsSim = await r.reports.escalationCounts({ ...period, includeSimulated: true });
  out.guardrailEvents = await r.reports.guardrailEvents(period);

  // Login sessions: a user row first (the foreign key).
  await store.db.insertInto('users').values({ id: 7, username: 'Nurse.Kim', display_name: 'Kim', role: 'nurse', units: JSON.stringify([UNIT]), password_hash: 'h', created_at: T0 }).execute();
  await r.loginSessions.insert('hash-a', 7, 'csrf-a', T0, T0 + 8 * 3_600_000);
  await r.loginSessions.insert('hash-b', 7, 'csrf-b', T0, T0 + 60_000);
  await r.loginSessions.touch('hash-a', T0 + 30_000);
  out.loginA = await r.loginSessions.get('hash-a');
  out.loginMissing = await r.loginSessions.get('nope');
  await r.loginSessions.purge(T0 + 120_000, T0 + 10_000);
  out.afterPurge = [await r.loginSessions.get('hash-a'), await r.loginSessions.get('hash-b')];
  await r.loginSessions.deleteForUser(7);
  out.afterDelete = await r.loginSessions.get('hash-a');

  // The webhook outbox: due rows claimed once, in id order; a sent row is not due again.
  const notify = (target: string, at: number) => ({ escalation_id: 1, level: 1, channel: 'webhook', target, payload: '{"a":1}', status: 'pending', next_attempt_at: at, created_at: T0 });
  await store.db.insertInto('notifications').values([notify('http://p/1', T0), notify('http://p/2', T0 + 10), notify('http://p/3', T0 + 999_999)]).execute();
  out.claimed = await r.outbox.claimDue('node-a', T0 + 100, T0 + 30_100, 10);
  out.claimedAgain = await r.outbox.claimDue('node-b', T0 + 200, T0 + 30_200, 10);
  const first = (out.claimed as { id: number }[])[0]!.id;
  await r.outbox.markSent(first, T0 + 300);
  await r.outbox.markRetry((out.claimed as { id: number }[])[1]!.id, 'pending', T0 + 400, 'HTTP 503');
  out.dueAfter = await r.outbox.due(T0 + 500, 10);

  // Physician responses: ids from the database, stored with their audit entry in one transaction.
  const respond = (text: string, at: number) =>
    r.responses.insert({ sessionId: 's1', escalationId: 1, text, at, by: 'physician', byName: 'Dr Ämber' }, false, (x) => ({
      at: x.at,
      actor: 'user:2',
      action: 'response.create',
      entity: 'session',
      entityId: x.sessionId,
      after: { id: x.id, text: x.text },
    }));
  out.responsesStored = [await respond('Reduce to 0.5 mg/kg/h — call me if SpO₂ < 92 %', T0 + 500), await respond('Stop the infusion', T0 + 400)];
  out.responses = await r.responses.list('s1');
  out.latestResponse = await r.responses.latest('s1');
  out.noResponse = await r.responses.latest('s3');
  await r.responses.insert({ sessionId: 's2', escalationId: null, text: 'Continue', at: T0 + 450, by: 'physician', byName: 'Dr B' }, true, (x) => ({ at: x.at, actor: 'user:2', action: 'response.create', entity: 'session', entityId: x.sessionId }));
  out.latestOf = (await r.responses.latestOf(['s1', 's2', 's3'])).sort((a, b) => a.sessionId.localeCompare(b.sessionId));
  out.latestOfNone = await r.responses.latestOf([]);
  // A logged session as replay reads it: vitals with gaps (nulls), events, scores, rescue doses.
  const { db } = store;
  await db.updateTable('sessions').set({ patient_ref: 'MRN-1', baseline: JSON.stringify({ hr: 72 }), height_cm: 172.5, sex: 'female' }).where('id', 'in', ['s1', 's4']).execute();
  await db.insertInto('rule_set_versions').values({ rule_set_id: 'default', version: 1, body: '{"id":"default","version":1}', created_at: T0, created_by: 'system:shipped' }).execute();
  await db.insertInto('formulary_versions').values([{ version: 1, body: '{"v":1}', created_at: T0, created_by: 'a' }, { version: 2, body: '{"v":2}', created_at: T0 + 1, created_by: 'a' }]).execute();
  await db
    .insertInto('vitals')
    .values([
      { session_id: 's1', device_id: 1, seq: 2, t: T0 + 2000, hr: 80.5, sbp: null, dbp: null, map: null, spo2: 97, etco2: 38.2, rr: 14, received_at: T0 + 2001, simulated: 0 },
      { session_id: 's1', device_id: 1, seq: 1, t: T0 + 1000, hr: 79, sbp: 120, dbp: 80, map: 93.3, spo2: null, etco2: null, rr: null, received_at: T0 + 1001, simulated: 0 },
    ])
    .execute();
  await db.insertInto('infusion_events').values({ session_id: 's1', type: 'start', t: T0 + 500, rate_mg_kg_h: 0.5, dose_mg: null, note: null, by: 'user:1', simulated: 0, override: null }).execute();
  await db.insertInto('observations').values({ session_id: 's1', scale: 'RASS', score: -1, t: T0 + 900, note: 'drowsy', by: 'user:1', simulated: 0 }).execute();
  await db.insertInto('rescue_doses').values({ session_id: 's1', alarm_id: 1, drug_id: 'midazolam', drug: 'Midazolam', dose_mg: 1, route: 'iv', t: T0 + 1500, note: null, by: 'user:1', simulated: 0, override: null, dose_note: null }).execute();
  out.recording = await recordingRepo(store).load('s1', 365 * 86_400_000);
  out.noRecording = await recordingRepo(store).load('nope', 1);

  // HL7 message log: a resend of a logged message keeps the first answer.
  await store.transaction(async (trx) => {
    await r.hl7Messages.insert(trx, 1, 'MSG-1', 's1', { digest: 'd1', code: 'AA', text: 'stored 3 observations' }, T0);
    await r.hl7Messages.insert(trx, 1, 'MSG-1', 's1', { digest: 'd2', code: 'AE', text: 'other' }, T0 + 1);
  });
  out.hl7 = [await r.hl7Messages.get(1, 'MSG-1'), await r.hl7Messages.get(2, 'MSG-1')];

  out.audit = await store.db.selectFrom('audit_log').select(['at', 'actor', 'action', 'entity_id', 'before', 'after']).orderBy('id').execute();
  return out;
}

describe('repositories on SQLite and PostgreSQL', () => {
  let pg: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  const stores: Store[] = [];
  beforeAll(async () => {
    pg = await freshDatabase();
    dir = mkdtempSync(join(tmpdir(), 'repos-'));
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answer the same on both stores', async () => {
    const lite = openSqliteStore(join(dir, 'infusion.db'), T0);
    const post = await openPostgresStore({ url: pg.url, poolSize: 4 }, T0);
    stores.push(lite, post);
    const expected = await scenario(lite);
    // The scenario reads something on every line: an empty answer everywhere would prove nothing.
    expect(expected.alarmsStarted).toHaveLength(2);
    expect(expected.claimed).toHaveLength(2);
    expect(expected.audit).toHaveLength(3);
    expect(expected.latestOf).toHaveLength(2);
    expect(expected.recording).toMatchObject({ treatmentsInYear: 2, formularyBody: '{"v":2}' });
    expect(await scenario(post)).toEqual(expected);
  });
});
