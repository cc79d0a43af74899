import { useCallback, useEffect, useMemo, useState } from 'react';
import type { TrainingRun, TrainingScenarioSummary } from '@infusion/shared';
import { debriefHref } from '../app/route';
import { shownPerson } from '../clinicianWords';
import { formatDateTime } from '../format';
import { CreateRunForm } from './CreateRunForm';
import { InjectForm } from './InjectForm';
import { RunClock } from './RunClock';
import { RunControls } from './RunControls';
import { RunMarks, RunStateChip } from './RunMarks';
import { RunTimeline, RunWatch } from './RunWatch';
import { loadScenarios } from './trainingApi';
import { orderedRuns } from './trainingRuns';
import { useTraining } from './useTraining';

type ScenarioTitles = Record<string, TrainingScenarioSummary>;

const titleOf = (run: TrainingRun, scenarios: ScenarioTitles) => scenarios[run.scenario]?.title ?? run.scenarioTitle;

function RunRow({ run, scenarios, selected, onSelect }: { run: TrainingRun; scenarios: ScenarioTitles; selected: boolean; onSelect: () => void }) {
  return (
    <li>
      <button type="button" className={`run-row${selected ? ' run-row-on' : ''}`} data-testid={`run-${run.id}`} data-state={run.state} aria-pressed={selected} onClick={onSelect}>
        <RunStateChip state={run.state} testId={`run-state-${run.id}`} />
        <span className="run-row-title">{titleOf(run, scenarios)}</span>
        <span className="run-row-trainee">{shownPerson(run.trainee)}</span>
        <span className="run-row-speed" data-testid={`run-speed-of-${run.id}`}>
          ×{run.speed}
        </span>
        <RunClock run={run} className="run-row-clock" testId={`run-clock-${run.id}`} />
      </button>
    </li>
  );
}

/** One run in full: who, what, its clock, its controls, what the trainee faces, and the inject form. */
function RunDetail({ run, scenarios }: { run: TrainingRun; scenarios: ScenarioTitles }) {
  const scenario = scenarios[run.scenario];
  return (
    <section className="run-detail card" data-testid="run-detail" data-run={run.id} data-state={run.state}>
      <div className="run-detail-head">
        <div>
          <h3>
            {titleOf(run, scenarios)} <RunMarks />
          </h3>
          <p className="hint">
            Trainee <strong>{shownPerson(run.trainee)}</strong> · {scenario ? `${scenario.indication} · ` : ''}
            {run.weightKg} kg · seed {run.seed} · unit {run.unit} · created {formatDateTime(run.createdAt)} by {shownPerson(run.trainer)}
          </p>
        </div>
        <div className="run-detail-clock">
          <RunStateChip state={run.state} testId="run-detail-state" />
          <RunClock run={run} className="run-clock-big" testId="run-detail-clock" />
          <span className="run-detail-speed">×{run.speed}</span>
        </div>
      </div>
      <RunControls run={run} />
      {run.state === 'ended' && (
        <p>
          Ended {formatDateTime(run.endedAt)}.{' '}
          <a className="header-link" href={debriefHref(run.id)} data-testid="run-debrief-link">
            Open the debrief →
          </a>
        </p>
      )}
      <div className="run-detail-body">
        {run.state !== 'ended' ? (
          <div className="run-detail-watch">
            <h4>The trainee&apos;s screen now</h4>
            <RunWatch run={run} />
          </div>
        ) : (
          <p className="empty">The run has ended: its session is closed. The debrief judges what the trainee did.</p>
        )}
        <div className="run-detail-side">
          {run.state !== 'ended' && <InjectForm key={run.id} run={run} />}
          <h4>Timeline</h4>
          <RunTimeline run={run} />
        </div>
      </div>
    </section>
  );
}

/**
 * The trainer console: the runs of the trainer's units (live: state, speed, scenario clock), a form
 * for a new run, and the chosen run to drive and watch. Everything here is a simulated patient.
 */
export function TrainerConsole() {
  const runsById = useTraining((s) => s.runs);
  const loaded = useTraining((s) => s.loaded);
  const runs = useMemo(() => orderedRuns(runsById), [runsById]);
  const [scenarioList, setScenarioList] = useState<TrainingScenarioSummary[]>([]);
  const [scenarioError, setScenarioError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  const reloadScenarios = useCallback(async () => {
    const res = await loadScenarios();
    if (res.ok) {
      setScenarioList(res.data);
      setScenarioError(null);
    } else setScenarioError(res.error);
  }, []);
  useEffect(() => {
    void reloadScenarios();
  }, [reloadScenarios]);

  const scenarios = useMemo(() => Object.fromEntries(scenarioList.map((s) => [s.name, s])), [scenarioList]);
  // The chosen run, else the first one running (or the newest).
  const selected = (chosen && runsById[chosen]) || runs[0] || null;

  return (
    <div className="training-console" data-testid="training-console">
      <div className="training-console-banner" data-testid="training-console-banner">
        TRAINING CONSOLE — every run is a SIMULATED patient; nothing here is a real patient or reaches the ward.
      </div>
      <div className="training-console-grid">
        <aside className="training-console-side">
          <CreateRunForm scenarios={scenarioList} onCreated={(r) => setChosen(r.id)} />
          {scenarioError && (
            <p className="form-error" role="alert">
              Scenarios not read: {scenarioError}
            </p>
          )}
          {!scenarioList.length && !scenarioError && (
            <p className="hint">
              No training host is connected, so no scenario is offered.{' '}
              <button type="button" className="header-button" onClick={() => void reloadScenarios()}>
                Ask again
              </button>
            </p>
          )}
          <h3>Runs</h3>
          {!loaded ? (
            <p className="empty">Reading the runs…</p>
          ) : runs.length === 0 ? (
            <p className="empty">No training run yet.</p>
          ) : (
            <ul className="run-list" data-testid="run-list">
              {runs.map((r) => (
                <RunRow key={r.id} run={r} scenarios={scenarios} selected={selected?.id === r.id} onSelect={() => setChosen(r.id)} />
              ))}
            </ul>
          )}
        </aside>
        {selected ? <RunDetail run={selected} scenarios={scenarios} /> : <p className="empty">Create a run to start.</p>}
      </div>
    </div>
  );
}
