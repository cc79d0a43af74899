import { describe, expect, it } from 'vitest';
import { T0, alarm, detail, escalation, samples, session, snapshot, update } from '../testFixtures';
import {
  addInfusionEvent,
  addObservation,
  addRescueDose,
  applyAckResult,
  applyChecklist,
  applyOrder,
  applyEscalation,
  applyAlarmUpdate,
  applySession,
  applySessionDetail,
  applySnapshot,
  applyVitals,
  initialMonitorState,
  type MonitorState,
} from './monitorState';
import { overviewSessions } from './selectors';
import type { ChecklistRecord, Observation, Order, RescueDose, Snapshot } from '@infusion/shared';
import { openEscalations } from './escalationState';
import { TREND_WINDOW_MS } from './trend';

const withSession = (over = {}): MonitorState => applySession(initialMonitorState, session(over));
/** A subscribe sent with the state's current last alarm event id, answered with `snap`. */
const resubscribe = (s: MonitorState, snap: Snapshot, sent = s.lastAlarmEventId) => applySnapshot(s, snap, sent);

describe('alarm updates', () => {
  it('upserts the alarm and tracks the highest event id', () => {
    let s = applyAlarmUpdate(initialMonitorState, update(5, alarm({ id: 1 })));
    s = applyAlarmUpdate(s, update(7, alarm({ id: 2, priority: 'medium' })));
    expect(Object.keys(s.alarms).map(Number).sort()).toEqual([1, 2]);
    expect(s.lastAlarmEventId).toBe(7);
  });

  it('ignores a duplicate update (same event id)', () => {
    const s1 = applyAlarmUpdate(initialMonitorState, update(5, alarm({ id: 1 })));
    const dup = update(5, alarm({ id: 1, state: 'resolved' }));
    const s2 = applyAlarmUpdate(s1, dup);
    expect(s2).toBe(s1);
    expect(s2.alarms[1]?.state).toBe('active');
  });

  it('ignores an older update for an alarm that already has a newer one', () => {
    let s = applyAlarmUpdate(initialMonitorState, update(9, alarm({ id: 1, state: 'acknowledged', acknowledgedBy: 'RN Kim' })));
    s = applyAlarmUpdate(s, update(8, alarm({ id: 1, state: 'active' })));
    expect(s.alarms[1]?.state).toBe('acknowledged');
    expect(s.alarms[1]?.acknowledgedBy).toBe('RN Kim');
    expect(s.lastAlarmEventId).toBe(9);
  });

  it('applies a later update to the same alarm', () => {
    let s = applyAlarmUpdate(initialMonitorState, update(3, alarm({ id: 1 })));
    s = applyAlarmUpdate(s, update(4, alarm({ id: 1, state: 'resolved', resolvedAt: T0 + 1 }), 'resolved'));
    expect(s.alarms[1]?.state).toBe('resolved');
  });
});

