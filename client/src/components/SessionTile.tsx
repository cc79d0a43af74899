import { useMemo } from 'react';
import type { AlarmPriority, Session, TrendPoint } from '@infusion/shared';
import { sessionHref } from '../app/route';
import { alarmingFields, runningInfusion, shownAlarms } from '../stores/selectors';
import { lastSampleTime, latestValues } from '../stores/trend';
import { useMonitor } from '../stores/useMonitor';
import { AlarmAudioPausedCountdown, AudioPausedCountdown } from './AudioPause';
import { ChangedLimitsMarker, ProfileMarker } from './ChangedLimits';
import { signalClass, signalStyle } from './alarmSignal';
import { InfusionSummary } from './InfusionSummary';
import { Numerics } from './Numerics';
import { KindMarker } from './KindMarker';
import { PhaseMarker } from './PhaseMarker';
import { PriorityChip } from './PriorityChip';
import { ResponseNote } from './ResponseNote';
import { SimulatedBadge } from './SimulatedBadge';
import { Sparkline } from './Sparkline';
import { TrainingBadge } from '../training/TrainingBadge';
import { useTraining } from '../training/useTraining';

const NO_SAMPLES: TrendPoint[] = [];

/** Priority by shape as well as colour and word (IEC 60601-1-8 marks high !!!, medium !!, low !). */
const PRIORITY_SYMBOL: Record<AlarmPriority, string> = { high: '!!!', medium: '!!', low: '!' };

/** One active infusion on the overview; its frame carries the session's highest alarm signal. */
export function SessionTile({ session }: { session: Session }) {
  const trend = useMonitor((s) => s.trends[session.id]) ?? NO_SAMPLES;
  const allAlarms = useMonitor((s) => s.alarms);
  const alarms = useMemo(() => shownAlarms(allAlarms, session.id), [allAlarms, session.id]);
  const latest = useMemo(() => latestValues(trend), [trend]);
  const newestT = lastSampleTime(trend);
  const alarming = useMemo(() => alarmingFields(alarms), [alarms]);
  const top = alarms[0];
  // A training run's session says so in its markers row (the head keeps chair and label readable).
  const trainingRun = useTraining((s) => session.simulated && session.id in s.bySession);

  return (
    <a
      href={sessionHref(session.id)}
      className={`tile ${top ? signalClass(top.priority) : ''}`}
      style={top ? signalStyle(top.priority) : undefined}
      data-testid={`tile-${session.id}`}
      data-alarm-priority={top?.priority ?? 'none'}
    >
      <div className="tile-head">
        <span className="tile-location">{session.location}</span>
        <span className="tile-label">{session.patientLabel}</span>
        <span className="tile-nurse" data-testid={`nurse-of-${session.id}`} title={`Nurse: ${session.nurse}`}>
          {session.nurse}
        </span>
        <PhaseMarker session={session} testId={`phase-of-${session.id}`} />
        {session.simulated && <SimulatedBadge />}
      </div>
      {(trainingRun || session.limitsChanged.length > 0 || session.profile === 'elderly_comorbid' || session.audioPausedUntil !== null) && (
        <div className="tile-markers">
          {trainingRun && <TrainingBadge sessionId={session.id} />}
          <ChangedLimitsMarker session={session} />
          <ProfileMarker session={session} />
          <AudioPausedCountdown session={session} />
        </div>
      )}
      <div className="tile-alarm">
        {top ? (
          <>
            <span className={`priority-symbol priority-symbol-${top.priority}`} aria-hidden="true">
              {PRIORITY_SYMBOL[top.priority]}
            </span>
            <PriorityChip priority={top.priority} />
            <KindMarker kind={top.kind} />
            <span className="tile-alarm-message">{top.message}</span>
            {top.state === 'acknowledged' && <span className="ack-marker">ACK</span>}
            <AlarmAudioPausedCountdown alarm={top} />
            {alarms.length > 1 && (
              <span className="tile-alarm-more" title={`${alarms.length - 1} more alarm${alarms.length > 2 ? 's' : ''}`}>
                +{alarms.length - 1}
              </span>
            )}
          </>
        ) : (
          <span className="tile-alarm-none">No alarms</span>
        )}
      </div>
      <ResponseNote sessionId={session.id} />
      <Numerics latest={latest} newestT={newestT} sessionId={session.id} alarming={alarming} />
      <Sparkline trend={trend} field="hr" />
      <InfusionSummary infusion={runningInfusion(session, newestT)} dosingWeight={session.dosingWeight} />
    </a>
  );
}
