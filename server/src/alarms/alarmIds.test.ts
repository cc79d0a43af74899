import { defaultRuleSet, type AlarmUpdate, type RuleTransition } from '@infusion/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmRepo } from '../persistence/alarmRepo';
import { openSqliteStore, type SqliteStore } from '../persistence/store';
import { WriteQueue } from '../persistence/writeQueue';
import { ManualClock } from '../util/clock';
import { Hub } from '../util/hub';
import { AlarmManager } from './alarmManager';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const rule = defaultRuleSet.rules.find((r) => r.priority === 'high')!;
/** Not latching: it resolves as soon as its condition clears. */
const unlatched = defaultRuleSet.rules.find((r) => r.id === 'spo2.low.medium')!;
const fire = (t: number, r = rule): RuleTransition => ({ type: 'fire', rule: r, t, value: 85, limit: 88, message: 'SpO2 85 < 88' });
const session = (id: string) => ({ id, unit: 'infusion-suite', simulated: false, ruleSetVersion: 1 });

/** One node: its own connection to the shared database, its own write queue and alarm manager. */
function node(path: string, clock: ManualClock) {
  const store = openSqliteStore(path, clock.now());
  const queue = new WriteQueue({ store, log, flushMs: 1 });
  const hub = new Hub();
  const updates: AlarmUpdate[] = [];
  hub.on('alarm', (u) => updates.push(u));
  const alarms = new AlarmManager(new AlarmRepo(store), queue, hub, clock, log);
  return { store, queue, alarms, updates, repo: new AlarmRepo(store) };
}

