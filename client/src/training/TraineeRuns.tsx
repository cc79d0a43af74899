import { useMemo } from 'react';
import { sessionHref, debriefHref } from '../app/route';
import { shownPerson } from '../clinicianWords';
import { SessionTile } from '../components/SessionTile';
import { formatDateTime } from '../format';
import { useMonitor } from '../stores/useMonitor';
import { RunClock } from './RunClock';
import { RunMarks, RunStateChip } from './RunMarks';
import { orderedRuns } from './trainingRuns';
import { useTraining } from './useTraining';

/** A trainee's own runs, read-only: the session to work in while it runs, the debrief once it ended. */
export function TraineeRuns() {
  const runsById = useTraining((s) => s.runs);
  const loaded = useTraining((s) => s.loaded);
  const sessions = useMonitor((s) => s.sessions);
  const runs = useMemo(() => orderedRuns(runsById), [runsById]);
  return (
    <section className="page-panel trainee-runs" data-testid="trainee-runs">
      <h2>
        My training runs <RunMarks />
      </h2>
      <p className="hint">Each run is a simulated patient your trainer drives. Work in its session as you would on the ward.</p>
      {!loaded ? (
        <p className="empty">Reading your runs…</p>
      ) : runs.length === 0 ? (
        <p className="empty">No training run for you yet.</p>
      ) : (
        <ul className="trainee-run-list">
          {runs.map((run) => {
            const session = sessions[run.sessionId];
            return (
              <li key={run.id} className="trainee-run card" data-testid={`trainee-run-${run.id}`} data-state={run.state}>
                <div className="trainee-run-head">
                  <RunStateChip state={run.state} />
                  <span className="run-row-title">{run.scenarioTitle}</span>
                  <span className="hint">trainer {shownPerson(run.trainer)} · created {formatDateTime(run.createdAt)}</span>
                  <RunClock run={run} className="run-row-clock" />
                  {run.state === 'ended' ? (
                    <a className="header-link" href={debriefHref(run.id)} data-testid={`trainee-debrief-${run.id}`}>
                      Debrief →
                    </a>
                  ) : (
                    <a className="header-link" href={sessionHref(run.sessionId)} data-testid={`trainee-session-${run.id}`}>
                      Open the session →
                    </a>
                  )}
                </div>
                {run.state !== 'ended' && session && session.status === 'active' && (
                  <div className="run-watch-tile">
                    <SessionTile session={session} />
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
