import type { TrainingState } from '@infusion/shared';
import { SimulatedBadge } from '../components/SimulatedBadge';
import { RUN_STATE_LABEL } from './runTimeline';

/** TRAINING and SIMULATED together: every run and its patient are an exercise. */
export function RunMarks() {
  return (
    <span className="run-marks">
      <span className="training-badge" data-testid="run-training-mark">
        TRAINING
      </span>
      <SimulatedBadge />
    </span>
  );
}

export function RunStateChip({ state, testId }: { state: TrainingState; testId?: string }) {
  return (
    <span className={`run-state run-state-${state}`} data-testid={testId} data-state={state}>
      {RUN_STATE_LABEL[state]}
    </span>
  );
}
