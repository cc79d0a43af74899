import { defaultFormulary, defaultRuleSet, type Alarm, type Escalation, type Formulary, type Order, type RuleSet } from '@infusion/shared';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { highAlarm as alarmFixture } from '@infusion/shared/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { EscalationService } from '../../server/src/alarms/escalationService';
import { createPgPool, openPostgresStore } from '../../server/src/persistence/pgStore';
import { openSqliteStore, type Store } from '../../server/src/persistence/store';
import { ManualClock } from '../../server/src/util/clock';
import { Hub } from '../../server/src/util/hub';
import { databaseFor, freshDatabase, testOnPostgres, twoStoresOnOneDatabase } from '../support/postgres';
import { anOrder, api, createSession, startServer, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Two nodes on one database (no single point of failure) take the same step at once: the database's
 * keys decide, and the loser answers as one node would (a conflict, or "already done"), never 500 and
 * never a second page. Runs on SQLite (integration) and on PostgreSQL (integration-pg).
 */
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const log = pino({ level: 'silent' });
const cleanup: (() => Promise<void>)[] = [];

/**
 * Runs `writes` while the tables are locked against writing (reads go on), and lets them through only
 * once `waiting` of them wait on the lock: both nodes have then judged "no such version yet".
 */
async function heldTogether<T>(dir: string, tables: string[], waiting: number, writes: () => Promise<T>): Promise<T> {
  const lock = new pg.Client({ connectionString: await databaseFor(dir) });
  await lock.connect();
  cleanup.push(() => lock.end());
  await lock.query('BEGIN');
  await lock.query(`LOCK TABLE ${tables.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
  const done = writes();
  const relations = tables.map((t) => `'${t}'::regclass`).join(', ');
  for (let n = 0; n < waiting; ) n = (await lock.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE relation IN (${relations}) AND NOT granted`)).rows[0]!.n;
  await lock.query('COMMIT');
  return done;
}
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/**
 * Two nodes' stores on one database: on PostgreSQL each its own pool, as two nodes have; on SQLite one
 * connection shared (in one process, a second connection's busy wait would block the first's commit).
 */
async function twoNodesStores(): Promise<{ a: Store; b: Store }> {
  if (testOnPostgres()) {
    const pair = await twoStoresOnOneDatabase(T0);
    cleanup.push(() => pair.close());
    return pair;
  }
  const dir = mkdtempSync(join(tmpdir(), 'infusion-conflicts-'));
  const store = openSqliteStore(join(dir, 'infusion.db'), T0);
  cleanup.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { a: store, b: store };
}

/** The shared high alarm, raised at this file's T0. */
const highAlarm = (over: Partial<Alarm> = {}): Alarm => alarmFixture({ startedAt: T0, ...over });

