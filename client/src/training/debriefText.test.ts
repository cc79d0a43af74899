import type { DebriefAlarm, DebriefItem, TraineeRunScore } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { ackText, breakdown, medianAck, outcomeText, pointsText, progressPoints, responseText, scenarioTime, scoreText } from './debriefText';

const item = (over: Partial<DebriefItem>): DebriefItem => ({ id: 'x', label: 'x', kind: 'do', startedMs: 0, deadlineS: 30, doneMs: 12_000, responseS: 12, outcome: 'met', weight: 20, points: 20, detail: '', ...over });

describe('debrief words', () => {
  it('says each outcome, response against deadline and points as the trainer reads them', () => {
    expect(outcomeText(item({ outcome: 'late' }))).toBe('Late (half points)');
    expect(outcomeText(item({ outcome: 'missed', pending: true }))).toBe('Missed (so far)');
    expect(outcomeText(item({ outcome: 'violated' }))).toBe('Not avoided');
    expect(responseText(item({}))).toBe('12 s (deadline 30 s)');
    expect(responseText(item({ responseS: null }))).toBe('— (deadline 30 s)');
    expect(responseText(item({ deadlineS: null, responseS: null }))).toBe('—');
    expect(responseText(item({ deadlineS: null, kind: 'avoid', responseS: null, doneMs: null }))).toBe('—');
    // What must not happen says when it did, not how long after.
    expect(responseText(item({ deadlineS: null, kind: 'avoid', responseS: 684, doneMs: 1_884_000, outcome: 'violated' }))).toBe('at 31:24');
    expect(pointsText(item({ outcome: 'late', points: 10 }))).toBe('10 / 20');
    expect(pointsText(item({ outcome: 'not_triggered', points: 0 }))).toBe('—');
    expect(scoreText({ points: 0, max: 0, percent: null })).toBe('No scored items');
    expect(scoreText({ points: 75, max: 120, percent: 62.5 })).toBe('62.5 %');
    expect(scenarioTime(605_400)).toBe('10:05');
  });

  it('groups outcomes for the breakdown and takes the median time to acknowledge', () => {
    const b = breakdown([item({}), item({ outcome: 'avoided' }), item({ outcome: 'late' }), item({ outcome: 'violated' }), item({ outcome: 'missed' }), item({ outcome: 'not_triggered' })]);
    expect(b.map((x) => x.count)).toEqual([2, 1, 2, 1]);
    const a = (s: number | null) => ({ timeToAckS: s }) as DebriefAlarm;
    expect(medianAck([a(12), a(null), a(4), a(60)])).toBe(12);
    expect(medianAck([a(10), a(20)])).toBe(15);
    expect(medianAck([a(null)])).toBeNull();
    expect(ackText(a(null))).toBe('Not acknowledged');
  });

  it('plots scored runs oldest first across the width', () => {
    const r = (runId: string, endedAt: number, percent: number | null) => ({ runId, endedAt, percent }) as TraineeRunScore;
    expect(progressPoints([r('c', 3, 90), r('a', 1, 40), r('b', 2, null)]).map((p) => [p.run.runId, p.x, p.y])).toEqual([
      ['a', 0, 40],
      ['c', 1, 90],
    ]);
    expect(progressPoints([r('a', 1, 50)]).map((p) => p.x)).toEqual([0.5]);
  });
});
