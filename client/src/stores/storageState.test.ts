import type { StorageStatus } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { alarm, update } from '../testFixtures';
import { applyStorageStatus, initialStorageState, markAlarmUpdate, recordingFailed } from './storageState';

const failed = (over: Partial<StorageStatus> = {}): StorageStatus => ({
  recording: 'failed',
  since: 1000,
  reason: 'SQLITE_FULL: database or disk is full',
  heldAlarmWrites: 1,
  unrecordedAlarmIds: [],
  ...over,
});
const ok: StorageStatus = { recording: 'ok', since: null, reason: null, heldAlarmWrites: 0, unrecordedAlarmIds: [] };

describe('storage state', () => {
  it('shows the banner from a failure until recording is back, and marks alarms shown meanwhile', () => {
    let s = applyStorageStatus(initialStorageState, failed({ unrecordedAlarmIds: [3] }));
    expect(recordingFailed(s)).toBe(true);
    s = markAlarmUpdate(s, { ...update(9, alarm({ id: 4 })), recorded: false });
    expect(Object.keys(s.unrecorded)).toEqual(['3', '4']);
    // A recorded update changes nothing; a repeated failure status keeps the marks.
    expect(markAlarmUpdate(s, update(10, alarm({ id: 5 })))).toBe(s);
    s = applyStorageStatus(s, failed({ unrecordedAlarmIds: [3] }));
    expect(Object.keys(s.unrecorded)).toEqual(['3', '4']);
    s = applyStorageStatus(s, ok);
    expect(recordingFailed(s)).toBe(false);
    expect(s.unrecorded).toEqual({});
  });

  it('shows no banner before anything is known', () => {
    expect(recordingFailed(initialStorageState)).toBe(false);
  });
});
