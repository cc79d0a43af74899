import { defaultRuleSet, type AlarmUpdate, type RuleTransition } from '@infusion/shared';
import type { KyselyPlugin } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AlarmManager } from '../../server/src/alarms/alarmManager';
import { AlarmRepo } from '../../server/src/persistence/alarmRepo';
import type { PgStore } from '../../server/src/persistence/pgStore';
import type { Store } from '../../server/src/persistence/store';
import { WriteQueue } from '../../server/src/persistence/writeQueue';
import { ManualClock } from '../../server/src/util/clock';
import { Hub } from '../../server/src/util/hub';
import { twoStoresForSuite } from '../support/postgres';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
/** Not latching: with no re-arm interval it resolves as soon as its condition clears. */
const rule = defaultRuleSet.rules.find((r) => r.id === 'spo2.low.medium')!;
const fire = (t: number): RuleTransition => ({ type: 'fire', rule, t, value: 85, limit: 88, message: 'SpO2 85 < 88' });
const clear = (t: number): RuleTransition => ({ type: 'clear', rule, t, value: 95, limit: 88, message: 'SpO2 95' });
const session = (id: string) => ({ id, unit: 'infusion-suite', simulated: false, ruleSetVersion: 1 });

/** The store with every statement of its transactions counted. */
function counted(store: PgStore): { store: Store; statements: () => number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  return { store: { ...store, transaction: (fn) => store.transaction((trx) => fn(trx.withPlugin(plugin))) }, statements: () => n };
}

describe("one write batch's alarm changes on PostgreSQL", () => {
  const nodes = twoStoresForSuite(T0);

  it('100 changes of 50 alarms are written in a few statements, each change an event in queue order, each alarm in its last state', async () => {
    const clock = new ManualClock(T0);
    const { store, statements } = counted(nodes.a);
    const repo = new AlarmRepo(store);
    const queue = new WriteQueue({ store, log, flushMs: 50 });
    const hub = new Hub();
    const emitted: AlarmUpdate[] = [];
    hub.on('alarm', (u) => emitted.push(u));
    const alarms = new AlarmManager(repo, queue, hub, clock, log, { reArmMs: 0, reminderMs: 300_000 });
    await alarms.restore();
    const ids = Array.from({ length: 50 }, (_, i) => `s_batch${i}`);
    // One turn: every session raises and clears (the same write batch).
    for (const id of ids) alarms.apply(session(id), [fire(T0)]);
    for (const id of ids) alarms.apply(session(id), [clear(T0 + 1000)]);
    const before = statements();
    await expect.poll(() => emitted.length).toBe(100);
    // begin, the alarms upsert, the event ids, the events insert, commit.
    expect(statements() - before).toBeLessThanOrEqual(5);
    await queue.close();

    // Emitted only after commit, each with its event id: raised before resolved, in the order queued.
    expect(emitted.map((u) => u.transition)).toEqual([...ids.map(() => 'raised'), ...ids.map(() => 'resolved')]);
    const eventIds = emitted.map((u) => u.eventId);
    expect([...eventIds].sort((x, y) => x - y)).toEqual(eventIds);
    const stored = await new AlarmRepo(nodes.b).updatesSince(0, 1000);
    expect(stored.map((u) => [u.eventId, u.transition, u.alarm.sessionId])).toEqual(emitted.map((u) => [u.eventId, u.transition, u.alarm.sessionId]));
    const rows = await nodes.b.db.selectFrom('alarms').select(['session_id', 'state']).where('session_id', 'in', ids).execute();
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.state === 'resolved')).toBe(true);
  });

  it('a change to an alarm another node resolved meanwhile is refused alone; the rest of its batch commits', async () => {
    const clock = new ManualClock(T0 + 100_000);
    const repo = new AlarmRepo(nodes.a);
    const queue = new WriteQueue({ store: nodes.a, log, flushMs: 50 });
    const hub = new Hub();
    const emitted: AlarmUpdate[] = [];
    hub.on('alarm', (u) => emitted.push(u));
    const alarms = new AlarmManager(repo, queue, hub, clock, log, { reArmMs: 0, reminderMs: 300_000 });
    await alarms.restore();
    const ids = Array.from({ length: 10 }, (_, i) => `s_race${i}`);
    for (const id of ids) alarms.apply(session(id), [fire(clock.now())]);
    await expect.poll(() => emitted.length).toBe(10);
    // Another node resolves the first session's alarm (its holder, after a takeover).
    const first = emitted[0]!.alarm;
    await new AlarmRepo(nodes.b).write(nodes.b.db, { transition: 'resolved', at: clock.now(), alarm: { ...first, state: 'resolved', resolvedAt: clock.now() } }, 'node-b');
    // This node acknowledges it while the other sessions' alarms clear: one batch.
    const ack = alarms.acknowledge(first.id, 'user:nurse');
    for (const id of ids.slice(1)) alarms.apply(session(id), [clear(clock.now() + 1000)]);
    await expect(ack).rejects.toThrow(/already resolved/);
    await expect.poll(() => emitted.length).toBe(19);
    await queue.close();
    const rows = await nodes.b.db.selectFrom('alarms').select(['session_id', 'state', 'body']).where('session_id', 'in', ids).orderBy('session_id').execute();
    expect(rows.map((r) => r.state)).toEqual(ids.map(() => 'resolved'));
    // The resolved row stands as the other node wrote it, not acknowledged.
    expect((JSON.parse(rows.find((r) => r.session_id === ids[0])!.body) as { acknowledgedBy: string | null }).acknowledgedBy).toBeNull();
  });
});
