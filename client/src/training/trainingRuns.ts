import type { TrainingRun } from '@infusion/shared';

/**
 * The training runs this login may see (a trainer: the runs of their units; anyone else: their own
 * runs as trainee), from the list request and the `trainingRun` live event. Pure: state in, state out.
 */
export interface TrainingRunsState {
  runs: Record<string, TrainingRun>;
  /** Session id → run id: marks a training run's session wherever it is shown. */
  bySession: Record<string, string>;
  /** Whether the list has been read once (until then the page says it is loading). */
  loaded: boolean;
}

export const initialTrainingRunsState: TrainingRunsState = { runs: {}, bySession: {}, loaded: false };

/** A run as newly heard; an older copy (a late list answer after a live change) never replaces a newer one. */
export function upsertRun(s: TrainingRunsState, run: TrainingRun): TrainingRunsState {
  const held = s.runs[run.id];
  if (held && (held.updatedAt > run.updatedAt || (held.updatedAt === run.updatedAt && held.events.length > run.events.length))) return s;
  return { ...s, runs: { ...s.runs, [run.id]: run }, bySession: s.bySession[run.sessionId] === run.id ? s.bySession : { ...s.bySession, [run.sessionId]: run.id } };
}

/** The list read from the server, merged with what live events brought meanwhile. */
export function applyRunList(s: TrainingRunsState, runs: readonly TrainingRun[]): TrainingRunsState {
  let next = s;
  for (const r of runs) next = upsertRun(next, r);
  return next.loaded ? next : { ...next, loaded: true };
}

const STATE_ORDER = { running: 0, paused: 1, created: 2, ended: 3 } as const;

/** Runs in the console's order: running first, then paused, ready, ended; newest first within each. */
export function orderedRuns(runs: Record<string, TrainingRun>): TrainingRun[] {
  return Object.values(runs).sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.createdAt - a.createdAt);
}
