import { describe, expect, it } from 'vitest';
import { alarm, session } from '../testFixtures';
import { alarmingFields } from '../stores/selectors';
import { arrangeTiles } from './arrange';

const sessions = [
  session({ id: 'a', location: 'Chair 10', patientLabel: 'P-A' }),
  session({ id: 'b', location: 'Chair 2', patientLabel: 'P-B' }),
  session({ id: 'c', location: 'Chair 3', patientLabel: 'P-C' }),
  session({ id: 'd', location: 'Chair 1', patientLabel: 'P-D' }),
];
const alarms = {
  1: alarm({ id: 1, sessionId: 'c', priority: 'medium', state: 'active' }),
  2: alarm({ id: 2, sessionId: 'a', priority: 'high', state: 'acknowledged' }),
  3: alarm({ id: 3, sessionId: 'b', priority: 'high', state: 'active' }),
  4: alarm({ id: 4, sessionId: 'd', priority: 'high', state: 'resolved' }),
};
const ids = (s: { id: string }[]) => s.map((x) => x.id);

describe('arrangeTiles', () => {
  it('sorts by chair in natural order', () => {
    expect(ids(arrangeTiles(sessions, alarms, 'chair', 'all', ''))).toEqual(['d', 'b', 'c', 'a']);
  });

  it('sorts by alarm: highest priority first, unacknowledged before acknowledged, resolved alarms ignored', () => {
    expect(ids(arrangeTiles(sessions, alarms, 'alarm', 'all', ''))).toEqual(['b', 'a', 'c', 'd']);
  });

  it('filters to sessions with alarms, or with unacknowledged ones, or by chair or patient', () => {
    expect(ids(arrangeTiles(sessions, alarms, 'chair', 'alarming', ''))).toEqual(['b', 'c', 'a']);
    expect(ids(arrangeTiles(sessions, alarms, 'chair', 'unacknowledged', ''))).toEqual(['b', 'c']);
    expect(ids(arrangeTiles(sessions, alarms, 'chair', 'all', 'p-c'))).toEqual(['c']);
    expect(ids(arrangeTiles(sessions, alarms, 'chair', 'all', 'chair 1'))).toEqual(['d', 'a']);
  });
});

describe('alarmingFields', () => {
  it('gives each vital the highest priority of the alarms whose condition lasts', () => {
    const list = [
      alarm({ id: 1, field: 'spo2', priority: 'medium' }),
      alarm({ id: 2, field: 'spo2', priority: 'high' }),
      alarm({ id: 3, field: 'hr', priority: 'high', conditionActive: false }),
      alarm({ id: 4, field: 'rr', priority: 'low', state: 'resolved' }),
      alarm({ id: 5, field: null, priority: 'low' }),
    ];
    expect(alarmingFields(list)).toEqual({ spo2: 'high' });
  });
});
