import { describe, expect, it } from 'vitest';
import { assessResponse, painBeforeAfter, painResponse } from './response';

describe('pain response (Q8: >= 30 % decrease)', () => {
  it('8 → 5 is a 37.5 % decrease: a responder', () => {
    expect(painResponse(8, 5)).toEqual({ before: 8, after: 5, decreasePct: 37.5, responder: true });
  });
  it('8 → 6 is a 25 % decrease: not a responder', () => {
    expect(painResponse(8, 6)).toEqual({ before: 8, after: 6, decreasePct: 25, responder: false });
  });
  it('exactly 30 % counts; a rise is a negative decrease', () => {
    expect(painResponse(10, 7).responder).toBe(true);
    expect(painResponse(5, 6)).toMatchObject({ decreasePct: -20, responder: false });
  });
  it('cannot be computed without both scores or from a pain of 0', () => {
    expect(painResponse(null, 3).responder).toBeNull();
    expect(painResponse(7, null).decreasePct).toBeNull();
    expect(painResponse(0, 0)).toMatchObject({ decreasePct: null, responder: null });
  });
});

describe('positive response (Q8: pain plus satisfaction or an objective measure)', () => {
  it('needs satisfaction or an objective measure besides the pain decrease', () => {
    const p = painResponse(8, 5);
    expect(assessResponse(p, null).positive).toBe(false);
    expect(assessResponse(p, { satisfaction: 'satisfied' }).positive).toBe(true);
    expect(assessResponse(p, { satisfaction: 'neutral', opioidMmeBefore: 100, opioidMmeAfter: 80 })).toMatchObject({ opioidReductionPct: 20, objective: true, positive: true });
    expect(assessResponse(p, { opioidMmeBefore: 100, opioidMmeAfter: 85 })).toMatchObject({ opioidReductionPct: 15, objective: false, positive: false });
  });
  it('is never positive below 30 % pain decrease, whatever else', () => {
    expect(assessResponse(painResponse(8, 6), { satisfaction: 'satisfied', opioidMmeBefore: 100, opioidMmeAfter: 0 }).positive).toBe(false);
    expect(assessResponse(painResponse(null, 6), { satisfaction: 'satisfied' }).positive).toBeNull();
  });
});

describe('pain before and after the infusion', () => {
  const obs = (t: number, score: number, scale = 'NRS_PAIN' as const) => ({ t, score, scale });
  it('takes the last score before the start and the last after the stop', () => {
    const events = [{ type: 'start' as const, t: 100 }, { type: 'stop' as const, t: 500 }];
    expect(painBeforeAfter([obs(10, 7), obs(90, 8), obs(300, 6), obs(510, 6), obs(700, 5)], events)).toEqual({ before: 8, after: 5 });
  });
  it('has no "after" while the infusion runs or runs again, and ignores sedation scores', () => {
    expect(painBeforeAfter([obs(50, 8), obs(300, 4)], [{ type: 'start', t: 100 }])).toEqual({ before: 8, after: null });
    expect(painBeforeAfter([obs(50, 8), obs(300, 4)], [{ type: 'start', t: 100 }, { type: 'stop', t: 200 }, { type: 'start', t: 250 }])).toEqual({ before: 8, after: null });
    expect(painBeforeAfter([{ t: 50, score: 0, scale: 'RASS' }], [{ type: 'start', t: 100 }, { type: 'stop', t: 200 }])).toEqual({ before: null, after: null });
  });
});
