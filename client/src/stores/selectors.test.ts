import { describe, expect, it } from 'vitest';
import { T0, alarm, session } from '../testFixtures';
import { formatCountdown } from '../format';
import { alarmAudioPauseLeft, audioPauseLeft, audiblePriority, isAlarmSilenced, lastAudioPauseEnd, highestPriority, isAudioPaused, isLatched, overviewSessions, runningInfusion, sessionAlarmHistory, shownAlarms } from './selectors';

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

  it('stays silent for a session whose audio is paused, and only for that session', () => {
    const alarms = [alarm({ id: 1, priority: 'high', sessionId: 's1' }), alarm({ id: 2, priority: 'medium', sessionId: 's2' })];
    expect(audiblePriority(alarms, (a) => a.sessionId === 's1')).toBe('medium');
    expect(audiblePriority(alarms, () => true)).toBeNull();
    expect(audiblePriority(alarms, () => false)).toBe('high');
  });
});

describe('audio pause', () => {
  const paused = session({ audioPausedUntil: T0 + 120_000 });
  it('is paused until the time the server gave, then not', () => {
    expect(isAudioPaused(paused, T0)).toBe(true);
    expect(isAudioPaused(paused, T0 + 119_999)).toBe(true);
    expect(isAudioPaused(paused, T0 + 120_000)).toBe(false);
    expect(isAudioPaused(session(), T0)).toBe(false);
    expect(isAudioPaused(undefined, T0)).toBe(false);
  });

  it('counts down the time left', () => {
    expect(audioPauseLeft(paused, T0 + 7000)).toBe(113_000);
    expect(audioPauseLeft(paused, T0 + 130_000)).toBe(0);
    expect(audioPauseLeft(session(), T0)).toBe(0);
  });

  it('never leaves more than the pause, when this page reads the server clock a little behind', () => {
    // The page's estimate of the server clock lags 300 ms (the snapshot's travel time): a 2-minute pause
    // would read 120.3 s left, shown as 2:01.
    const paused = session({ audioPausedUntil: T0 + 120_000, alarmAudioPauses: [{ alarmId: 1, until: T0 + 120_000 }] });
    expect(formatCountdown(audioPauseLeft(paused, T0 - 300, 120_000))).toBe('2:00');
    expect(formatCountdown(alarmAudioPauseLeft(paused, 1, T0 - 300, 120_000))).toBe('2:00');
    expect(audioPauseLeft(paused, T0 + 7000, 120_000)).toBe(113_000);
    expect(alarmAudioPauseLeft(paused, 1, T0 + 7000, 120_000)).toBe(113_000);
    // Duration not known yet (before the first snapshot): the time to the pause's end.
    expect(audioPauseLeft(paused, T0 - 300, null)).toBe(120_300);
  });
});

describe('audio pause of one alarm', () => {
  const s1 = session({ alarmAudioPauses: [{ alarmId: 1, until: T0 + 120_000 }] });
  it('silences that alarm until the time the server gave, and no other alarm of the session', () => {
    expect(isAlarmSilenced(alarm({ id: 1 }), s1, T0 + 119_999)).toBe(true);
    expect(isAlarmSilenced(alarm({ id: 1 }), s1, T0 + 120_000)).toBe(false);
    expect(isAlarmSilenced(alarm({ id: 2 }), s1, T0)).toBe(false);
    expect(alarmAudioPauseLeft(s1, 1, T0 + 20_000)).toBe(100_000);
    const alarms = [alarm({ id: 1, priority: 'high' }), alarm({ id: 2, priority: 'medium' })];
    expect(audiblePriority(alarms, (a) => isAlarmSilenced(a, s1, T0))).toBe('medium');
  });

  it('a session pause silences every alarm of the session; countdowns tick until the last pause ends', () => {
    const both = session({ audioPausedUntil: T0 + 60_000, alarmAudioPauses: [{ alarmId: 1, until: T0 + 120_000 }] });
    expect(isAlarmSilenced(alarm({ id: 7 }), both, T0)).toBe(true);
    expect(lastAudioPauseEnd([both, session()])).toBe(T0 + 120_000);
    expect(lastAudioPauseEnd([session()])).toBeNull();
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
