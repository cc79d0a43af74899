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
  const alarms = new AlarmManager(new AlarmRepo(store.raw), queue, hub, clock, log);
  return { store, queue, alarms, updates, repo: new AlarmRepo(store.raw) };
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

    const stored = a.repo.unresolved();
    expect(stored.map((x) => x.sessionId).sort()).toEqual(['s_a', 's_b']);
    expect(new Set(stored.map((x) => x.id)).size).toBe(2);
    const events = a.repo.updatesSince(0, 10);
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
    const after = a.repo.updatesSince(a.updates[0]!.eventId, 10);
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
    expect(holder.repo.unresolved()).toEqual([]);
    expect(holder.repo.forSession('s_a').map((a) => a.state)).toEqual(['resolved']);
  });
});
