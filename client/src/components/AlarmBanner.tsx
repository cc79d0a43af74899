import { useCallback, useEffect, useMemo, useState } from 'react';
import { PRIORITY_SIGNAL, type Alarm, type Session } from '@infusion/shared';
import { sessionHref } from '../app/route';
import { useNow } from '../app/useNow';
import { isAudioPaused, isLatched, lastAudioPauseEnd, shownAlarms } from '../stores/selectors';
import { useMonitor } from '../stores/useMonitor';
import { AlarmAudioPause, AlarmAudioPausedCountdown, AudioPausedCountdown } from './AudioPause';
import { signalClass, signalStyle } from './alarmSignal';
import { KindMarker } from './KindMarker';
import { PriorityChip } from './PriorityChip';
import { SimulatedBadge } from './SimulatedBadge';

/** How many alarm lines fit the header (kept to at most a fifth of a 1080-line screen); the rest are counted. */
const MAX_LINES = 3;

/** One alarm as a line of the banner or of the unit alarm list: where, priority, what; its sound can be paused. */
function AlarmLine({ alarm: a, session, testId }: { alarm: Alarm; session: Session | undefined; testId: string }) {
  return (
    <li data-testid={testId} data-priority={a.priority} data-state={a.state}>
      <a href={sessionHref(a.sessionId)}>
        <PriorityChip priority={a.priority} />
        <span className="banner-where">{session ? `${session.location} · ${session.patientLabel}` : a.sessionId}</span>
        {(a.simulated || session?.simulated) && <SimulatedBadge />}
        <KindMarker kind={a.kind} />
        <span className="banner-message">{a.message}</span>
        {a.state === 'acknowledged' && <span className="ack-marker">ACK</span>}
        {isLatched(a) && <span className="latched-marker">LATCHED</span>}
      </a>
      <AlarmAudioPause alarm={a} />
    </li>
  );
}

/** Every signalled alarm of the unit, highest priority first, one click from the header; Escape closes it. */
function UnitAlarmList({ alarms, sessions, onClose }: { alarms: Alarm[]; sessions: Record<string, Session>; onClose: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <section className="unit-alarms" data-testid="unit-alarms" aria-label="Unit alarm list">
      <div className="unit-alarms-title">
        All alarms of the unit ({alarms.length})
        <button type="button" onClick={onClose} data-testid="unit-alarms-close">
          Close
        </button>
      </div>
      <ul className="banner-list">
        {alarms.map((a) => (
          <AlarmLine key={a.id} alarm={a} session={sessions[a.sessionId]} testId={`unit-alarm-${a.id}`} />
        ))}
      </ul>
    </section>
  );
}

/**
 * Every audio pause in force: sessions whose alarm sound is paused and single alarms whose sound is,
 * each with its countdown, so a silent alarm is never a surprise.
 */
function PausedAudio({ sessions, alarms }: { sessions: Session[]; alarms: Record<number, Alarm> }) {
  const now = useNow(lastAudioPauseEnd(sessions));
  const shown = sessions.filter((s) => isAudioPaused(s, now));
  const pausedAlarms = sessions.flatMap((s) =>
    (s.alarmAudioPauses ?? []).filter((p) => p.until > now && alarms[p.alarmId] && alarms[p.alarmId]!.state !== 'resolved').map((p) => ({ session: s, alarm: alarms[p.alarmId]! })),
  );
  if (shown.length === 0 && pausedAlarms.length === 0) return null;
  return (
    <div className="banner-paused" data-testid="banner-paused">
      {shown.map((s) => (
        <a key={s.id} href={sessionHref(s.id)}>
          <AudioPausedCountdown session={s} withLabel />
          {s.simulated && <SimulatedBadge />}
        </a>
      ))}
      {pausedAlarms.map(({ session: s, alarm: a }) => (
        <a key={`alarm-${a.id}`} href={sessionHref(s.id)} data-testid={`banner-alarm-paused-${a.id}`}>
          <span className="banner-where">
            {s.location} · {s.patientLabel}: {a.title}
          </span>
          <AlarmAudioPausedCountdown alarm={a} />
          {s.simulated && <SimulatedBadge />}
        </a>
      ))}
    </div>
  );
}

/**
 * Header banner across all sessions: the highest signalled priority, large and coloured so it is
 * visible across the room, and each alarm's priority and message readable at 1 m.
 * Its lines are "banner-alarm-<id>": "alarm-<id>" rows with data-state belong to the session page only.
 */
export function AlarmBanner() {
  const allAlarms = useMonitor((s) => s.alarms);
  const sessions = useMonitor((s) => s.sessions);
  const alarms = useMemo(() => shownAlarms(allAlarms), [allAlarms]);
  // Sessions with a pause set (their own or an alarm's); PausedAudio shows those that have not run out yet.
  const paused = useMemo(() => Object.values(sessions).filter((s) => s.status === 'active' && (s.audioPausedUntil !== null || (s.alarmAudioPauses ?? []).length > 0)), [sessions]);
  const top = alarms[0];
  const [listOpen, setListOpen] = useState(false);
  const closeList = useCallback(() => setListOpen(false), []);

  if (!top) {
    return (
      <div className="alarm-banner alarm-banner-clear" data-testid="alarm-banner" data-priority="none" data-count={0}>
        <div className="banner-main">No active alarms</div>
        <PausedAudio sessions={paused} alarms={allAlarms} />
      </div>
    );
  }

  const unacknowledged = alarms.filter((a) => a.state === 'active').length;
  const more = alarms.length - MAX_LINES;
  return (
    <div
      className={`alarm-banner ${signalClass(top.priority)}`}
      style={signalStyle(top.priority)}
      data-testid="alarm-banner"
      data-priority={top.priority}
      data-count={alarms.length}
      role="status"
      aria-live="polite"
    >
      <div className="banner-main">
        <span>
          {PRIORITY_SIGNAL[top.priority].label} · {alarms.length} alarm{alarms.length === 1 ? '' : 's'}
          {unacknowledged < alarms.length && <span className="banner-unack"> ({unacknowledged} unacknowledged)</span>}
        </span>
        <button type="button" className="banner-all" data-testid="unit-alarms-open" aria-expanded={listOpen} onClick={() => setListOpen((o) => !o)}>
          {more > 0 ? `+ ${more} more · ` : ''}Alarm list
        </button>
      </div>
      <PausedAudio sessions={paused} alarms={allAlarms} />
      <ul className="banner-list">
        {alarms.slice(0, MAX_LINES).map((a) => (
          <AlarmLine key={a.id} alarm={a} session={sessions[a.sessionId]} testId={`banner-alarm-${a.id}`} />
        ))}
      </ul>
      {listOpen && <UnitAlarmList alarms={alarms} sessions={sessions} onClose={closeList} />}
    </div>
  );
}