describe('snapshot merge', () => {
  it('keeps local trend history on reconnect and merges the snapshot trend', () => {
    const local = samples(T0, T0 + 60_000, 1000, { hr: 70 });
    let s = withSession();
    s = applyVitals(s, [{ sessionId: 's1', samples: local }]);
    // Reconnect: the snapshot carries a downsampled window overlapping and extending the local one.
    const snapTrend = samples(T0 + 30_000, T0 + 90_000, 10_000, { hr: 90 });
    s = resubscribe(s, snapshot({ sessions: [session()], trends: { s1: snapTrend }, lastAlarmEventId: 0 }));

    const trend = s.trends.s1!;
    // Every local sample before the snapshot window is still there.
    for (const sample of local.filter((x) => x.t < T0 + 30_000)) expect(trend).toContainEqual(sample);
    expect(trend[0]?.t).toBe(T0);
    expect(trend[trend.length - 1]?.t).toBe(T0 + 90_000);
    // Ordered, one sample per t.
    const ts = trend.map((x) => x.t);
    expect(ts).toEqual([...new Set(ts)].sort((a, b) => a - b));
    expect(trend.find((x) => x.t === T0 + 90_000)?.hr).toBe(90);
  });

  it('replaces sessions and unresolved alarms from the snapshot, then applies missed updates in order', () => {
    let s = withSession({ id: 'gone' });
    s = applySession(s, session({ id: 's1' }));
    s = applyAlarmUpdate(s, update(10, alarm({ id: 1, sessionId: 'gone' })));
    s = applyAlarmUpdate(s, update(11, alarm({ id: 2, sessionId: 's1', priority: 'low' })));

    const snap = snapshot({
      sessions: [session({ id: 's1', nurse: 'RN New' })],
      alarms: [alarm({ id: 3, sessionId: 's1', priority: 'medium' })],
      missedAlarmUpdates: [
        update(12, alarm({ id: 2, sessionId: 's1', priority: 'low', state: 'resolved' }), 'resolved'),
        update(13, alarm({ id: 3, sessionId: 's1', priority: 'medium' })),
      ],
      lastAlarmEventId: 13,
    });
    s = resubscribe(s, snap);

    expect(Object.keys(s.sessions)).toEqual(['s1']);
    expect(s.sessions.s1?.nurse).toBe('RN New');
    // Alarm 1 was unresolved locally, is not in the snapshot and had no newer update: dropped.
    expect(s.alarms[1]).toBeUndefined();
    // Alarm 2 was resolved by a missed update: kept as resolved history.
    expect(s.alarms[2]?.state).toBe('resolved');
    expect(s.alarms[3]?.priority).toBe('medium');
    expect(s.lastAlarmEventId).toBe(13);
  });

  it('does not undo a live alarm update that arrived before the snapshot ack', () => {
    let s = withSession();
    s = applyAlarmUpdate(s, update(18, alarm({ id: 1 })));
    const sent = s.lastAlarmEventId;
    s = applyAlarmUpdate(s, update(21, alarm({ id: 1, state: 'acknowledged', acknowledgedBy: 'RN Kim' }), 'acknowledged'));
    // The snapshot was computed at event 20, when alarm 1 was still active.
    s = resubscribe(s, snapshot({ sessions: [session()], alarms: [alarm({ id: 1 })], lastAlarmEventId: 20 }), sent);
    expect(s.alarms[1]?.state).toBe('acknowledged');
    expect(s.lastAlarmEventId).toBe(21);
  });

  it('ignores live updates already covered by the snapshot', () => {
    let s = resubscribe(withSession(), snapshot({ sessions: [session()], alarms: [alarm({ id: 1, state: 'acknowledged' })], lastAlarmEventId: 30 }));
    s = applyAlarmUpdate(s, update(29, alarm({ id: 1, state: 'active' })));
    expect(s.alarms[1]?.state).toBe('acknowledged');
  });

  it('starts over when the server alarm log restarted (lower ids than ours)', () => {
    let s = applyAlarmUpdate(withSession(), update(500, alarm({ id: 1 })));
    s = resubscribe(s, snapshot({ sessions: [session()], alarms: [alarm({ id: 7 })], lastAlarmEventId: 3 }));
    expect(s.alarms[1]).toBeUndefined();
    expect(s.alarms[7]).toBeDefined();
    expect(s.lastAlarmEventId).toBe(3);
    s = applyAlarmUpdate(s, update(4, alarm({ id: 7, state: 'acknowledged' })));
    expect(s.alarms[7]?.state).toBe('acknowledged');
  });

  it('keeps a session created after the snapshot was taken', () => {
    const late = session({ id: 'late', createdAt: T0 + 10 });
    const s = resubscribe(applySession(initialMonitorState, late), snapshot({ serverTime: T0, sessions: [] }));
    expect(s.sessions.late).toBeDefined();
  });

  it('does not let a stale snapshot reopen a session that ended live', () => {
    let s = withSession();
    s = applySession(s, session({ status: 'ended', endedAt: T0 + 5 }));
    s = resubscribe(s, snapshot({ sessions: [session()] }));
    expect(s.sessions.s1?.status).toBe('ended');
    expect(overviewSessions(s.sessions)).toHaveLength(0);
  });
});

describe('live vitals', () => {
  it('caps each session trend to the last 15 minutes by sample time', () => {
    const twentyMinutes = samples(T0, T0 + 20 * 60_000, 5000);
    const s = applyVitals(withSession(), [{ sessionId: 's1', samples: twentyMinutes }]);
    const trend = s.trends.s1!;
    const newest = T0 + 20 * 60_000;
    expect(trend[trend.length - 1]?.t).toBe(newest);
    expect(trend[0]?.t).toBe(newest - TREND_WINDOW_MS);
    expect(trend.every((x) => x.t >= newest - TREND_WINDOW_MS)).toBe(true);
  });

  it('caps across batches as time moves on', () => {
    let s = applyVitals(withSession(), [{ sessionId: 's1', samples: samples(T0, T0 + 60_000, 1000) }]);
    s = applyVitals(s, [{ sessionId: 's1', samples: [{ t: T0 + 16 * 60_000, hr: 100 }] }]);
    expect(s.trends.s1?.map((x) => x.t)).toEqual([T0 + 60_000, T0 + 16 * 60_000]);
  });

  it('appends per session from one batch', () => {
    let s = applySession(withSession(), session({ id: 's2' }));
    s = applyVitals(s, [
      { sessionId: 's1', samples: [{ t: T0, hr: 70 }] },
      { sessionId: 's2', samples: [{ t: T0, hr: 110 }] },
    ]);
    expect(s.trends.s1?.[0]?.hr).toBe(70);
    expect(s.trends.s2?.[0]?.hr).toBe(110);
  });
});

