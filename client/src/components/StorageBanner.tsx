import { formatClock } from '../format';
import { recordingFailed } from '../stores/storageState';
import { useStorage } from '../stores/useStorage';

export const RECORDING_FAILED_TEXT = 'Technical alarm: recording failed — alarms are shown but not being recorded';

/**
 * The server cannot store what it monitors (disk full, I/O error). A technical alarm, styled apart
 * from the clinical ones, shown to every screen until the server reports recording is back.
 */
export function StorageBanner() {
  const failed = useStorage(recordingFailed);
  const status = useStorage((s) => s.status);
  if (!failed || !status) return null;
  return (
    <div className="storage-banner" role="alert" data-testid="storage-banner">
      <div className="storage-banner-text">{RECORDING_FAILED_TEXT}</div>
      <div className="storage-banner-detail">
        Since {formatClock(status.since)} · {status.reason} · {status.heldAlarmWrites} alarm change(s) held until storage is back · call technical support
      </div>
    </div>
  );
}
