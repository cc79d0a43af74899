import { describe, expect, it } from 'vitest';
import { T0, escalation } from '../testFixtures';
import { MAX_FINISHED_ESCALATIONS, acknowledgedEscalations, escalationsFromSnapshot, openEscalations, upsertEscalation, type EscalationMap } from './escalationState';

const ids = (m: EscalationMap) => openEscalations(m).map((e) => e.id);

describe('escalation reducer', () => {
  it('inserts a new escalation and updates it by id', () => {
    let m = upsertEscalation({}, escalation({ id: 1 }));
    m = upsertEscalation(m, escalation({ id: 2, alarmId: 2 }));
    expect(ids(m)).toEqual([1, 2]);
    m = upsertEscalation(m, escalation({ id: 1, level: 2, nextLevelAt: null }));
    expect(Object.keys(m)).toHaveLength(2);
    expect(m[1]?.level).toBe(2);
  });

  it('acknowledged and closed escalations leave the open list', () => {
    let m = upsertEscalation({}, escalation({ id: 1 }));
    m = upsertEscalation(m, escalation({ id: 2, alarmId: 2 }));
    m = upsertEscalation(m, escalation({ id: 1, state: 'acknowledged', acknowledgedAt: T0 + 5000, acknowledgedBy: 'user:physician' }));
    expect(ids(m)).toEqual([2]);
    m = upsertEscalation(m, escalation({ id: 2, state: 'closed', closedAt: T0 + 6000, closedReason: 'alarm resolved' }));
    expect(ids(m)).toEqual([]);
  });

  it('ignores a stale copy: an open copy after the acknowledgement, a level-1 copy after level 2', () => {
    let m = upsertEscalation({}, escalation({ id: 1, level: 2 }));
    const before = m;
    m = upsertEscalation(m, escalation({ id: 1, level: 1 }));
    expect(m).toBe(before);
    m = upsertEscalation(m, escalation({ id: 1, level: 2, state: 'acknowledged' }));
    m = upsertEscalation(m, escalation({ id: 1, level: 2, state: 'open' }));
    expect(m[1]?.state).toBe('acknowledged');
    expect(ids(m)).toEqual([]);
  });

  it('takes a same-state update (e.g. the next level time cleared once someone is at the bedside)', () => {
    let m = upsertEscalation({}, escalation({ id: 1 }));
    m = upsertEscalation(m, escalation({ id: 1, nextLevelAt: null }));
    expect(m[1]?.nextLevelAt).toBeNull();
  });

  it('lists level 2 first, then higher priority, then the one waiting longest', () => {
    let m: EscalationMap = {};
    m = upsertEscalation(m, escalation({ id: 1, priority: 'medium', openedAt: T0 }));
    m = upsertEscalation(m, escalation({ id: 2, priority: 'high', openedAt: T0 + 10 }));
    m = upsertEscalation(m, escalation({ id: 3, priority: 'medium', level: 2, openedAt: T0 + 20 }));
    m = upsertEscalation(m, escalation({ id: 4, priority: 'high', openedAt: T0 + 5 }));
    expect(ids(m)).toEqual([3, 4, 2, 1]);
  });

  it('a snapshot is the open list: open ones it does not name were finished while away', () => {
    let m = upsertEscalation({}, escalation({ id: 1 }));
    m = upsertEscalation(m, escalation({ id: 2 }));
    m = upsertEscalation(m, escalation({ id: 3, state: 'closed' }));
    m = escalationsFromSnapshot(m, [escalation({ id: 2, level: 2 }), escalation({ id: 4 })]);
    expect(ids(m)).toEqual([2, 4]);
    expect(m[2]?.level).toBe(2);
    expect(m[1]).toBeUndefined();
    // A finished one stays finished even if a stale snapshot lists it.
    m = escalationsFromSnapshot(m, [escalation({ id: 3 })]);
    expect(m[3]?.state).toBe('closed');
  });

  it('forgets the oldest finished escalations beyond the bound, never an open one', () => {
    let m = upsertEscalation({}, escalation({ id: 100_000, openedAt: T0 }));
    for (let i = 1; i <= MAX_FINISHED_ESCALATIONS + 3; i++) m = upsertEscalation(m, escalation({ id: i, state: 'closed', closedAt: T0 + i }));
    expect(Object.keys(m)).toHaveLength(MAX_FINISHED_ESCALATIONS + 1);
    expect(m[1]).toBeUndefined();
    expect(m[100_000]?.state).toBe('open');
  });

  it('keeps the recently acknowledged ones a snapshot lists, newest first, also once their alarm has resolved', () => {
    const ackA = escalation({ id: 1, state: 'acknowledged', acknowledgedAt: T0 + 1000, acknowledgedBy: 'user:physician' });
    const ackThenClosed = escalation({ id: 2, alarmId: 2, state: 'closed', acknowledgedAt: T0 + 2000, acknowledgedBy: 'user:physician', closedAt: T0 + 3000, closedReason: 'alarm resolved' });
    const closedUnanswered = escalation({ id: 3, alarmId: 3, state: 'closed', closedAt: T0 + 4000, closedReason: 'alarm resolved' });
    const m = escalationsFromSnapshot({}, [escalation({ id: 4, alarmId: 4 })], [ackA, ackThenClosed, closedUnanswered]);
    expect(openEscalations(m).map((e) => e.id)).toEqual([4]);
    expect(acknowledgedEscalations(m).map((e) => e.id)).toEqual([2, 1]);
  });
});
