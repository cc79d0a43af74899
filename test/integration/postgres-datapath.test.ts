import { defaultRuleSet, type Alarm, type AlarmUpdate } from '@infusion/shared';
import { highAlarm } from '@infusion/shared/testkit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRepo } from '../../server/src/persistence/auditRepo';
import { AlarmManager } from '../../server/src/alarms/alarmManager';
import { AlarmRepo } from '../../server/src/persistence/alarmRepo';
import { ObservationRepo } from '../../server/src/persistence/observationRepo';
import { openPostgresStore, probePostgres, type PgStore } from '../../server/src/persistence/pgStore';
import { SessionRepo, type StoredSession } from '../../server/src/persistence/sessionRepo';
import { StorageHealth } from '../../server/src/persistence/storageHealth';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { VitalsRepo } from '../../server/src/persistence/vitalsRepo';
import { WriteQueue } from '../../server/src/persistence/writeQueue';
import { ManualClock } from '../../server/src/util/clock';
import { Hub } from '../../server/src/util/hub';
import { SessionService } from '../../server/src/sessions/sessionService';
import { freshDatabase } from '../support/postgres';
import { demoSession } from '../support/server';

/**
 * The data path's repositories (sessions, infusion events, vitals, trends, observations, alarms)
 * on PostgreSQL, each scenario also run on SQLite and compared: what a screen, the rules or a
 * restart read back must be the same whichever store holds it.
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const log = pino({ level: 'silent' });

const session = (id: string, over: Partial<StoredSession> = {}): StoredSession => ({
  id,
  patientLabel: `P ${id}`,
  weightKg: 72.5,
  heightCm: 180,
  sex: 'female',
  ageYears: 44,
  setting: 'clinic',
  indication: 'CRPS — ketamine course',
  supervisingPhysician: 'Dr Ämber',
  nurse: 'RN Kim',
  location: `Chair ${id}`,
  unit: 'infusion-suite',
  simulated: false,
  status: 'active',
  phase: 'pre_infusion',
  phaseSince: T0,
  createdAt: T0,
  endedAt: null,
  ruleSetId: 'default',
  ruleSetVersion: 1,
  patientRef: 'MRN-1',
  patientId: null,
  profile: 'standard',
  baseline: null,
  limitOverrides: null,
  ...over,
});

const vitalsRow = (sessionId: string, seq: number, t: number, v: { hr?: number | null; spo2?: number | null; sbp?: number | null }, deviceId = 1) => ({
  session_id: sessionId,
  device_id: deviceId,
  seq,
  t,
  hr: v.hr ?? null,
  sbp: v.sbp ?? null,
  dbp: v.sbp ? 70 : null,
  map: v.sbp ? 88.3 : null,
  spo2: v.spo2 ?? null,
  etco2: 37,
  rr: 14,
  received_at: t + 40,
  simulated: 0,
});

/** Writes through the repositories as the server does and reads back everything the server reads. */
async function scenario(store: Store): Promise<Record<string, unknown>> {
  const sessions = new SessionRepo(store);
  const vitals = new VitalsRepo(store);
  const observations = new ObservationRepo(store);
  const out: Record<string, unknown> = {};

  await sessions.insert(session('s1'), 'user:nurse');
  await sessions.insert(session('s2', { simulated: true, createdAt: T0 + 1000, patientRef: null, profile: 'elderly_comorbid', heightCm: null, sex: null }), 'user:nurse');
  await sessions.insert(session('s0', { createdAt: T0 - 30 * 86_400_000 }), 'user:nurse');
  await sessions.end('s0', T0 - 29 * 86_400_000);
  // A first start: baseline and start event in one transaction.
  const start = await sessions.transaction(async (trx) => {
    await sessions.setBaseline('s1', { hr: 71.5, spo2: 97 }, trx);
    return sessions.insertEvent({ sessionId: 's1', type: 'start', t: T0 + 60_000, rateMgKgH: 0.5, doseMg: null, note: null, by: 'user:nurse', override: null }, false, trx);
  });
  const bolus = await sessions.insertEvent(
    { sessionId: 's1', type: 'bolus', t: T0 + 120_000, rateMgKgH: null, doseMg: 7.25, note: 'pain 8/10', by: 'user:physician', override: { reason: 'agreed', by: 'user:physician', limits: [] } },
    false,
  );
  out.eventIds = [start.id, bolus.id];
  await sessions.setOverrides('s1', { overrides: { 'spo2.low.high': { threshold: 86 } }, reason: 'COPD, usual 88 %', by: 'user:physician', at: T0 + 5 });
  out.s1 = await sessions.get('s1');
  out.missing = await sessions.get('nope');
  out.active = (await sessions.listActive()).map((s) => s.id);
  out.events = await sessions.events('s1');
  out.treatments = [await sessions.treatmentsSince('MRN-1', T0 - 365 * 86_400_000, false), await sessions.treatmentsSince('MRN-1', T0 - 365 * 86_400_000, true)];
  out.endTwice = [await sessions.end('s2', T0 + 9_000), await sessions.end('s2', T0 + 10_000)];
  out.s2 = await sessions.get('s2');

  // 600 frames at 1 Hz, with a 20 s SpO2 dip, written through the write-queue insert in one transaction.
  await store.transaction(async (trx) => {
    for (let i = 0; i < 600; i++) await vitals.insert(trx, vitalsRow('s1', i + 1, T0 + i * 1000, { hr: 70 + (i % 7), spo2: i >= 300 && i < 320 ? 85 : 97.5, sbp: i % 60 === 0 ? 120 + i / 60 : null }));
    await vitals.insert(trx, vitalsRow('s1', 1, T0 + 700_000, { hr: 99 }, 2));
  });
  out.raw = await vitals.window('s1', T0, T0 + 9_000, 100);
  // 600 rows into at most 60 points: 10 s buckets with mean, min and max.
  out.buckets = await vitals.window('s1', T0, T0 + 599_999, 60);
  out.latest = await vitals.latest('s1', 2);
  out.recent = await vitals.recentFrames('s1', 1, 3);
  out.lastFrame = await vitals.lastFrame('s1');
  out.lastNibp = await vitals.lastNibpAt('s1');
  out.noNibp = await vitals.lastNibpAt('s2');
  out.frameAt = [await vitals.frameAt('s1', 1, 301), await vitals.frameAt('s1', 2, 301)];
  out.after = await vitals.framesAfter('s1', T0 + 597_000, 5);

  await observations.insert({ sessionId: 's1', scale: 'NRS_PAIN', score: 6, t: T0 + 30_000, note: null, by: 'user:nurse' }, false);
  await observations.insert({ sessionId: 's1', scale: 'RASS', score: -1, t: T0 + 20_000, note: 'drowsy, rousable', by: 'user:nurse' }, false);
  out.observations = await observations.list('s1');
  return out;
}

