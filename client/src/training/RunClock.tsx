import type { TrainingRun } from '@infusion/shared';
import { useNow } from '../app/useNow';
import { formatScenarioClock, runScenarioMs } from './scenarioClock';

/**
 * The run's scenario clock, running live while the run runs (ticking often enough that each tick is
 * about a scenario second at x1 and x10), standing still while paused or ended.
 */
export function RunClock({ run, className = 'run-clock', testId }: { run: TrainingRun; className?: string; testId?: string }) {
  const running = run.state === 'running';
  const now = useNow(running, Math.max(100, Math.round(1000 / run.speed)));
  const ms = runScenarioMs(run, now);
  return (
    <span className={className} data-testid={testId} data-running={running} title="Scenario time since the run started">
      {formatScenarioClock(ms)}
    </span>
  );
}
