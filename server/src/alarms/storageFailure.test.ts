import type { Alarm, Escalation } from '@infusion/shared';
import { pino } from 'pino';
import { highAlarm as alarmFixture } from '@infusion/shared/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../persistence/db';
import { ManualClock } from '../util/clock';
import { Hub } from '../util/hub';
import { EscalationService } from './escalationService';
import { outboxRepo } from '../persistence/outboxRepo';
import { sqliteStore } from '../persistence/store';
import { CLAIM_MS, OutboxSender } from './outboxSender';

// A database that refuses every write (SQLite's query_only) fails them the way a full disk does: with a storage error.
const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
let db: Db;
afterEach(() => db?.close());

/** The shared high alarm, raised at this file's T0. */
const highAlarm = (over: Partial<Alarm> = {}): Alarm => alarmFixture({ startedAt: T0, ...over });

describe('escalation while storage fails', () => {
  it('does not throw or lose a high alarm\'s escalation: it opens once storage takes writes again', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const opened: Escalation[] = [];
    hub.on('escalation', (e) => opened.push(e));
    const esc = new EscalationService(sqliteStore(db), hub, clock, log, { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] }, () => 'Chair 3');

    db.pragma('query_only = ON');
    expect(() => esc.onAlarm({ eventId: 1, transition: 'raised', at: T0, alarm: highAlarm() })).not.toThrow();
    await esc.idle();
    clock.advance(1000);
    expect(() => esc.tick()).not.toThrow();
    await esc.idle();
    expect(esc.list()).toEqual([]);

    db.pragma('query_only = OFF');
    clock.advance(1000);
    esc.tick();
    await esc.idle();
    expect(esc.list()).toMatchObject([{ alarmId: 7, level: 1, state: 'open' }]);
    expect(opened).toHaveLength(1);
    // The step and its outbox rows were stored together.
    expect(db.prepare("SELECT channel, status FROM notifications ORDER BY id").all()).toEqual([
      { channel: 'dashboard', status: 'sent' },
      { channel: 'webhook', status: 'pending' },
    ]);
  });
});

describe('webhook outbox while storage fails', () => {
  it('keeps a round from rejecting when the outcome cannot be written, and sends the notification again later', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    db.prepare("INSERT INTO escalations (id, alarm_id, session_id, unit, state, level, opened_at, simulated, body) VALUES (1, 7, 's1', 'u', 'open', 1, ?, 0, '{}')").run(T0);
    db.prepare("INSERT INTO notifications (escalation_id, level, channel, target, payload, status, next_attempt_at, created_at) VALUES (1, 1, 'webhook', 'http://pager/', '{}', 'pending', ?, ?)").run(T0, T0);
    const posted: string[] = [];
    const repo = outboxRepo(sqliteStore(db));
    const outbox = new OutboxSender({
      outbox: repo,
      clock,
      log,
      nodeId: 'a',
      post: async (url) => {
        posted.push(url);
        // The page went out; meanwhile the disk filled up.
        db.pragma('query_only = ON');
        return 200;
      },
    });
    await expect(outbox.tick()).resolves.toBeUndefined();
    expect(db.prepare('SELECT status FROM notifications').get()).toEqual({ status: 'pending' });

    db.pragma('query_only = OFF');
    // The first sender's claim holds until it lapses; then any sender (here another server) sends it again.
    clock.advance(CLAIM_MS);
    const sender = new OutboxSender({ outbox: repo, clock, log, nodeId: 'b', post: async (url) => (posted.push(url), 200) });
    await sender.tick();
    expect(posted).toEqual(['http://pager/', 'http://pager/']);
    expect(db.prepare('SELECT status FROM notifications').get()).toEqual({ status: 'sent' });
  });
});

describe('hub', () => {
  it('delivers an event to every listener even when one of them throws', () => {
    const errors: unknown[] = [];
    const hub = new Hub((err) => errors.push(err));
    const got: string[] = [];
    hub.on('session', () => {
      throw new Error('disk full');
    });
    hub.on('session', (s) => got.push(s.id));
    hub.emit('session', { id: 's1' } as never);
    expect(got).toEqual(['s1']);
    expect(errors).toHaveLength(1);
  });
});

describe('escalation on takeover', () => {
  it("opens level 1 for a high alarm the previous node raised but had not escalated, and not for one it had", async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const cfg = { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] };
    // The previous node escalated alarm 7, then died before escalating alarm 8.
    const before = new EscalationService(sqliteStore(db), hub, clock, log, cfg, () => 'Chair 3');
    before.onAlarm({ eventId: 1, transition: 'raised', at: T0, alarm: highAlarm() });
    await before.idle();
    const survivor = new EscalationService(sqliteStore(db), hub, clock, log, cfg, () => 'Chair 3');
    await survivor.adoptSessions(['s1'], [highAlarm(), highAlarm({ id: 8, ruleId: 'hr.high.high' })]);
    clock.advance(1000);
    survivor.tick();
    await survivor.idle();
    expect(survivor.list().map((e) => e.alarmId).sort()).toEqual([7, 8]);
    // One page each: the already escalated alarm is not paged again.
    expect(db.prepare("SELECT e.alarm_id FROM notifications n JOIN escalations e ON e.id = n.escalation_id WHERE n.channel = 'webhook' ORDER BY e.alarm_id").all()).toEqual([{ alarm_id: 7 }, { alarm_id: 8 }]);
  });
  it('does not page again for an active high alarm whose escalation was acknowledged (closed) before the takeover', async () => {
    db = openDatabase(':memory:', T0);
    const clock = new ManualClock(T0);
    const hub = new Hub();
    const cfg = { mediumMs: 60_000, unitMs: 120_000, webhooks: ['http://pager.invalid/'] };
    const before = new EscalationService(sqliteStore(db), hub, clock, log, cfg, () => 'Chair 3');
    before.onAlarm({ eventId: 1, transition: 'raised', at: T0, alarm: highAlarm() });
    await before.idle();
    // The physician acknowledged the escalation; the alarm itself is still active.
    await before.acknowledge(before.list()[0]!.id, 'user:physician');
    const survivor = new EscalationService(sqliteStore(db), hub, clock, log, cfg, () => 'Chair 3');
    await survivor.adoptSessions(['s1', 's2'], [highAlarm(), highAlarm({ id: 9, sessionId: 's2', ruleId: 'hr.high.high' })]);
    clock.advance(1000);
    survivor.tick();
    await survivor.idle();
    expect(survivor.list().map((e) => e.alarmId)).toEqual([9]);
    expect(db.prepare("SELECT e.alarm_id FROM notifications n JOIN escalations e ON e.id = n.escalation_id WHERE n.channel = 'webhook' ORDER BY e.alarm_id").all()).toEqual([{ alarm_id: 7 }, { alarm_id: 9 }]);
  });
});
