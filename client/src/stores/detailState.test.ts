import { describe, expect, it } from 'vitest';
import { T0, session } from '../testFixtures';
import { detailReceived, detailReplaced, detailRequested, detailVitals, detailWindowChosen, initialDetailState, windowSince } from './detailState';

const detail = (id: string, ts: number[]) => ({
  session: session({ id }),
  trend: ts.map((t) => ({ t, hr: 70 })),
  infusionEvents: [],
  alarms: [],
  observations: [],
  checklist: null,
  rescueDoses: [],
});

describe('session detail trend', () => {
  it('loads the whole trend and appends live samples of that session only', () => {
    let s = detailRequested(initialDetailState, 's1');
    s = detailReceived(s, detail('s1', [T0, T0 + 1000]));
    s = detailVitals(s, [
      { sessionId: 's1', samples: [{ t: T0 + 2000, hr: 71 }] },
      { sessionId: 's2', samples: [{ t: T0 + 2000, hr: 120 }] },
    ]);
    expect(s.status).toBe('ready');
    expect(s.trend.map((x) => x.t)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(s.trend[2]?.hr).toBe(71);
  });

  it('ignores a reply for another session', () => {
    const s = detailRequested(initialDetailState, 's1');
    expect(detailReceived(s, detail('s2', [T0]))).toBe(s);
  });

  it('a refresh after reconnect keeps the trend already drawn', () => {
    let s = detailReceived(detailRequested(initialDetailState, 's1'), detail('s1', [T0, T0 + 1000]));
    s = detailRequested(s, 's1');
    expect(s.trend).toHaveLength(2);
    s = detailReceived(s, detail('s1', [T0 + 5000]));
    expect(s.trend.map((x) => x.t)).toEqual([T0, T0 + 1000, T0 + 5000]);
  });
});

describe('trend windows', () => {
  it('a window reply replaces the trend and keeps live samples newer than the reply', () => {
    let s = detailReceived(detailRequested(initialDetailState, 's1'), detail('s1', [T0, T0 + 1000, T0 + 2000]));
    s = detailWindowChosen(s, '4h');
    const gen = s.generation;
    s = detailVitals(s, [{ sessionId: 's1', samples: [{ t: T0 + 9000, hr: 80 }] }]);
    s = detailReplaced(s, detail('s1', [T0 - 60_000, T0 + 5000]), gen);
    expect(s.window).toBe('4h');
    expect(s.trend.map((x) => x.t)).toEqual([T0 - 60_000, T0 + 5000, T0 + 9000]);
  });

  it('drops the reply of a window that was left before it arrived', () => {
    let s = detailReceived(detailRequested(initialDetailState, 's1'), detail('s1', [T0]));
    s = detailWindowChosen(s, '4h');
    const old = s.generation;
    s = detailWindowChosen(s, '15m');
    expect(detailReplaced(s, detail('s1', [T0 - 3_600_000]), old)).toBe(s);
  });

  it('asks from the newest sample back, and from the start for the whole session', () => {
    expect(windowSince('15m', T0)).toBe(T0 - 15 * 60_000);
    expect(windowSince('4h', T0)).toBe(T0 - 4 * 3_600_000);
    expect(windowSince('all', T0)).toBe(0);
  });
});
