import type { Alarm, AlarmUpdate, Escalation } from '@infusion/shared';
import { highAlarm } from '@infusion/shared/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../persistence/db';
import { sqliteStore, type Store } from '../persistence/store';
import { ManualClock } from '../util/clock';
import { Hub } from '../util/hub';
import { EscalationService } from './escalationService';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const cfg = { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] };
let db: Db;
afterEach(() => db?.close());

// The shared high alarm, as a tachycardia of its own session.
const high = (id: number, over: Partial<Alarm> = {}): Alarm =>
  highAlarm({ id, sessionId: `s${id}`, ruleId: 'hr.high.high', title: 'Tachycardia', message: 'HR 165 > 150', field: 'hr', value: 165, limit: 150, startedAt: T0, ...over });
const raised = (a: Alarm, eventId = a.id): AlarmUpdate => ({ eventId, transition: 'raised', at: T0, alarm: a });

/** The SQLite store with its transactions counted (each one a commit, an fsync on PostgreSQL). */
function countedStore(): { store: Store; transactions: () => number } {
  const store = sqliteStore(db);
  let n = 0;
  return {
    store: {
      ...store,
      transaction: (fn) => {
        n++;
        return store.transaction(fn);
      },
    },
    transactions: () => n,
  };
}

const pages = () =>
  db.prepare("SELECT e.alarm_id AS alarmId, n.channel, n.level FROM notifications n JOIN escalations e ON e.id = n.escalation_id ORDER BY e.alarm_id, n.channel").all() as { alarmId: number; channel: string; level: number }[];

describe('escalation steps of a burst of alarms are written in batches', () => {
  it('250 high alarms raised at once open level 1 each, paged once, in a few transactions', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const shown: Escalation[] = [];
    hub.on('escalation', (e) => shown.push(e));
    const { store, transactions } = countedStore();
    const esc = new EscalationService(store, hub, clock, log, cfg, (id) => `Chair ${id}`);

    // As the hub delivers a write batch's alarm updates: one after the other, in one turn of the loop.
    for (let id = 1; id <= 250; id++) esc.onAlarm(raised(high(id)));
    await esc.idle();

    // At most 100 steps a transaction (one each before: 250 commits one after the other).
    expect(transactions()).toBeLessThanOrEqual(3);
    expect(esc.list()).toHaveLength(250);
    expect(shown.map((e) => e.alarmId)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    // Each stored body is its own escalation (id, alarm, location), as every reader of the table parses it.
    const bodies = (db.prepare('SELECT id, alarm_id, body FROM escalations ORDER BY alarm_id').all() as { id: number; alarm_id: number; body: string }[]).map((r) => ({ row: [r.id, r.alarm_id], body: JSON.parse(r.body) as Escalation }));
    for (const { row, body } of bodies) expect([body.id, body.alarmId, body.location, body.level, body.state]).toEqual([...row, `Chair s${row[1]}`, 1, 'open']);
    // One dashboard push and one page per alarm.
    const rows = pages();
    expect(rows).toHaveLength(500);
    expect(rows.filter((r) => r.channel === 'webhook').map((r) => r.alarmId)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));

    // Two minutes later they all reach the unit: level 2 together too.
    const before = transactions();
    clock.advance(120_000);
    esc.tick();
    await esc.idle();
    expect(transactions() - before).toBeLessThanOrEqual(3);
    expect(esc.list().every((e) => e.level === 2)).toBe(true);
    expect(pages().filter((r) => r.channel === 'webhook' && r.level === 2)).toHaveLength(250);
  });

  it('keeps each alarm\'s steps in order within a burst, and never pages an alarm twice', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const shown: Escalation[] = [];
    hub.on('escalation', (e) => shown.push(e));
    const esc = new EscalationService(sqliteStore(db), hub, clock, log, cfg, () => 'Chair 1');

    // Alarm 2 resolves in the same burst that raised it: opened first, then closed. Alarm 3 is raised twice
    // (a re-raise after clearing). Alarm 4 was already escalated by another node on the same database.
    const other = new EscalationService(sqliteStore(db), new Hub(), clock, log, cfg, () => 'Chair 1');
    other.onAlarm(raised(high(4)));
    await other.idle();
    esc.onAlarm(raised(high(1)));
    esc.onAlarm(raised(high(2)));
    esc.onAlarm({ eventId: 20, transition: 'resolved', at: T0 + 1, alarm: high(2, { state: 'resolved', conditionActive: false, resolvedAt: T0 + 1 }) });
    esc.onAlarm(raised(high(3)));
    esc.onAlarm(raised(high(3), 30));
    esc.onAlarm(raised(high(4)));
    await esc.idle();

    expect(shown.map((e) => [e.alarmId, e.state])).toEqual([
      [1, 'open'],
      [2, 'open'],
      [2, 'closed'],
      [3, 'open'],
    ]);
    expect(esc.list().map((e) => e.alarmId).sort()).toEqual([1, 3, 4]);
    expect(pages().filter((r) => r.channel === 'webhook').map((r) => r.alarmId)).toEqual([1, 2, 3, 4]);
  });

  it('a burst the store refuses is reported and kept: it opens, paged once, when storage takes writes again', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const shown: Escalation[] = [];
    hub.on('escalation', (e) => shown.push(e));
    const errors: unknown[] = [];
    const logged = pino({ level: 'error' }, { write: (m: string) => errors.push(JSON.parse(m)) });
    const esc = new EscalationService(sqliteStore(db), hub, clock, logged, cfg, () => 'Chair 1');

    db.pragma('query_only = ON');
    for (let id = 1; id <= 5; id++) esc.onAlarm(raised(high(id)));
    await esc.idle();
    expect(esc.list()).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ alarmIds: [1, 2, 3, 4, 5], msg: 'escalation step could not be stored; retrying every tick' })]);

    db.pragma('query_only = OFF');
    clock.advance(1000);
    esc.tick();
    await esc.idle();
    expect(esc.list().map((e) => e.alarmId)).toEqual([1, 2, 3, 4, 5]);
    expect(shown).toHaveLength(5);
    expect(pages().filter((r) => r.channel === 'webhook').map((r) => r.alarmId)).toEqual([1, 2, 3, 4, 5]);
  });
});
