import { useMemo } from 'react';
import type { Alarm, TrainingRun } from '@infusion/shared';
import { sessionHref } from '../app/route';
import { useNow } from '../app/useNow';
import { shownPerson, shownText } from '../clinicianWords';
import { InfusionSummary } from '../components/InfusionSummary';
import { PriorityChip } from '../components/PriorityChip';
import { SessionTile } from '../components/SessionTile';
import { formatClock, formatCountdown } from '../format';
import { runningInfusion, shownAlarms } from '../stores/selectors';
import { lastSampleTime } from '../stores/trend';
import { useMonitor } from '../stores/useMonitor';
import { formatScenarioClock } from './scenarioClock';
import { timelineLines } from './runTimeline';

/** One alarm as the trainee faces it: still waiting for someone, or acknowledged (by whom, when). */
function WatchedAlarm({ alarm, now }: { alarm: Alarm; now: number }) {
  const acked = alarm.acknowledgedAt !== null;
  return (
    <li className={`watch-alarm${acked ? '' : ' watch-alarm-open'}`} data-testid={`watch-alarm-${alarm.id}`} data-acknowledged={acked}>
      <PriorityChip priority={alarm.priority} />
      <span className="watch-alarm-message">{shownText(alarm.message)}</span>
      {acked ? (
        <span className="watch-alarm-ack">
          acknowledged by {shownPerson(alarm.acknowledgedBy ?? '')} at {formatClock(alarm.acknowledgedAt)}
        </span>
      ) : (
        <span className="watch-alarm-unack">not acknowledged · {formatCountdown(now - alarm.startedAt)}</span>
      )}
    </li>
  );
}

/** The run's timeline, newest first: what the trainer injected and what the trainee did. */
export function RunTimeline({ run, limit = 12 }: { run: TrainingRun; limit?: number }) {
  const lines = useMemo(() => timelineLines(run.events), [run.events]);
  if (!lines.length) return <p className="empty">Nothing injected or done yet.</p>;
  return (
    <ol className="run-timeline" data-testid="run-timeline">
      {lines.slice(0, limit).map((l) => (
        <li key={l.id} className={`run-timeline-${l.source}`} data-testid={`timeline-${l.id}`} data-source={l.source}>
          <span className="run-timeline-at">{formatScenarioClock(l.scenarioMs)}</span>
          <span className="run-timeline-who">{l.source === 'trainer' ? 'Trainer' : `Trainee (${shownPerson(l.by)})`}</span>
          <span className="run-timeline-text">{l.text}</span>
        </li>
      ))}
      {lines.length > limit && <li className="hint">{lines.length - limit} earlier…</li>}
    </ol>
  );
}

/**
 * What the trainee faces now: their session's tile as the overview shows it, its alarms with who
 * acknowledged them, the infusion, and what the trainee did. Read from the same live feed as the
 * ward screens (the trainer receives the training unit's sessions and alarms).
 */
export function RunWatch({ run }: { run: TrainingRun }) {
  const session = useMonitor((s) => s.sessions[run.sessionId]);
  const trend = useMonitor((s) => s.trends[run.sessionId]);
  const allAlarms = useMonitor((s) => s.alarms);
  const alarms = useMemo(() => shownAlarms(allAlarms, run.sessionId), [allAlarms, run.sessionId]);
  const now = useNow(alarms.some((a) => a.acknowledgedAt === null));
  const actions = useMemo(() => ({ ...run, events: run.events.filter((e) => e.kind === 'action') }), [run]);
  if (!session)
    return (
      <p className="empty" data-testid="watch-no-session">
        The run&apos;s session is not on the monitor{run.state === 'ended' ? ' (the run has ended)' : ' yet'}.
      </p>
    );
  const infusion = runningInfusion(session, lastSampleTime(trend));
  return (
    <div className="run-watch" data-testid="run-watch">
      <div className="run-watch-tile">
        <SessionTile session={session} />
      </div>
      <div className="run-watch-side">
        <h4>Alarms the trainee faces</h4>
        {alarms.length ? (
          <ul className="watch-alarms" data-testid="watch-alarms">
            {alarms.map((a) => (
              <WatchedAlarm key={a.id} alarm={a} now={now} />
            ))}
          </ul>
        ) : (
          <p className="empty" data-testid="watch-no-alarms">
            No alarm.
          </p>
        )}
        <h4>Infusion</h4>
        <InfusionSummary infusion={infusion} dosingWeight={session.dosingWeight} rateTestId="watch-infusion-rate" />
        <h4>Trainee&apos;s recent actions</h4>
        {actions.events.length ? <RunTimeline run={actions} limit={5} /> : <p className="empty">None documented yet.</p>}
        <a className="header-link" href={sessionHref(run.sessionId)} data-testid="watch-open-session">
          Open the session page as the trainee sees it →
        </a>
      </div>
    </div>
  );
}
