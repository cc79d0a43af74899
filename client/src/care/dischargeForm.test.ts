import { describe, expect, it } from 'vitest';
import { defaultRuleSet, dischargeSettingsOf, type Observation, type SiteDischargeSettings } from '@infusion/shared';
import { emptyDischargeForm, toDischargeInput } from './dischargeForm';

const aldrete = dischargeSettingsOf(defaultRuleSet);
const padss = (over: Partial<SiteDischargeSettings> = {}, bleeding: 'not_applicable_scored_2' | 'nurse_scores' = 'not_applicable_scored_2'): SiteDischargeSettings => ({
  ...aldrete,
  score: { ...aldrete.score, scale: 'padss' },
  padss: { ...aldrete.padss, bleeding: { ...aldrete.padss.bleeding, handling: bleeding } },
  ...over,
});

const obs = (scale: Observation['scale'], score: number, t: number): Observation => ({ id: t, sessionId: 's1', scale, score, t, note: null, by: 'user:nurse' });

describe('discharge form', () => {
  it('asks the final sedation score on the scale the baseline was scored on (the last score before the start)', () => {
    const observations = [obs('MOAAS', 5, 100), obs('NRS_PAIN', 6, 110), obs('RASS', -1, 500)];
    expect(emptyDischargeForm(observations, 200).sedationScale).toBe('MOAAS');
    expect(emptyDischargeForm([], null).sedationScale).toBe('RASS');
  });

  it('sends nothing until the three bedside Aldrete items, the final sedation and the pain are answered, naming each', () => {
    const r = toDischargeInput(emptyDischargeForm([], null), aldrete);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(['aldrete.activity', 'aldrete.respiration', 'aldrete.consciousness', 'finalSedation.score', 'finalPain']);
  });

  it('refuses a score off its scale, as the server would', () => {
    const f = { ...emptyDischargeForm([], null), activity: 2, respiration: 2, consciousness: 2, sedationScore: '7', pain: '3' };
    const r = toDischargeInput(f, aldrete);
    expect(!r.ok && r.problems).toEqual([{ field: 'finalSedation.score', reason: 'RASS is scored -5 to 4' }]);
  });

  it('turns a complete form into the request body', () => {
    const f = { ...emptyDischargeForm([], null), activity: 2, respiration: 1, consciousness: 2, sedationScore: '-1', pain: '2', escortPresent: true };
    const r = toDischargeInput(f, aldrete);
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

  it('asks the PADSS items when the site uses PADSS (bleeding only when the nurse scores it)', () => {
    const empty = toDischargeInput(emptyDischargeForm([], null), padss());
    expect(!empty.ok && empty.problems.map((p) => p.field)).toEqual(['padss.activity', 'padss.nauseaVomiting', 'padss.pain', 'finalSedation.score', 'finalPain']);
    const f = { ...emptyDischargeForm([], null), padssActivity: 2, nauseaVomiting: 1, padssPain: 2, bleeding: 0, sedationScore: '0', pain: '2', escortPresent: true, noDrivingAgreed: true };
    const r = toDischargeInput(f, padss());
    expect(r.ok && r.input.padss).toEqual({ activity: 2, nauseaVomiting: 1, pain: 2 });
    expect(r.ok && r.input.aldrete).toBeUndefined();
    const scored = toDischargeInput(f, padss({}, 'nurse_scores'));
    expect(scored.ok && scored.input.padss).toEqual({ activity: 2, nauseaVomiting: 1, pain: 2, bleeding: 0 });
  });

  it('sends escort and no driving only when the site requires them', () => {
    const f = { ...emptyDischargeForm([], null), activity: 2, respiration: 2, consciousness: 2, sedationScore: '0', pain: '2', escortPresent: true, noDrivingAgreed: true };
    const off = { ...aldrete, escort: { ...aldrete.escort, required: false }, noDriving: { ...aldrete.noDriving, required: false } };
    const r = toDischargeInput(f, off);
    expect(r.ok && 'escortPresent' in r.input).toBe(false);
    expect(r.ok && 'noDrivingAgreed' in r.input).toBe(false);
    const on = toDischargeInput(f, aldrete);
    expect(on.ok && [on.input.escortPresent, on.input.noDrivingAgreed]).toEqual([true, true]);
  });
});
