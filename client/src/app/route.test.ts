import { describe, expect, it } from 'vitest';
import { debriefHref, parseRoute, progressHref, sessionHref } from './route';

describe('hash routes', () => {
  it('parses the overview and session pages', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/')).toEqual({ view: 'overview' });
    expect(parseRoute('#/session/abc-1')).toEqual({ view: 'session', sessionId: 'abc-1' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'overview' });
    expect(parseRoute('#/reports')).toEqual({ view: 'reports' });
    expect(parseRoute('#/reports/x')).toEqual({ view: 'overview' });
  });

  it('round-trips ids with reserved characters', () => {
    const id = 'a b/c';
    expect(parseRoute(sessionHref(id))).toEqual({ view: 'session', sessionId: id });
  });

  it('opens the training console, and links a run\'s debrief under it', () => {
    expect(parseRoute('#/training')).toEqual({ view: 'training' });
    expect(parseRoute('#/training/')).toEqual({ view: 'training' });
    expect(parseRoute('#/trainingx')).toEqual({ view: 'overview' });
    expect(debriefHref('run 1')).toBe('#/training/runs/run%201/debrief');
  });

  it('parses a training run\'s debrief and a trainee\'s progress, and their links round-trip', () => {
    expect(parseRoute('#/training/runs/3f2a-9/debrief')).toEqual({ view: 'debrief', runId: '3f2a-9' });
    expect(parseRoute('#/training/trainees/kim/progress')).toEqual({ view: 'progress', username: 'kim' });
    expect(parseRoute(debriefHref('a/b c'))).toEqual({ view: 'debrief', runId: 'a/b c' });
    expect(parseRoute(progressHref('j.doe'))).toEqual({ view: 'progress', username: 'j.doe' });
    // Bad encoding or a missing id: the overview.
    expect(parseRoute('#/training/runs/%E0%A4%A/debrief')).toEqual({ view: 'overview' });
    expect(parseRoute('#/training/runs//debrief')).toEqual({ view: 'overview' });
  });
});
