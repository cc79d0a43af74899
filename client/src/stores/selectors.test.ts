import { describe, expect, it } from 'vitest';
import { T0, alarm, session } from '../testFixtures';
import { audiblePriority, highestPriority, isLatched, overviewSessions, runningInfusion, sessionAlarmHistory, shownAlarms } from './selectors';

const byId = (...alarms: ReturnType<typeof alarm>[]) => Object.fromEntries(alarms.map((a) => [a.id, a]));

describe('highestPriority', () => {
  it('is null without unresolved alarms', () => {
    expect(highestPriority([])).toBeNull();
    expect(highestPriority([alarm({ state: 'resolved' })])).toBeNull();
  });

  it('picks high over medium over low, whatever the order', () => {
    expect(highestPriority([alarm({ id: 1, priority: 'low' }), alarm({ id: 2, priority: 'high' }), alarm({ id: 3, priority: 'medium' })])).toBe('high');
    expect(highestPriority([alarm({ id: 1, priority: 'low' }), alarm({ id: 2, priority: 'medium' })])).toBe('medium');
    expect(highestPriority([alarm({ id: 1, priority: 'low' })])).toBe('low');
  });

  it('ignores resolved alarms but counts acknowledged ones (the visual signal stays)', () => {
    expect(highestPriority([alarm({ id: 1, priority: 'high', state: 'resolved' }), alarm({ id: 2, priority: 'low' })])).toBe('low');
    expect(highestPriority([alarm({ id: 1, priority: 'high', state: 'acknowledged' }), alarm({ id: 2, priority: 'low' })])).toBe('high');
  });
});

describe('audiblePriority', () => {
  it('sounds only unacknowledged alarms', () => {
    expect(audiblePriority([alarm({ id: 1, priority: 'high', state: 'acknowledged' }), alarm({ id: 2, priority: 'medium' })])).toBe('medium');
    expect(audiblePriority([alarm({ id: 1, state: 'acknowledged' })])).toBeNull();
  });
});

describe('alarm lists', () => {
  it('shownAlarms: unresolved only, highest priority first, then newest', () => {
    const list = shownAlarms(
      byId(
        alarm({ id: 1, priority: 'medium', startedAt: T0 }),
        alarm({ id: 2, priority: 'high', startedAt: T0 }),
        alarm({ id: 3, priority: 'medium', startedAt: T0 + 5 }),
        alarm({ id: 4, priority: 'high', state: 'resolved' }),
        alarm({ id: 5, priority: 'low', sessionId: 's2' }),
      ),
      's1',
    );
    expect(list.map((a) => a.id)).toEqual([2, 3, 1]);
  });

  it('sessionAlarmHistory: resolved included, newest first', () => {
    const list = sessionAlarmHistory(
      byId(alarm({ id: 1, startedAt: T0 }), alarm({ id: 2, startedAt: T0 + 9, state: 'resolved' }), alarm({ id: 3, sessionId: 's2' })),
      's1',
    );
    expect(list.map((a) => a.id)).toEqual([2, 1]);
  });

  it('isLatched: active, latching, condition gone', () => {
    expect(isLatched(alarm({ latching: true, conditionActive: false }))).toBe(true);
    expect(isLatched(alarm({ latching: true, conditionActive: true }))).toBe(false);
    expect(isLatched(alarm({ latching: true, conditionActive: false, state: 'acknowledged' }))).toBe(false);
  });
});

describe('overviewSessions', () => {
  it('lists active sessions by location in natural order', () => {
    const sessions = {
      a: session({ id: 'a', location: 'Chair 10' }),
      b: session({ id: 'b', location: 'Chair 2' }),
      c: session({ id: 'c', location: 'Chair 1', status: 'ended' }),
    };
    expect(overviewSessions(sessions).map((s) => s.id)).toEqual(['b', 'a']);
  });
});

describe('runningInfusion', () => {
  it('advances the cumulative dose to the latest known time while running', () => {
    const s = session({
      weightKg: 80,
      infusion: { status: 'running', rateMgKgH: 0.5, cumulativeMg: 0, cumulativeMgPerKg: 0, asOf: T0 },
    });
    const inf = runningInfusion(s, T0 + 30 * 60_000);
    expect(inf.cumulativeMg).toBeCloseTo(20);
    expect(inf.cumulativeMgPerKg).toBeCloseTo(0.25);
    expect(runningInfusion(s, null)).toBe(s.infusion);
  });

  it('does not add dose while paused', () => {
    const s = session({ infusion: { status: 'paused', rateMgKgH: 1, cumulativeMg: 12, cumulativeMgPerKg: 0.15, asOf: T0 } });
    expect(runningInfusion(s, T0 + 3_600_000).cumulativeMg).toBe(12);
  });
});
