import { describe, expect, it } from 'vitest';
import { parseRoute, sessionHref } from './route';

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
});
