import { describe, expect, it } from 'vitest';
import { parseRoute, sessionHref, trainingDebriefHref } from './route';

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
    expect(trainingDebriefHref('run 1')).toBe('#/training/runs/run%201/debrief');
  });
});