describe('alarm ids come from the database: two nodes never collide', () => {
  let dir: string;
  const open: { store: SqliteStore; queue: WriteQueue }[] = [];
  afterEach(async () => {
    for (const n of open.splice(0)) {
      await n.queue.close();
      await n.store.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('alarms raised on two nodes for different sessions are both stored, each with its own alarm and event id', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const path = join(dir, 'db.sqlite');
    const clock = new ManualClock(T0);
    const a = node(path, clock);
    const b = node(path, clock);
    open.push(a, b);

    a.alarms.apply(session('s_a'), [fire(T0)]);
    b.alarms.apply(session('s_b'), [fire(T0)]);
    await expect.poll(() => a.updates.length + b.updates.length).toBe(2);

    const stored = await a.repo.unresolved();
    expect(stored.map((x) => x.sessionId).sort()).toEqual(['s_a', 's_b']);
    expect(new Set(stored.map((x) => x.id)).size).toBe(2);
    const events = await a.repo.updatesSince(0, 10);
    expect(events).toHaveLength(2);
    // What each node showed is what the database holds: same alarm ids, same event ids.
    const shown = [...a.updates, ...b.updates].map((u) => [u.eventId, u.alarm.id, u.alarm.sessionId]).sort();
    expect(events.map((u) => [u.eventId, u.alarm.id, u.alarm.sessionId]).sort()).toEqual(shown);
  });

  it('a node allocating after another committed continues past its ids (catch-up by event id sees both)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const path = join(dir, 'db.sqlite');
    const clock = new ManualClock(T0);
    const a = node(path, clock);
    const b = node(path, clock);
    open.push(a, b);

    a.alarms.apply(session('s_a'), [fire(T0)]);
    await expect.poll(() => a.updates.length).toBe(1);
    b.alarms.apply(session('s_b'), [fire(T0 + 1000)]);
    await expect.poll(() => b.updates.length).toBe(1);
    // A screen that saw a's event asks for what came after it: b's event.
    const after = await a.repo.updatesSince(a.updates[0]!.eventId, 10);
    expect(after.map((u) => u.alarm.sessionId)).toEqual(['s_b']);
  });

  it('an acknowledgement committed on another node just after the holder resolved the alarm does not bring it back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const path = join(dir, 'db.sqlite');
    const clock = new ManualClock(T0);
    const holder = node(path, clock);
    const other = node(path, clock);
    open.push(holder, other);

    holder.alarms.apply(session('s_a'), [fire(T0, unlatched)]);
    await expect.poll(() => holder.updates.length).toBe(1);
    const raisedUpdate = holder.updates[0]!;
    other.alarms.applyRemote(raisedUpdate);
    // The holder resolves it (condition cleared, no re-arm interval); the other node has not heard yet
    // and a nurse there acknowledges it.
    holder.alarms.apply(session('s_a'), [{ type: 'clear', rule: unlatched, t: T0 + 5000, value: 95, limit: 88, message: 'SpO2 95' }]);
    await expect.poll(() => holder.updates.length).toBe(2);
    expect(holder.updates[1]!.alarm.state).toBe('resolved');
    // The nurse is told it is already resolved.
    await expect(other.alarms.acknowledge(raisedUpdate.alarm.id, 'user:nurse')).rejects.toThrow(/already resolved/);

    // Resolved stays resolved in storage: a restart (or a takeover) does not show it again.
    expect(await holder.repo.unresolved()).toEqual([]);
    expect((await holder.repo.forSession('s_a')).map((a) => a.state)).toEqual(['resolved']);
  });

  it('ids reserved in blocks by two stores at once are all distinct, above the floor, and never handed out again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const path = join(dir, 'db.sqlite');
    const clock = new ManualClock(T0);
    const a = node(path, clock);
    const b = node(path, clock);
    open.push(a, b);
    const blocks = await Promise.all([a.repo.reserveAlarmIds(16), b.repo.reserveAlarmIds(16), a.repo.reserveAlarmIds(1, 500)]);
    const all = blocks.flat();
    expect(new Set(all).size).toBe(33);
    for (const block of blocks) expect(block).toEqual([...block].sort((x, y) => x - y));
    // Past ids a node handed out itself while storage failed.
    expect(blocks[2]![0]).toBeGreaterThan(500);
    expect(Math.min(...(await a.repo.reserveAlarmIds(4)))).toBeGreaterThan(Math.max(...all));
  });

  it('a burst of raises past the reserved stock waits for the next block: every alarm stored once, in order', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const clock = new ManualClock(T0);
    const a = node(join(dir, 'db.sqlite'), clock);
    open.push(a);
    await a.alarms.restore();
    // 40 sessions raise at once: more than one block of ids.
    for (let i = 0; i < 40; i++) a.alarms.apply(session(`s_${i}`), [fire(T0 + i)]);
    await expect.poll(() => a.updates.length).toBe(40);
    expect(a.updates.map((u) => u.alarm.sessionId)).toEqual(Array.from({ length: 40 }, (_, i) => `s_${i}`));
    const stored = await a.repo.unresolved();
    expect(new Set(stored.map((x) => x.id)).size).toBe(40);
    expect(a.alarms.unresolved()).toHaveLength(40);
  });
  it('100 sessions raising at once wait for one larger reservation, not one block of 16 after another; a burst announced ahead finds its ids at hand', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const clock = new ManualClock(T0);
    const store = openSqliteStore(join(dir, 'db.sqlite'), clock.now());
    const queue = new WriteQueue({ store, log, flushMs: 1 });
    open.push({ store, queue });
    const hub = new Hub();
    const updates: AlarmUpdate[] = [];
    hub.on('alarm', (u) => updates.push(u));
    const reservations: number[] = [];
    class CountingRepo extends AlarmRepo {
      override reserveAlarmIds(n: number, floor?: number) {
        reservations.push(n);
        return super.reserveAlarmIds(n, floor);
      }
    }
    const alarms = new AlarmManager(new CountingRepo(store), queue, hub, clock, log);
    await alarms.restore();
    expect(reservations).toEqual([16]);

    for (let i = 0; i < 100; i++) alarms.apply(session(`s_${i}`), [fire(T0)]);
    await expect.poll(() => updates.length).toBe(100);
    // The first block's refill was under way when the burst came; the raises waiting for ids then took one
    // reservation (and a last one restocks ahead of need, below half the block just taken).
    expect(reservations.length).toBeLessThanOrEqual(4);
    expect(new Set(updates.map((u) => u.alarm.id)).size).toBe(100);

    // A takeover announces its sessions (more than the stock at hand): their ids are reserved before they raise.
    reservations.length = 0;
    alarms.reserveAhead(1000);
    await expect.poll(() => reservations.length).toBe(1);
    for (let i = 0; i < 1000; i++) alarms.apply(session(`s_taken_${i}`), [fire(T0 + 1000)]);
    await expect.poll(() => updates.length).toBe(1100);
    expect(new Set(updates.map((u) => u.alarm.id)).size).toBe(1100);
    expect(reservations.length).toBeLessThanOrEqual(2);
  });

  it('a burst of 1,000 raises reserves its ids in a few round trips, not one per 16 alarms', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alarm-ids-'));
    const clock = new ManualClock(T0);
    const a = node(join(dir, 'db.sqlite'), clock);
    open.push(a);
    // Each reservation is a round trip to the database, one at a time: on a loaded machine 0.1-1 s each, so
    // 63 of them in a row (16 ids each) held the burst's alarms off the screens for a minute.
    const repo = new AlarmRepo(a.store);
    let reservations = 0;
    const reserve = repo.reserveAlarmIds.bind(repo);
    repo.reserveAlarmIds = (n, floor) => {
      reservations++;
      return reserve(n, floor);
    };
    const hub = new Hub();
    const alarms = new AlarmManager(repo, a.queue, hub, clock, log);
    const shown: AlarmUpdate[] = [];
    hub.on('alarm', (u) => shown.push(u));
    await alarms.restore();
    for (let i = 0; i < 1000; i++) alarms.apply(session(`s_${i}`), [fire(T0 + i)]);
    await expect.poll(() => shown.length, { timeout: 20_000 }).toBe(1000);
    expect(reservations).toBeLessThanOrEqual(4);
    // Every alarm its own id, shown in the order raised.
    expect(new Set(shown.map((u) => u.alarm.id)).size).toBe(1000);
    expect(shown.map((u) => u.alarm.sessionId)).toEqual(Array.from({ length: 1000 }, (_, i) => `s_${i}`));
    // The block follows demand back down: a single raise later takes no more than a small block.
    const before = reservations;
    for (let i = 0; i < 3; i++) alarms.apply(session(`later_${i}`), [fire(T0 + 5000 + i)]);
    await expect.poll(() => shown.length).toBe(1003);
    expect(reservations - before).toBeLessThanOrEqual(1);
  });
});
