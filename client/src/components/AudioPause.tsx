import { useContext, useState } from 'react';
import type { Alarm, Session } from '@infusion/shared';
import { SocketContext } from '../app/socketContext';
import { useNow } from '../app/useNow';
import { useCan } from '../auth/useCan';
import { pauseAudio } from '../care/careActions';
import { formatCountdown } from '../format';
import { pauseAlarmAudio } from '../realtime/requests';
import { applySession } from '../stores/monitorState';
import { alarmAudioPauseLeft, audioPauseLeft } from '../stores/selectors';
import { updateMonitor, useMonitor } from '../stores/useMonitor';

/**
 * "Audio paused 1:53": shown wherever the session is shown while its alarm sound is paused
 * (IEC 60601-1-8: an audio pause is disclosed, with its remaining time).
 */
export function AudioPausedCountdown({ session, withLabel }: { session: Pick<Session, 'id' | 'audioPausedUntil' | 'location' | 'patientLabel'>; withLabel?: boolean }) {
  const now = useNow(session.audioPausedUntil);
  const pauseMs = useMonitor((s) => s.audioPauseMs);
  const left = audioPauseLeft(session, now, pauseMs);
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

/** "Audio paused 1:53" for one alarm whose own sound is paused (its session's other alarms still sound). */
export function AlarmAudioPausedCountdown({ alarm }: { alarm: Pick<Alarm, 'id' | 'sessionId'> }) {
  const session = useMonitor((s) => s.sessions[alarm.sessionId]);
  const until = session?.alarmAudioPauses?.find((p) => p.alarmId === alarm.id)?.until ?? null;
  const now = useNow(until);
  const pauseMs = useMonitor((s) => s.audioPauseMs);
  const left = alarmAudioPauseLeft(session, alarm.id, now, pauseMs);
  if (left <= 0) return null;
  return (
    <span className="audio-paused" data-testid={`alarm-audio-paused-${alarm.id}`} title="The sound of this alarm is paused; other alarms still sound">
      Audio paused {formatCountdown(left)}
    </span>
  );
}

/**
 * Pauses the sound of this one alarm for the server's fixed, disclosed time, with its countdown. Offered
 * on unacknowledged alarms that sound (medium and high): acknowledging silences an alarm for good.
 */
export function AlarmAudioPause({ alarm }: { alarm: Alarm }) {
  // The header's socket may be null for a moment while a login's link is replaced.
  const socket = useContext(SocketContext);
  const allowed = useCan('alarm.acknowledge');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const sounding = alarm.state === 'active' && alarm.priority !== 'low';
  if (!sounding) return null;
  const onClick = async () => {
    if (!socket) return setError('not connected to the server');
    setPending(true);
    setError(null);
    const res = await pauseAlarmAudio(socket, alarm.id);
    setPending(false);
    if (res.ok) updateMonitor((s) => applySession(s, res.data));
    else setError(res.error);
  };
  return (
    <span className="alarm-audio-pause">
      <AlarmAudioPausedCountdown alarm={alarm} />
      {allowed && (
        <button
          type="button"
          className="pause-button"
          data-testid={`alarm-audio-pause-${alarm.id}`}
          disabled={pending}
          onClick={() => void onClick()}
          title="Silences this alarm's sound for a fixed time (shown as a countdown). The alarm stays shown; other alarms still sound."
        >
          {pending ? 'Pausing…' : 'Pause audio'}
        </button>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid={`alarm-audio-pause-error-${alarm.id}`}>
          Audio pause failed: {error}
        </span>
      )}
    </span>
  );
}
