import { useState } from 'react';
import { TRAINING_SPEEDS, type TrainingRun, type TrainingSpeed } from '@infusion/shared';
import { refusalText, type ApiResult } from '../auth/http';
import { setRunSpeed, transitionRun, type RunTransition } from './trainingApi';

/**
 * Driving one run: start, pause, resume, the speed of its scenario clock, and end (asked twice:
 * ending ends the trainee's session). Buttons follow the run's state; the server decides.
 */
export function RunControls({ run }: { run: TrainingRun }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirmEnd, setConfirmEnd] = useState(false);

  const send = async (what: () => Promise<ApiResult<TrainingRun>>) => {
    if (pending) return;
    setPending(true);
    setError(null);
    const res = await what();
    setPending(false);
    if (!res.ok) setError(refusalText(res));
  };
  const go = (what: RunTransition) => () => void send(() => transitionRun(run.id, what));
  const speed = (s: TrainingSpeed) => () => void send(() => setRunSpeed(run.id, s));
  if (run.state === 'ended') return null;

  return (
    <div className="run-controls" data-testid="run-controls">
      {run.state === 'created' && (
        <button type="button" className="primary-button" data-testid="run-start" disabled={pending} onClick={go('start')}>
          Start
        </button>
      )}
      {run.state === 'running' && (
        <button type="button" className="header-button" data-testid="run-pause" disabled={pending} onClick={go('pause')}>
          Pause
        </button>
      )}
      {run.state === 'paused' && (
        <button type="button" className="primary-button" data-testid="run-resume" disabled={pending} onClick={go('resume')}>
          Resume
        </button>
      )}
      <span className="run-speeds" role="group" aria-label="Scenario speed">
        {TRAINING_SPEEDS.map((s) => (
          <button key={s} type="button" className={`header-button run-speed${run.speed === s ? ' run-speed-on' : ''}`} data-testid={`run-speed-${s}`} aria-pressed={run.speed === s} disabled={pending} onClick={speed(s)}>
            ×{s}
          </button>
        ))}
      </span>
      {confirmEnd ? (
        <span className="run-end-confirm" data-testid="run-end-confirm">
          End this run? The trainee&apos;s session ends too.
          <button
            type="button"
            className="danger-button"
            data-testid="run-end-yes"
            disabled={pending}
            onClick={() => {
              setConfirmEnd(false);
              void send(() => transitionRun(run.id, 'end'));
            }}
          >
            End run
          </button>
          <button type="button" className="header-button" data-testid="run-end-no" onClick={() => setConfirmEnd(false)}>
            Keep it
          </button>
        </span>
      ) : (
        <button type="button" className="danger-button" data-testid="run-end" disabled={pending} onClick={() => setConfirmEnd(true)}>
          End…
        </button>
      )}
      {error && (
        <span className="form-error" role="alert" data-testid="run-control-error">
          {error}
        </span>
      )}
    </div>
  );
}
