import { useState } from 'react';
import type { Session } from '@infusion/shared';
import { useNow } from '../app/useNow';
import { useCan } from '../auth/useCan';
import { pauseAudio } from '../care/careActions';
import { formatCountdown } from '../format';
import { audioPauseLeft } from '../stores/selectors';

/**
 * "Audio paused 1:53": shown wherever the session is shown while its alarm sound is paused
 * (IEC 60601-1-8: an audio pause is disclosed, with its remaining time).
 */
export function AudioPausedCountdown({ session, withLabel }: { session: Pick<Session, 'id' | 'audioPausedUntil' | 'location' | 'patientLabel'>; withLabel?: boolean }) {
  const now = useNow(session.audioPausedUntil);
  const left = audioPauseLeft(session, now);
  if (left <= 0) return null;
  return (
    <span className="audio-paused" data-testid={`audio-paused-${session.id}`} title="Alarm sound of this session is paused; a new high-priority alarm ends the pause">
      {withLabel ? `${session.location} · ${session.patientLabel}: ` : ''}Audio paused {formatCountdown(left)}
    </span>
  );
}

/** Pauses this session's alarm sound for the server's fixed, disclosed time. */
export function AudioPauseButton({ session }: { session: Session }) {
  const allowed = useCan('alarm.acknowledge');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!allowed || session.status !== 'active') return null;
  const onClick = async () => {
    setPending(true);
    setError(null);
    const res = await pauseAudio(session.id);
    setPending(false);
    if (!res.ok) setError(res.error);
  };
  return (
    <span className="audio-pause">
      <button
        type="button"
        className="header-button"
        data-testid={`audio-pause-${session.id}`}
        disabled={pending}
        onClick={() => void onClick()}
        title="Silences this session's alarm sound for a fixed time (shown as a countdown). Alarms stay visible; a new high-priority alarm ends the pause."
      >
        {pending ? 'Pausing…' : session.audioPausedUntil !== null ? 'Restart audio pause' : 'Pause audio'}
      </button>
      {error && (
        <span className="field-error" role="alert" data-testid={`audio-pause-error-${session.id}`}>
          Audio pause failed: {error}
        </span>
      )}
    </span>
  );
}