describe('sessions', () => {
  it('an ended session leaves the overview and drops its live trend', () => {
    let s = applySession(withSession(), session({ id: 's2', location: 'Chair 2' }));
    s = applyVitals(s, [{ sessionId: 's1', samples: [{ t: T0, hr: 70 }] }]);
    expect(overviewSessions(s.sessions).map((x) => x.id)).toEqual(['s1', 's2']);

    s = applySession(s, session({ status: 'ended', endedAt: T0 + 1 }));
    expect(overviewSessions(s.sessions).map((x) => x.id)).toEqual(['s2']);
    expect(s.trends.s1).toBeUndefined();
    // Late vitals of the ended session do not bring a trend back.
    s = applyVitals(s, [{ sessionId: 's1', samples: [{ t: T0 + 2, hr: 70 }] }]);
    expect(s.trends.s1).toBeUndefined();
  });

  it('keeps a newer infusion state over an older copy', () => {
    const running = session({ infusion: { status: 'running', rateMgKgH: 0.5, cumulativeMg: 10, cumulativeMgPerKg: 0.125, asOf: T0 + 60_000 } });
    let s = applySession(initialMonitorState, running);
    s = applySession(s, session());
    expect(s.sessions.s1?.infusion.status).toBe('running');
  });
});

describe('session detail and acknowledgement', () => {
  it('adds history from the detail but never moves an alarm back', () => {
    let s = applyAlarmUpdate(withSession(), update(40, alarm({ id: 1, state: 'resolved' }), 'resolved'));
    s = applySessionDetail(s, {
      session: session(),
      trend: [],
      infusionEvents: [{ id: 1, sessionId: 's1', type: 'start', t: T0, rateMgKgH: 0.5, doseMg: null, note: null, by: 'RN Kim' }],
      alarms: [alarm({ id: 1, state: 'active' }), alarm({ id: 2, state: 'resolved', priority: 'low' })],
      observations: [],
      checklist: null,
      rescueDoses: [],
    });
    expect(s.alarms[1]?.state).toBe('resolved');
    expect(s.alarms[2]?.state).toBe('resolved');
    expect(s.infusionEvents.s1?.map((e) => e.id)).toEqual([1]);
  });

  it('infusion events are merged by id in time order', () => {
    const ev = (id: number, t: number) => ({ id, sessionId: 's1', type: 'bolus' as const, t, rateMgKgH: null, doseMg: 10, note: null, by: 'Dr Ray' });
    let s = addInfusionEvent(withSession(), ev(2, T0 + 10));
    s = addInfusionEvent(s, ev(1, T0));
    s = addInfusionEvent(s, ev(2, T0 + 10));
    expect(s.infusionEvents.s1?.map((e) => e.id)).toEqual([1, 2]);
  });

  it('an acknowledge reply advances an active alarm but cannot undo its resolution', () => {
    let s = applyAlarmUpdate(withSession(), update(1, alarm({ id: 1 })));
    s = applyAckResult(s, alarm({ id: 1, state: 'acknowledged', acknowledgedBy: 'RN Kim' }));
    expect(s.alarms[1]?.state).toBe('acknowledged');
    s = applyAlarmUpdate(s, update(2, alarm({ id: 1, state: 'resolved' }), 'resolved'));
    const after = applyAckResult(s, alarm({ id: 1, state: 'acknowledged' }));
    expect(after).toBe(s);
  });
});

