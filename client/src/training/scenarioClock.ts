import { scenarioMsAt, type TrainingRun } from '@infusion/shared';

/**
 * The scenario clock as the console shows it: scenario time since the run started, "m:ss" under an
 * hour and "h:mm:ss" from then on. Derived from the run's stored clock and the server's time, so it
 * runs on by itself between changes and agrees with the server after a reload.
 */
export function formatScenarioClock(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Scenario ms of a run at server time `now` (a run not started yet stands at 0). */
export const runScenarioMs = (run: Pick<TrainingRun, 'state' | 'clock'>, now: number): number => (run.state === 'created' ? 0 : scenarioMsAt(run.clock, now));

/** The scenario minute a live injection lands on (the server's rounding: the next whole second). */
export const injectMinuteAt = (scenarioMs: number): number => Math.ceil(Math.max(0, scenarioMs) / 1000) / 60;
