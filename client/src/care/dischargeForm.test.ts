import { describe, expect, it } from 'vitest';
import type { Observation } from '@infusion/shared';
import { emptyDischargeForm, toDischargeInput } from './dischargeForm';

const obs = (scale: Observation['scale'], score: number, t: number): Observation => ({ id: t, sessionId: 's1', scale, score, t, note: null, by: 'user:nurse' });

describe('discharge form', () => {
  it('asks the final sedation score on the scale the baseline was scored on (the last score before the start)', () => {
    const observations = [obs('MOAAS', 5, 100), obs('NRS_PAIN', 6, 110), obs('RASS', -1, 500)];
    expect(emptyDischargeForm(observations, 200).sedationScale).toBe('MOAAS');
    expect(emptyDischargeForm([], null).sedationScale).toBe('RASS');
  });

  it('sends nothing until the three bedside Aldrete items, the final sedation and the pain are answered, naming each', () => {
    const r = toDischargeInput(emptyDischargeForm([], null));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(['aldrete.activity', 'aldrete.respiration', 'aldrete.consciousness', 'finalSedation.score', 'finalPain']);
  });

  it('refuses a score off its scale, as the server would', () => {
    const f = { ...emptyDischargeForm([], null), activity: 2, respiration: 2, consciousness: 2, sedationScore: '7', pain: '3' };
    const r = toDischargeInput(f);
    expect(!r.ok && r.problems).toEqual([{ field: 'finalSedation.score', reason: 'RASS is scored -5 to 4' }]);
  });

  it('turns a complete form into the request body', () => {
    const f = { ...emptyDischargeForm([], null), activity: 2, respiration: 1, consciousness: 2, sedationScore: '-1', pain: '2', escortPresent: true };
    const r = toDischargeInput(f);
    expect(r.ok && r.input).toEqual({
      aldrete: { activity: 2, respiration: 1, consciousness: 2 },
      onSupplementalOxygen: false,
      finalSedation: { scale: 'RASS', score: -1 },
      finalPain: 2,
      mentalStatusAtBaseline: false,
      escortPresent: true,
      noDrivingAgreed: false,
      postInfusionLftsArranged: false,
    });
  });
});