describe('escalation steps taken by two nodes at once', () => {
  const cfg = { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] };

  async function twoNodes() {
    const { a, b } = await twoNodesStores();
    const clock = new ManualClock(T0);
    const node = (store: Store) => {
      const hub = new Hub();
      const shown: Escalation[] = [];
      hub.on('escalation', (e) => shown.push(e));
      return { store, shown, esc: new EscalationService(store, hub, clock, log, cfg, () => 'Chair 3') };
    };
    return { clock, a: node(a), b: node(b) };
  }
  const pages = (store: Store) => store.db.selectFrom('notifications').select(['escalation_id', 'level', 'channel']).orderBy('id').execute();

  it('pages a high alarm once per level when both nodes escalate it, and both follow the one escalation', async () => {
    const { clock, a, b } = await twoNodes();
    const raised = { eventId: 1, transition: 'raised' as const, at: T0, alarm: highAlarm() };
    a.esc.onAlarm(raised);
    b.esc.onAlarm(raised);
    await Promise.all([a.esc.idle(), b.esc.idle()]);

    const rows = await a.store.db.selectFrom('escalations').select(['id', 'alarm_id', 'level', 'state']).execute();
    expect(rows).toEqual([{ id: expect.any(Number), alarm_id: 7, level: 1, state: 'open' }]);
    const id = rows[0]!.id;
    expect(await pages(a.store)).toEqual([
      { escalation_id: id, level: 1, channel: 'dashboard' },
      { escalation_id: id, level: 1, channel: 'webhook' },
    ]);
    // One node showed it; the other follows the stored escalation (it can acknowledge it, time level 2).
    expect(a.shown.length + b.shown.length).toBe(1);
    expect(a.esc.list().map((e) => e.id)).toEqual([id]);
    expect(b.esc.list().map((e) => e.id)).toEqual([id]);

    // Level 2 falls due on both nodes: the unit is paged once.
    clock.advance(cfg.unitMs);
    a.esc.tick();
    b.esc.tick();
    await Promise.all([a.esc.idle(), b.esc.idle()]);
    expect((await pages(a.store)).filter((p) => p.level === 2)).toEqual([
      { escalation_id: id, level: 2, channel: 'dashboard' },
      { escalation_id: id, level: 2, channel: 'webhook' },
    ]);
    expect(a.esc.list()[0]).toMatchObject({ id, level: 2, nextLevelAt: null });
    expect(b.esc.list()[0]).toMatchObject({ id, level: 2, nextLevelAt: null });
  });

  it('does not page the unit for an escalation another node saw acknowledged', async () => {
    const { clock, a, b } = await twoNodes();
    a.esc.onAlarm({ eventId: 1, transition: 'raised', at: T0, alarm: highAlarm() });
    await a.esc.idle();
    // Node b learns of the escalation from the database (a takeover), then misses the acknowledgement.
    await b.esc.adoptSessions(['s1'], []);
    const [e] = a.esc.list();
    await a.esc.acknowledge(e!.id, 'user:physician');
    clock.advance(cfg.unitMs);
    b.esc.tick();
    await b.esc.idle();
    expect(await a.store.db.selectFrom('escalations').select(['level', 'state']).execute()).toEqual([{ level: 1, state: 'acknowledged' }]);
    expect((await pages(a.store)).filter((p) => p.level === 2)).toEqual([]);
    expect(b.esc.list()).toEqual([]);
  });
});

describe('an order written twice for the same version', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0).reverse()) await s.close();
  });

  if (testOnPostgres()) {
    it('on two nodes at once: one writes version 1, the other gets 409 and stores nothing, then writes version 2', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'infusion-two-nodes-'));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const a = await startServer({ dir });
      servers.push(a);
      const sess = await createSession(a.physician);
      // The second node starts on the same database and holds the session as the first does.
      const b = await startServer({ dir });
      servers.push(b);
      // Hold both inserts until both nodes have read "no order yet".
      const answers = await heldTogether(dir, ['orders'], 2, () =>
        Promise.all([
          api<{ order: Order }>(a.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder({ rateMaxMgKgH: 0.8 })),
          api<{ order: Order }>(b.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder({ rateMaxMgKgH: 0.9 })),
        ]),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const lost = answers.find((r) => r.status === 409)!;
      expect(lost.body.error).toMatch(/order version 1 was written meanwhile/);
      const won = answers.find((r) => r.status === 200)!.body.data.order;
      const db = dbOf(a);
      expect(await db.selectFrom('orders').select(['version', 'body']).execute()).toEqual([{ version: 1, body: JSON.stringify(won) }]);
      expect(await countOf(db.selectFrom('audit_log').where('action', '=', 'order.write'))).toBe(1);
      // The loser reloads and writes again: version 2, on top of what the other node wrote.
      const again = await api<{ order: Order }>(answers[0]!.status === 409 ? a.physician : b.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder({ rateMaxMgKgH: 0.7 }));
      expect(again.status).toBe(200);
      expect(again.body.data.order).toMatchObject({ version: 2, rateMaxMgKgH: 0.7 });
    });
  } else {
    it('when the version is taken between the read and the write: 409, nothing stored, and the next write is version 2', async () => {
      const s = await startServer();
      servers.push(s);
      const sess = await createSession(s.physician);
      // Another writer of the same file takes the version first (a trigger inserts it just before ours).
      await sql
        .raw(
          "CREATE TRIGGER other_writer BEFORE INSERT ON orders WHEN NEW.by = 'user:physician' BEGIN INSERT INTO orders (session_id, version, body, at, by) VALUES (NEW.session_id, NEW.version, NEW.body, NEW.at, 'user:other'); END",
        )
        .execute(dbOf(s));
      const r = await api(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder());
      expect(r.status).toBe(409);
      expect(r.body.error).toMatch(/order version 1 was written meanwhile/);
      expect(await countOf(dbOf(s).selectFrom('audit_log').where('action', '=', 'order.write'))).toBe(0);
      await sql.raw('DROP TRIGGER other_writer').execute(dbOf(s));
      await dbOf(s).insertInto('orders').values({ session_id: sess.id, version: 1, body: JSON.stringify({ ...anOrder(), sessionId: sess.id, version: 1, at: T0, by: 'user:other' }), at: T0, by: 'user:other' }).execute();
      const again = await api<{ order: Order }>(s.physician, 'PUT', `/api/sessions/${sess.id}/order`, anOrder());
      expect(again.status).toBe(200);
      expect(again.body.data.order.version).toBe(2);
    });
  }
});

