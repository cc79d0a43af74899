import { useEffect, useMemo, useRef, useState } from 'react';
import { useNow } from '../app/useNow';
import { AlarmTones, BURSTS } from '../audio/alarmTones';
import { PRIORITY_RANK } from '@infusion/shared';
import { escalationCue } from '../stores/escalationState';
import { audiblePriority, isAudioPaused } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';

/**
 * Audible alarm signal for unacknowledged alarms, with a visible on/off toggle (browsers only allow
 * sound after a user gesture, and the product never hides that sound is off). A session whose audio
 * is paused stays silent until the pause ends (its countdown is shown on the tile, page and banner).
 */
export function AudioControl() {
  const tones = useRef<AlarmTones | null>(null);
  const [on, setOn] = useState(false);
  const alarms = useMonitor((s) => s.alarms);
  const sessions = useMonitor((s) => s.sessions);
  const lastPauseEnd = useMemo(() => Object.values(sessions).reduce<number | null>((m, s) => (s.audioPausedUntil === null ? m : Math.max(m ?? 0, s.audioPausedUntil)), null), [sessions]);
  // Ticks only while a pause runs, so the sound comes back the second the pause ends.
  const now = useNow(lastPauseEnd);
  const silenced = (sessionId: string) => isAudioPaused(sessions[sessionId], now);
  const alarmPriority = audiblePriority(Object.values(alarms), silenced);
  // An open escalation sounds for its responders (physicians) until acknowledged, like an alarm of its priority.
  const escalations = useMonitor((s) => s.escalations);
  const cue = useMemo(() => escalationCue(escalations), [escalations]);
  const priority = cue && (!alarmPriority || PRIORITY_RANK[cue.priority] > PRIORITY_RANK[alarmPriority]) ? cue.priority : alarmPriority;
  // A newly raised alarm restarts the burst even when the priority is unchanged.
  const newestActive = Object.values(alarms).reduce((m, a) => (a.state === 'active' && !silenced(a.sessionId) && a.id > m ? a.id : m), 0);

  useEffect(() => {
    const burst = priority ? BURSTS[priority] : null;
    if (!on || !priority || !burst) return;
    tones.current?.play(priority);
    const timer = setInterval(() => tones.current?.play(priority), burst.repeatMs);
    return () => clearInterval(timer);
  }, [on, priority, newestActive, cue?.newestId]);

  const toggle = async () => {
    if (on) {
      tones.current?.disable();
      setOn(false);
      return;
    }
    tones.current ??= new AlarmTones();
    setOn(await tones.current.enable());
  };

  return (
    <button
      type="button"
      className={on ? 'audio-toggle audio-on' : 'audio-toggle audio-off'}
      data-testid="audio-toggle"
      aria-pressed={on}
      onClick={() => void toggle()}
      title={on ? 'Alarm sound is on: click to turn it off' : 'Alarm sound is off: click to turn it on'}
    >
      {on ? 'Audio on' : 'Audio off'}
    </button>
  );
}