describe('the data path on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let dir: string;
  const stores: Store[] = [];
  let a: PgStore;
  let b: PgStore;
  beforeAll(async () => {
    db = await freshDatabase();
    dir = mkdtempSync(join(tmpdir(), 'datapath-'));
    // Two server processes: each its own pool to the one database.
    [a, b] = await Promise.all([openPostgresStore({ url: db.url, poolSize: 4 }, T0), openPostgresStore({ url: db.url, poolSize: 4 }, T0)]);
    stores.push(a, b);
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await db?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads back sessions, infusion events, vitals, trend buckets and scores as SQLite does', async () => {
    const lite = openSqliteStore(join(dir, 'infusion.db'), T0);
    stores.push(lite);
    const expected = await scenario(lite);
    const got = await scenario(a);
    expect(got).toEqual(expected);

    // What the scenario must show, whichever store (so an empty answer on both cannot pass).
    const s1 = got.s1 as StoredSession;
    expect(s1).toMatchObject({ weightKg: 72.5, simulated: false, baseline: { hr: 71.5, spo2: 97 }, limitOverrides: { overrides: { 'spo2.low.high': { threshold: 86 } } } });
    expect(got.missing).toBeNull();
    expect(got.active).toEqual(['s1', 's2']);
    expect(got.treatments).toEqual([2, 0]);
    expect(got.endTwice).toEqual([true, false]);
    expect(got.s2).toMatchObject({ status: 'ended', endedAt: T0 + 9_000, simulated: true, profile: 'elderly_comorbid' });
    expect((got.events as { type: string; doseMg: number | null; override: unknown }[]).map((e) => [e.type, e.doseMg, e.override !== null])).toEqual([
      ['start', null, false],
      ['bolus', 7.25, true],
    ]);
    expect(got.raw).toHaveLength(10);
    expect((got.raw as { t: number; spo2: number }[])[0]).toEqual({ t: T0, hr: 70, sbp: 120, dbp: 70, map: 88.3, spo2: 97.5, etco2: 37, rr: 14 });
    const buckets = got.buckets as { t: number; hr: number; spo2: number; min?: { spo2?: number }; max?: { spo2?: number; hr?: number } }[];
    expect(buckets).toHaveLength(60);
    expect(buckets[1]).toMatchObject({ t: T0 + 10_000, hr: 73.3, spo2: 97.5, max: { hr: 76 } });
    // The dip survives as the bucket's minimum and mean.
    expect(buckets[30]).toMatchObject({ t: T0 + 300_000, spo2: 85 });
    expect(buckets[29]!.min?.spo2).toBeUndefined();
    expect(got.latest).toEqual([expect.objectContaining({ t: T0 + 599_000 }), expect.objectContaining({ t: T0 + 700_000, hr: 99 })]);
    expect((got.recent as { seq: number }[]).map((r) => r.seq)).toEqual([600, 599, 598]);
    expect(got.lastFrame).toEqual({ t: T0 + 700_000, receivedAt: T0 + 700_040 });
    expect(got.lastNibp).toBe(T0 + 540_000);
    expect(got.noNibp).toBeNull();
    expect(got.frameAt).toEqual([expect.objectContaining({ t: T0 + 300_000, spo2: 85 }), null]);
    expect((got.after as { t: number }[]).map((f) => f.t)).toEqual([T0 + 598_000, T0 + 599_000, T0 + 700_000]);
    expect((got.observations as { scale: string }[]).map((o) => o.scale)).toEqual(['RASS', 'NRS_PAIN']);
  });

  it('reserves alarm ids once across two servers: blocks taken at the same moment never overlap', async () => {
    const one = new AlarmRepo(a);
    const two = new AlarmRepo(b);
    const blocks = await Promise.all([...Array.from({ length: 10 }, (_, i) => (i % 2 ? one : two).reserveAlarmIds(16)), one.reserveAlarmIds(1, 5_000)]);
    const all = blocks.flat();
    expect(all).toHaveLength(161);
    expect(new Set(all).size).toBe(161);
    // Above a floor (ids handed out while storage failed), and on from there.
    expect(blocks[10]![0]).toBeGreaterThan(5_000);
    expect(Math.min(...(await two.reserveAlarmIds(2)))).toBeGreaterThan(Math.max(...all));
  });

  it('stores an alarm and its events, and reads back what a restart, a screen and an acknowledgement read', async () => {
    const repo = new AlarmRepo(a);
    const [id] = await repo.reserveAlarmIds(1);
    // The shared high alarm as the rule engine words it (a kind the store keeps as given).
    const alarm = highAlarm({ id: id!, kind: 'physiological' as Alarm['kind'], title: 'SpO₂ < 88 %', message: 'SpO₂ 85 % for 10 s', latching: true, startedAt: T0 + 310_000, source: 'guideline' });
    const before = await repo.maxIds();
    const raised = await a.transaction((trx) => repo.write(trx, { transition: 'raised', at: T0 + 310_000, alarm }, null));
    const acked = await a.transaction((trx) => repo.write(trx, { transition: 'acknowledged', at: T0 + 320_000, alarm: { ...alarm, state: 'acknowledged', acknowledgedBy: 'user:nurse' } }, 'user:nurse'));
    expect(acked).toBeGreaterThan(raised);
    expect(await repo.exists(alarm.id)).toBe(true);
    expect(await repo.exists(alarm.id + 100_000)).toBe(false);
    expect((await repo.unresolved()).map((x) => [x.id, x.state, x.title])).toEqual([[alarm.id, 'acknowledged', 'SpO₂ < 88 %']]);
    expect((await repo.updatesSince(before.eventId, 10)).map((u) => [u.eventId, u.transition, u.alarm.state])).toEqual([
      [raised, 'raised', 'active'],
      [acked, 'acknowledged', 'acknowledged'],
    ]);
    expect(await repo.maxIds()).toEqual({ alarmId: Math.max(before.alarmId, alarm.id), eventId: acked });
    // Resolved is final: a late acknowledgement from another server does not bring it back.
    await b.transaction((trx) => new AlarmRepo(b).write(trx, { transition: 'resolved', at: T0 + 330_000, alarm: { ...alarm, state: 'resolved', resolvedAt: T0 + 330_000 } }, null));
    await expect(a.transaction((trx) => repo.write(trx, { transition: 'acknowledged', at: T0 + 331_000, alarm: { ...alarm, state: 'acknowledged' } }, 'user:nurse'))).rejects.toThrow(/already resolved/);
    expect(await repo.unresolved()).toEqual([]);
    expect((await repo.forSession('s1')).map((x) => x.state)).toEqual(['resolved']);
  });

  it('probes recording through the store: a write that commits on a live server, a failure reported when PostgreSQL is unreachable', async () => {
    const clock = new ManualClock(T0);
    const noAudit = { record: () => {} } as unknown as AuditRepo;
    const live = new StorageHealth(a, noAudit, new Hub(), clock, log, 60_000);
    expect(await live.probe()).toBe(true);
    const rows = await a.pool.query<{ at: number; n: number }>('SELECT at, length(pad) AS n FROM storage_probe');
    expect(rows.rows).toEqual([{ at: T0, n: 16 * 1024 }]);

    // A pool to a port nobody listens on: the probe's connection is refused.
    const dead = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:9/none', connectionTimeoutMillis: 2_000 });
    dead.on('error', () => {});
    const hub = new Hub();
    const shown: string[] = [];
    hub.on('storage', (s) => shown.push(s.recording));
    const down = new StorageHealth({ probe: (at, bytes) => probePostgres(dead, at, bytes) }, noAudit, hub, clock, log, 60_000);
    try {
      expect(await down.probe()).toBe(false);
      expect(down.status()).toMatchObject({ recording: 'failed', since: T0 });
      expect(shown).toEqual(['failed']);
    } finally {
      down.close();
      await dead.end();
    }
  });

  it('takes one change of a session at a time: requests sent together are judged one after the other', async () => {
    // On PostgreSQL every statement is a round trip: without this, all three could pass "not started
    // yet" (or "chair free") before any of them writes.
    const sessions = new SessionService({
      repo: new SessionRepo(a),
      vitals: new VitalsRepo(a),
      audit: { record: () => {} } as unknown as AuditRepo,
      clock: new ManualClock(T0 + 3_600_000),
      hub: new Hub(),
      ruleSet: () => defaultRuleSet,
      lifecycle: { describeLimits: () => [], dosingRuleOf: () => undefined, startBlockers: () => [], doseGate: () => ({ override: null, stored: () => Promise.resolve() }), ended: () => {} },
    });
    const who = { id: 'user:nurse' };
    const created = await Promise.all([1, 2, 3].map(() => sessions.create(demoSession({ patientLabel: 'Bay-9 pt', location: 'Chair 9' }), who).then((s) => s.id, (err: Error) => err.message)));
    const ids = created.filter((x) => x.startsWith('s_'));
    expect(ids).toHaveLength(1);
    expect(created.filter((x) => /duplicate location and patientLabel/.test(x))).toHaveLength(2);
    const id = ids[0]!;
    const starts = await Promise.allSettled([1, 2, 3].map(() => sessions.addInfusionEvent(id, { type: 'start', rateMgKgH: 0.5 }, who)));
    expect(starts.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(starts.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringMatching(/start/), expect.stringMatching(/start/)]);
    // Ending is refused while the infusion runs: the stop starts recovery, then two ends race.
    await sessions.addInfusionEvent(id, { type: 'stop' }, who);
    const ends = await Promise.allSettled([sessions.end(id, { reason: 'transferred to ward' }, who), sessions.end(id, { reason: 'transferred to ward' }, who)]);
    expect(ends.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    // One start and one stop; the session ended once.
    expect((await new SessionRepo(a).events(id)).map((e) => e.type)).toEqual(['start', 'stop']);
    expect(await new SessionRepo(a).get(id)).toMatchObject({ status: 'ended', endedAt: T0 + 3_600_000 });
  });

  it('two servers raising 40 alarms each at once: every alarm stored under its own id, as each server showed it', async () => {
    const rule = defaultRuleSet.rules.find((r) => r.priority === 'high')!;
    const clock = new ManualClock(T0);
    const nodes = [a, b].map((store) => {
      const queue = new WriteQueue({ store, log, flushMs: 1 });
      const hub = new Hub();
      const shown: AlarmUpdate[] = [];
      hub.on('alarm', (u) => shown.push(u));
      return { queue, shown, alarms: new AlarmManager(new AlarmRepo(store), queue, hub, clock, log) };
    });
    try {
      await Promise.all(nodes.map((n) => n.alarms.restore()));
      // More raises than one reserved block: the rest wait for the next block.
      nodes.forEach((n, k) => {
        for (let i = 0; i < 40; i++) n.alarms.apply({ id: `s_burst${k}_${i}`, unit: 'infusion-suite', simulated: false, ruleSetVersion: 1 }, [{ type: 'fire', rule, t: T0 + i, value: 180, limit: 150, message: 'HR 180 > 150' }]);
      });
      await expect.poll(() => nodes[0]!.shown.length + nodes[1]!.shown.length, { timeout: 10_000 }).toBe(80);
      const shown = nodes.flatMap((n) => n.shown);
      expect(new Set(shown.map((u) => u.alarm.id)).size).toBe(80);
      const stored = (await new AlarmRepo(a).unresolved()).filter((x) => x.sessionId.startsWith('s_burst'));
      expect(stored.map((x) => [x.id, x.sessionId]).sort()).toEqual(shown.map((u) => [u.alarm.id, u.alarm.sessionId]).sort());
      // Each server raised its sessions in the order its rules did.
      expect(nodes[0]!.shown.map((u) => u.alarm.sessionId)).toEqual(Array.from({ length: 40 }, (_, i) => `s_burst0_${i}`));
    } finally {
      for (const n of nodes) await n.queue.close();
    }
  });
});