describe('rule-set and formulary versions written twice for the same version', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0).reverse()) await s.close();
  });
  /** An admin's edit of the rule set: the shipped rules with the SpO2 limit given. */
  const ruleSetEdit = (spo2: number) => ({ name: defaultRuleSet.name, description: defaultRuleSet.description, rules: defaultRuleSet.rules.map((r) => (r.id === 'spo2.low.high' ? { ...r, limit: spo2 } : r)) });
  const formularyEdit = (dose: string) => ({ entries: defaultFormulary.entries.map((e) => (e.id === 'lorazepam' ? { ...e, dose, doseSource: 'Site protocol 12' } : e)) });
  const spo2Limit = (rs: RuleSet) => {
    const r = rs.rules.find((x) => x.id === 'spo2.low.high');
    return r && 'limit' in r ? r.limit : undefined;
  };
  const lorazepam = (f: Formulary) => f.entries.find((e) => e.id === 'lorazepam')!.dose;
  // The next versions after the shipped ones.
  const RS = defaultRuleSet.version + 1;
  const F = defaultFormulary.version + 1;

  it('when another writer stored the next version first: 409 naming it, nothing stored, and the next edit builds on the stored one', async () => {
    const s = await startServer();
    servers.push(s);
    const db = dbOf(s);
    // Another node stored the next rule set and formulary versions (its news has not reached this node).
    const otherRules: RuleSet = { ...defaultRuleSet, ...ruleSetEdit(86), version: RS };
    await db.insertInto('rule_set_versions').values({ rule_set_id: defaultRuleSet.id, version: RS, body: JSON.stringify(otherRules), created_at: T0, created_by: 'user:other' }).execute();
    const otherFormulary: Formulary = { ...formularyEdit('other node'), version: F };
    await db.insertInto('formulary_versions').values({ version: F, body: JSON.stringify(otherFormulary), created_at: T0, created_by: 'user:other' }).execute();

    const rs = await api(s.admin, 'PUT', '/api/rulesets/current', ruleSetEdit(87));
    expect(rs.status).toBe(409);
    expect(rs.body.error).toMatch(new RegExp(`rule set version ${RS} was stored meanwhile`));
    const f = await api(s.admin, 'PUT', '/api/formulary', formularyEdit('this node'));
    expect(f.status).toBe(409);
    expect(f.body.error).toMatch(new RegExp(`formulary version ${F} was stored meanwhile`));
    // Nothing of the refused edits is stored, and this node now shows what the other one stored.
    expect(await countOf(db.selectFrom('audit_log').where('action', 'in', ['ruleset.update', 'formulary.update']))).toBe(0);
    expect((await db.selectFrom('rule_set_versions').select(['version', 'created_by']).orderBy('version').execute()).map((r) => r.created_by)).toEqual(['system:shipped', 'user:other']);
    expect(await db.selectFrom('formulary_versions').select('created_by').execute()).toEqual([{ created_by: 'user:other' }]);
    expect(spo2Limit((await api<RuleSet>(s.admin, 'GET', '/api/rulesets/current')).body.data)).toBe(86);
    expect(lorazepam((await api<Formulary>(s.admin, 'GET', '/api/formulary')).body.data)).toBe('other node');

    // The admin edits again: the version after the other node's, on top of it.
    const rs3 = await api<RuleSet>(s.admin, 'PUT', '/api/rulesets/current', ruleSetEdit(87));
    expect(rs3.status).toBe(200);
    expect(rs3.body.data).toMatchObject({ version: RS + 1 });
    const f3 = await api<Formulary>(s.admin, 'PUT', '/api/formulary', formularyEdit('this node'));
    expect(f3.status).toBe(200);
    expect(f3.body.data.version).toBe(F + 1);
    expect(await countOf(db.selectFrom('audit_log').where('action', 'in', ['ruleset.update', 'formulary.update']))).toBe(2);
  });

  if (testOnPostgres()) {
    it('on two nodes at once: one stores each version, the other gets 409 and stores nothing, then stores the next version', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'infusion-two-nodes-'));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const a = await startServer({ dir });
      servers.push(a);
      const b = await startServer({ dir });
      servers.push(b);
      // Hold every insert until both nodes' writes wait.
      const [rsA, rsB, fA, fB] = await heldTogether(dir, ['rule_set_versions', 'formulary_versions'], 4, () =>
        Promise.all([
          api<RuleSet>(a.admin, 'PUT', '/api/rulesets/current', ruleSetEdit(86)),
          api<RuleSet>(b.admin, 'PUT', '/api/rulesets/current', ruleSetEdit(87)),
          api<Formulary>(a.admin, 'PUT', '/api/formulary', formularyEdit('node a')),
          api<Formulary>(b.admin, 'PUT', '/api/formulary', formularyEdit('node b')),
        ]),
      );
      expect([rsA!.status, rsB!.status].sort()).toEqual([200, 409]);
      expect([fA!.status, fB!.status].sort()).toEqual([200, 409]);
      expect([rsA, rsB].find((r) => r!.status === 409)!.body.error).toMatch(new RegExp(`rule set version ${RS} was stored meanwhile`));
      expect([fA, fB].find((r) => r!.status === 409)!.body.error).toMatch(new RegExp(`formulary version ${F} was stored meanwhile`));
      const rsWon = [rsA, rsB].find((r) => r!.status === 200)!.body.data;
      const fWon = [fA, fB].find((r) => r!.status === 200)!.body.data;
      const db = dbOf(a);
      expect(await db.selectFrom('rule_set_versions').select(['version', 'body']).where('version', '>', defaultRuleSet.version).execute()).toEqual([{ version: RS, body: JSON.stringify(rsWon) }]);
      expect(await db.selectFrom('formulary_versions').select(['version', 'body']).execute()).toEqual([{ version: F, body: JSON.stringify(fWon) }]);
      expect(await countOf(db.selectFrom('audit_log').where('action', '=', 'ruleset.update'))).toBe(1);
      expect(await countOf(db.selectFrom('audit_log').where('action', '=', 'formulary.update'))).toBe(1);
      // The losers edit again: the next version, on top of what the other node stored.
      const rsLoser = rsA!.status === 409 ? a : b;
      const fLoser = fA!.status === 409 ? a : b;
      const rs3 = await api<RuleSet>(rsLoser.admin, 'PUT', '/api/rulesets/current', ruleSetEdit(85));
      expect(rs3.status).toBe(200);
      expect(rs3.body.data.version).toBe(RS + 1);
      const f3 = await api<Formulary>(fLoser.admin, 'PUT', '/api/formulary', formularyEdit('again'));
      expect(f3.status).toBe(200);
      expect(f3.body.data.version).toBe(F + 1);
    });
  }
});