describe('bedside documentation and escalations', () => {
  const obs = (id: number, t: number): Observation => ({ id, sessionId: 's1', scale: 'RASS', score: 0, t, note: null, by: 'user:nurse' });
  const dose = (id: number, t: number): RescueDose => ({ id, sessionId: 's1', drugId: 'midazolam', drug: 'Midazolam', doseMg: 2, route: 'IV', alarmId: 7, t, note: null, by: 'user:nurse' });
  const record = (at: number, override: ChecklistRecord['override'] = null): ChecklistRecord =>
    ({ sessionId: 's1', input: {} as ChecklistRecord['input'], result: { passed: false, items: [] }, at, by: 'user:nurse', override });

  it('observations and rescue doses are merged by id (answer and live event), in time order, and from the detail', () => {
    let s = addObservation(withSession(), obs(2, T0 + 10));
    s = addObservation(s, obs(2, T0 + 10));
    s = addObservation(s, obs(1, T0));
    s = addRescueDose(s, dose(5, T0 + 5));
    s = applySessionDetail(s, detail({ observations: [obs(3, T0 + 20), obs(1, T0)], rescueDoses: [dose(5, T0 + 5), dose(4, T0)] }));
    expect(s.observations.s1?.map((o) => o.id)).toEqual([1, 2, 3]);
    expect(s.rescueDoses.s1?.map((d) => d.id)).toEqual([4, 5]);
  });

  it('a checklist copy never replaces a newer submission or drops an override', () => {
    let s = applyChecklist(withSession(), 's1', record(T0 + 10));
    s = applyChecklist(s, 's1', record(T0 + 10, { reason: 'benefit outweighs', by: 'user:physician', at: T0 + 20 }));
    expect(s.checklists.s1?.override?.reason).toBe('benefit outweighs');
    s = applySessionDetail(s, detail({ checklist: record(T0 + 10) }));
    expect(s.checklists.s1?.override).not.toBeNull();
    s = applySessionDetail(s, detail({ checklist: record(T0) }));
    expect(s.checklists.s1?.at).toBe(T0 + 10);
    s = applyChecklist(s, 's1', record(T0 + 30));
    expect(s.checklists.s1).toMatchObject({ at: T0 + 30, override: null });
  });

  it('a checklist re-bound to a newer order replaces the held one, even when it drops the override; an older binding does not', () => {
    const bound = (orderVersion: number, override: ChecklistRecord['override'] = null): ChecklistRecord => ({ ...record(T0 + 10, override), orderVersion });
    let s = applyChecklist(withSession(), 's1', bound(1, { reason: 'benefit outweighs', by: 'user:physician', at: T0 + 20 }));
    s = applyChecklist(s, 's1', { ...bound(2), reopened: { orderVersion: 2, items: ['setting'], at: T0 + 40 } });
    expect(s.checklists.s1).toMatchObject({ orderVersion: 2, override: null, reopened: { items: ['setting'] } });
    const late = applyChecklist(s, 's1', bound(1, { reason: 'benefit outweighs', by: 'user:physician', at: T0 + 20 }));
    expect(late).toBe(s);
  });

  it('a detail without a checklist records that none was submitted', () => {
    const s = applySessionDetail(withSession(), detail());
    expect(s.checklists).toEqual({ s1: null });
  });

  it('escalations come from the snapshot and live events; the snapshot drops ones finished while away', () => {
    let s = applyEscalation(withSession(), escalation({ id: 1 }));
    s = applyEscalation(s, escalation({ id: 2 }));
    s = resubscribe(s, snapshot({ sessions: [session()], escalations: [escalation({ id: 2, level: 2 })] }));
    expect(openEscalations(s.escalations).map((e) => [e.id, e.level])).toEqual([[2, 2]]);
    s = applyEscalation(s, escalation({ id: 2, level: 2, state: 'acknowledged' }));
    expect(openEscalations(s.escalations)).toEqual([]);
  });

  it('the snapshot sets the server clock offset and keeps documentation of sessions still shown', () => {
    let s = addObservation(withSession(), obs(1, T0));
    s = addObservation(s, { ...obs(2, T0), sessionId: 'gone' });
    s = applySnapshot(s, snapshot({ serverTime: T0 + 5000, sessions: [session()] }), undefined, T0 + 3000);
    expect(s.clockOffsetMs).toBe(2000);
    expect(Object.keys(s.observations)).toEqual(['s1']);
    s = applySnapshot(s, snapshot({ serverTime: T0 + 9000, sessions: [session()] }), undefined);
    expect(s.clockOffsetMs).toBe(2000);
  });

  it('keeps the server\'s audio pause duration from the snapshot (countdowns never show more)', () => {
    let s = applySnapshot(withSession(), snapshot({ audioPauseMs: 120_000 }), undefined, T0);
    expect(s.audioPauseMs).toBe(120_000);
    s = applySnapshot(s, snapshot(), undefined, T0);
    expect(s.audioPauseMs).toBe(120_000);
  });
});

describe('physician orders', () => {
  const order = (version: number): Order => ({
    sessionId: 's1',
    drug: 'ketamine',
    setting: 'clinic',
    rateMinMgKgH: 0.5,
    rateMaxMgKgH: version,
    bolusAllowed: false,
    bolusMaxMgKg: null,
    bolusMinIntervalMin: null,
    maxCumulativeMgKg: 8,
    version,
    at: T0 + version,
    by: 'physician',
  });

  it('keeps the newest version whichever answer arrives last', () => {
    const written = applyOrder(initialMonitorState, 's1', order(2));
    // A detail read before the change arrives after it: the written version stands.
    const stale = applySessionDetail(written, detail({ order: order(1) }));
    expect(stale.orders.s1?.version).toBe(2);
    expect(applySessionDetail(stale, detail({ order: order(3) })).orders.s1?.version).toBe(3);
  });

  it('knows a session without an order, and never drops a known order for a null', () => {
    const none = applySessionDetail(initialMonitorState, detail({ order: null }));
    expect(none.orders.s1).toBeNull();
    const written = applyOrder(none, 's1', order(1));
    expect(applyOrder(written, 's1', null)).toBe(written);
  });
});
