import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useNow } from '../app/useNow';
import { PRIORITY_RANK, type Alarm } from '@infusion/shared';
import { alarmTones, BURSTS } from '../audio/alarmTones';
import { escalationCue } from '../stores/escalationState';
import { audiblePriority, isAlarmSilenced, lastAudioPauseEnd } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

const subscribe = (fn: () => void) => alarmTones.subscribe(fn);
const audioState = () => alarmTones.state;
const burstCount = () => alarmTones.bursts;

/**
 * Audible alarm signal for unacknowledged alarms. Sound is on from the login click; nothing on this
 * screen turns it off for every session (IEC 60601-1-8: only a disclosed, timed audio pause per
 * session). When the browser has not let sound start (a page reloaded while logged in), the status
 * says so and any click or key on the page starts it.
 */
export function AudioControl() {
  const state = useSyncExternalStore(subscribe, audioState);
  const bursts = useSyncExternalStore(subscribe, burstCount);
  const alarms = useMonitor((s) => s.alarms);
  const sessions = useMonitor((s) => s.sessions);
  const lastPauseEnd = useMemo(() => lastAudioPauseEnd(Object.values(sessions)), [sessions]);
  // Ticks only while a pause runs, so the sound comes back the second the pause ends.
  const now = useNow(lastPauseEnd);
  const silenced = (a: Alarm) => isAlarmSilenced(a, sessions[a.sessionId], now);
  const alarmPriority = audiblePriority(Object.values(alarms), silenced);
  // An open escalation sounds for its responders (physicians) until acknowledged, like an alarm of its priority.
  const escalations = useMonitor((s) => s.escalations);
  const cue = useMemo(() => escalationCue(escalations), [escalations]);
  const priority = cue && (!alarmPriority || PRIORITY_RANK[cue.priority] > PRIORITY_RANK[alarmPriority]) ? cue.priority : alarmPriority;
  // A newly raised alarm restarts the burst even when the priority is unchanged.
  const newestActive = Object.values(alarms).reduce((m, a) => (a.state === 'active' && !silenced(a) && a.id > m ? a.id : m), 0);
  const running = state === 'running';

  // Any gesture on the page starts sound that the browser held back.
  useEffect(() => {
    if (running) return;
    const start = () => void alarmTones.enable();
    window.addEventListener('pointerdown', start, true);
    window.addEventListener('keydown', start, true);
    return () => {
      window.removeEventListener('pointerdown', start, true);
      window.removeEventListener('keydown', start, true);
    };
  }, [running]);

  useEffect(() => {
    const burst = priority ? BURSTS[priority] : null;
    if (!running || !priority || !burst) return;
    alarmTones.play(priority);
    const timer = setInterval(() => alarmTones.play(priority), burst.repeatMs);
    return () => clearInterval(timer);
  }, [running, priority, newestActive, cue?.newestId]);

  if (running) {
    return (
      <span className="audio-toggle audio-on" data-testid="audio-status" data-audio-state={state} data-bursts={bursts} title="Alarm sound is on. Pause it per alarm or per session (timed, shown on screen).">
        Sound on
      </span>
    );
  }
  return (
    <button
      type="button"
      className="audio-toggle audio-off"
      data-testid="audio-status"
      data-audio-state={state}
      data-bursts={bursts}
      onClick={() => void alarmTones.enable()}
      title="The browser has not started alarm sound yet: click anywhere to start it"
    >
      Sound off: click to start
    </button>
  );
}
