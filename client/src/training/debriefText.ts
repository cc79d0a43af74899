import { DEBRIEF_OUTCOME_LABELS, scenarioClockText, type DebriefAlarm, type DebriefItem, type DebriefSource, type TraineeRunScore, type TrainingDebrief } from '@infusion/shared';

/** How the debrief words and colours things: pure, so the page stays a layout. */

export type Tone = 'good' | 'part' | 'bad' | 'none';

export const OUTCOME_TONE: Record<DebriefItem['outcome'], Tone> = { met: 'good', avoided: 'good', late: 'part', missed: 'bad', violated: 'bad', not_triggered: 'none' };

/** "Met", "Missed (so far)": a pending outcome may still change while the run goes on. */
export const outcomeText = (i: Pick<DebriefItem, 'outcome' | 'pending'>): string => DEBRIEF_OUTCOME_LABELS[i.outcome] + (i.pending ? ' (so far)' : '');

/** "12 s (deadline 30 s)", "— (deadline 30 s)", "12 s", "—"; for what must not happen, when it did ("at 31:24"). */
export function responseText(i: Pick<DebriefItem, 'responseS' | 'deadlineS' | 'kind' | 'doneMs'>): string {
  if (i.kind === 'avoid') return i.doneMs === null ? '—' : `at ${scenarioClockText(i.doneMs)}`;
  const done = i.responseS === null ? '—' : `${i.responseS} s`;
  return i.deadlineS === null ? done : `${done} (deadline ${i.deadlineS} s)`;
}

export const pointsText = (i: Pick<DebriefItem, 'outcome' | 'points' | 'weight'>): string => (i.outcome === 'not_triggered' ? '—' : `${i.points} / ${i.weight}`);

export const scoreText = (s: TrainingDebrief['score']): string => (s.percent === null ? 'No scored items' : `${s.percent} %`);

export const ackText = (a: Pick<DebriefAlarm, 'timeToAckS'>): string => (a.timeToAckS === null ? 'Not acknowledged' : `${a.timeToAckS} s`);

export const scenarioTime = scenarioClockText;

export const SOURCE_LABEL: Record<DebriefSource, string> = { scenario: 'Scenario', trainer: 'Trainer', trainee: 'Trainee', rules: 'Monitor' };

/** Counts by outcome group for the score's breakdown. */
export function breakdown(items: readonly DebriefItem[]): { tone: Tone; label: string; count: number }[] {
  const count = (pred: (i: DebriefItem) => boolean) => items.filter(pred).length;
  return [
    { tone: 'good' as const, label: 'Met or avoided', count: count((i) => i.outcome === 'met' || i.outcome === 'avoided') },
    { tone: 'part' as const, label: 'Late', count: count((i) => i.outcome === 'late') },
    { tone: 'bad' as const, label: 'Missed or not avoided', count: count((i) => i.outcome === 'missed' || i.outcome === 'violated') },
    { tone: 'none' as const, label: 'Did not arise', count: count((i) => i.outcome === 'not_triggered') },
  ];
}

/** The median time to acknowledge over the debrief's acknowledged alarms (seconds), or null. */
export function medianAck(alarms: readonly DebriefAlarm[]): number | null {
  const v = alarms.flatMap((a) => (a.timeToAckS === null ? [] : [a.timeToAckS])).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** Points of the progress chart: scored runs oldest first, x in 0..1 over the runs, y the percent. */
export function progressPoints(runs: readonly TraineeRunScore[]): { x: number; y: number; run: TraineeRunScore }[] {
  const scored = runs.filter((r) => r.percent !== null).sort((a, b) => a.endedAt - b.endedAt);
  return scored.map((run, i) => ({ x: scored.length === 1 ? 0.5 : i / (scored.length - 1), y: run.percent!, run }));
}
