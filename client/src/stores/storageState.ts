import type { AlarmUpdate, StorageStatus } from '@infusion/shared';

/**
 * Whether the server is recording, as a pure reducer. A failure is a technical alarm: the banner
 * stays until the server says recording is back; alarms shown meanwhile are marked "not yet recorded".
 */
export interface StorageState {
  /** Null until the first snapshot (nothing known yet). */
  status: StorageStatus | null;
  /** Alarms with a transition the server has shown but not yet written. */
  unrecorded: Record<number, true>;
}

export const initialStorageState: StorageState = { status: null, unrecorded: {} };

/** A `storage` event or a snapshot's `storage` field: authoritative for the banner and the marks. */
export function applyStorageStatus(s: StorageState, status: StorageStatus): StorageState {
  const unrecorded: Record<number, true> = {};
  if (status.recording === 'failed') {
    // Marks from live updates that raced this status are kept until recording is back.
    Object.assign(unrecorded, s.unrecorded);
    for (const id of status.unrecordedAlarmIds) unrecorded[id] = true;
  }
  return { status, unrecorded };
}

/** An alarm update sent while storage fails carries `recorded: false`. */
export function markAlarmUpdate(s: StorageState, u: AlarmUpdate): StorageState {
  if (u.recorded !== false || s.unrecorded[u.alarm.id]) return s;
  return { ...s, unrecorded: { ...s.unrecorded, [u.alarm.id]: true } };
}

/** The technical-alarm banner is shown. */
export const recordingFailed = (s: StorageState) => s.status?.recording === 'failed';