describe('migration 13 on a database that already holds duplicate escalations', () => {
  it('keeps the first escalation of each alarm and level, moves the duplicate pages to it, then refuses a duplicate', async () => {
    if (testOnPostgres()) {
      // An empty database (not a test server's, which is copied from one already migrated).
      const fresh = await freshDatabase();
      cleanup.push(() => fresh.release());
      const url = fresh.url;
      const { migratePg, PG_MIGRATIONS } = await import('../../server/src/persistence/pgMigrations');
      // The server's own pool: a connection the database drop ends while it closes is not an unhandled error.
      const pool = createPgPool({ url, poolSize: 1 });
      cleanup.push(() => pool.end());
      await migratePg(pool, T0, PG_MIGRATIONS.filter((m) => m.version < 13));
      await seedDuplicates((q) => pool.query(q));
      await migratePg(pool, T0);
      const store = await openPostgresStore({ url, poolSize: 1 }, T0);
      cleanup.push(() => store.close());
      await expectDeduplicated(store);
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'infusion-m13-'));
      cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
      const Database = (await import('better-sqlite3')).default;
      const { MIGRATIONS } = await import('../../server/src/persistence/migrations');
      const raw = new Database(join(dir, 'infusion.db'));
      raw.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const m of MIGRATIONS.filter((x) => x.version < 13)) {
        raw.exec(m.sql);
        raw.prepare('INSERT INTO schema_version VALUES (?, ?, ?)').run(m.version, m.name, T0);
      }
      await seedDuplicates(async (q) => raw.exec(q));
      raw.close();
      const store = openSqliteStore(join(dir, 'infusion.db'), T0);
      cleanup.push(() => store.close());
      await expectDeduplicated(store);
    }
  });

  async function seedDuplicates(run: (q: string) => Promise<unknown>): Promise<void> {
    await run(
      "INSERT INTO escalations (id, alarm_id, session_id, unit, state, level, opened_at, simulated, body) VALUES (1, 7, 's1', 'u', 'open', 1, 0, 0, '{}'), (2, 7, 's1', 'u', 'open', 1, 1, 0, '{}'), (3, 8, 's1', 'u', 'open', 1, 2, 0, '{}')",
    );
    await run(
      "INSERT INTO notifications (id, escalation_id, level, channel, target, payload, status, next_attempt_at, created_at) VALUES (1, 1, 1, 'webhook', 'p', '{}', 'sent', 0, 0), (2, 2, 1, 'webhook', 'p', '{}', 'sent', 1, 1), (3, 3, 1, 'webhook', 'p', '{}', 'sent', 2, 2)",
    );
  }
  async function expectDeduplicated(store: Store): Promise<void> {
    expect(await store.db.selectFrom('escalations').select(['id', 'alarm_id']).orderBy('id').execute()).toEqual([
      { id: 1, alarm_id: 7 },
      { id: 3, alarm_id: 8 },
    ]);
    expect(await store.db.selectFrom('notifications').select(['id', 'escalation_id']).orderBy('id').execute()).toEqual([
      { id: 1, escalation_id: 1 },
      { id: 2, escalation_id: 1 },
      { id: 3, escalation_id: 3 },
    ]);
    await expect(
      store.db.insertInto('escalations').values({ id: 10, alarm_id: 7, session_id: 's1', unit: 'u', state: 'open', level: 1, opened_at: 5, next_level_at: null, simulated: 0, body: '{}' }).execute(),
    ).rejects.toThrow(/escalations_alarm_level|UNIQUE constraint failed: escalations.alarm_id, escalations.level/);
  }
});
