import { describe, expect, it } from 'vitest';
import { T0, session } from '../testFixtures';
import { detailReceived, detailRequested, detailVitals, initialDetailState } from './detailState';

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
