import { describe, expect, it } from 'vitest';
import type { Observation } from '@infusion/shared';
import { T0 } from '../testFixtures';
import { lastScores, parseScore, scoreText } from './observations';

const obs = (id: number, scale: Observation['scale'], score: number, t: number): Observation => ({ id, sessionId: 's1', scale, score, t, note: null, by: 'user:nurse' });

describe('observations', () => {
  it('the last sedation score (any validated scale) and the last pain score', () => {
    const list = [obs(1, 'RASS', 0, T0), obs(2, 'NRS_PAIN', 6, T0 + 1), obs(3, 'MOAAS', 4, T0 + 2), obs(4, 'NRS_PAIN', 3, T0 + 3), obs(5, 'RASS', -1, T0 + 1)];
    const last = lastScores(list);
    expect(last.sedation?.id).toBe(3);
    expect(last.pain?.id).toBe(4);
    expect(lastScores([])).toEqual({ sedation: null, pain: null });
  });

  it('scores must be whole numbers within the scale', () => {
    expect(parseScore('RASS', '-2')).toEqual({ ok: true, score: -2 });
    expect(parseScore('RASS', '5').ok).toBe(false);
    expect(parseScore('NRS_PAIN', '10')).toEqual({ ok: true, score: 10 });
    expect(parseScore('NRS_PAIN', '2.5').ok).toBe(false);
    expect(parseScore('RAMSAY', '0').ok).toBe(false);
    expect(parseScore('MOAAS', '').ok).toBe(false);
  });

  it('shows a score with its scale', () => {
    expect(scoreText({ scale: 'RASS', score: 1 })).toBe('RASS +1');
    expect(scoreText({ scale: 'NRS_PAIN', score: 4 })).toBe('Pain NRS 4');
  });
});
