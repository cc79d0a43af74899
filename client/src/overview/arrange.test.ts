import { describe, expect, it } from 'vitest';
import { alarm, session } from '../testFixtures';
import { alarmingFields } from '../stores/selectors';
import { arrangeTiles, nursesOf } from './arrange';
import { navigationOrder } from './tileOrder';

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

describe('by nurse', () => {
  const staffed = [
    session({ id: 'a', location: 'Chair 10', patientLabel: 'P-A', nurse: 'RN Lee' }),
    session({ id: 'b', location: 'Chair 2', patientLabel: 'P-B', nurse: 'RN Adams' }),
    session({ id: 'c', location: 'Chair 3', patientLabel: 'P-C', nurse: 'rn  lee' }),
    session({ id: 'd', location: 'Chair 1', patientLabel: 'P-D', nurse: 'RN Adams' }),
  ];
  it("sorts each nurse's sessions together, by chair within; spacing and case do not make two nurses", () => {
    expect(ids(arrangeTiles(staffed, {}, 'nurse', 'all', ''))).toEqual(['d', 'b', 'c', 'a']);
    expect(nursesOf(staffed)).toEqual(['RN Adams', 'RN Lee']);
  });
  it('filters to one nurse, together with the other filters', () => {
    expect(ids(arrangeTiles(staffed, {}, 'chair', 'all', '', 'RN Lee'))).toEqual(['c', 'a']);
    expect(ids(arrangeTiles(staffed, alarms, 'chair', 'alarming', '', 'RN Adams'))).toEqual(['b']);
  });
});

describe('navigationOrder', () => {
  const chairOrder = [session({ id: 'd' }), session({ id: 'b' }), session({ id: 'c' }), session({ id: 'a' })];
  it('follows the displayed order, skips what the filter hid and drops sessions no longer active', () => {
    expect(ids(navigationOrder(chairOrder, ['c', 'a', 'gone', 'd']))).toEqual(['c', 'a', 'd']);
  });
  it('is the chair order before the overview displayed anything', () => {
    expect(ids(navigationOrder(chairOrder, null))).toEqual(['d', 'b', 'c', 'a']);
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
