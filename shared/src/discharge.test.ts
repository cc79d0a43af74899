import { describe, expect, it } from 'vitest';
import { aldreteCirculation, aldreteOxygenation, assessDischarge, dischargeScoreOf, dischargeSettingsOf, missingScoreItems, padssVitals, scoreAldrete, scorePadss, type DischargeFacts, type DischargeInput, type SiteDischargeSettings } from './discharge';
import { ruleSetSchema, type RuleSet } from './rules/schema';
import { defaultRuleSet } from './rules/index';

const input = (over: Partial<DischargeInput> = {}): DischargeInput => ({
  aldrete: { activity: 2, respiration: 2, consciousness: 2 },
  onSupplementalOxygen: false,
  finalSedation: { scale: 'RASS', score: 0 },
  finalPain: 2,
  mentalStatusAtBaseline: true,
  escortPresent: true,
  noDrivingAgreed: true,
  ...over,
});
const facts = (over: Partial<DischargeFacts> = {}): DischargeFacts => ({
  settings: dischargeSettingsOf(defaultRuleSet),
  now: 40 * 60_000,
  stoppedAt: 0,
  baseline: { sbp: 120, dbp: 80, hr: 70, spo2: 98 },
  latest: { sbp: 124, dbp: 82, hr: 72, spo2: 97 },
  baselineSedation: { scale: 'RASS', score: 0 },
  liverRisk: false,
  cumulativeMgKg: 0.5,
  ...over,
});

describe('modified Aldrete score', () => {
  it('scores circulation on systolic BP against the measured baseline: within 20 % 2, 20-49 % 1, 50 % or more 0', () => {
    expect(aldreteCirculation(120, 144).score).toBe(2);
    expect(aldreteCirculation(120, 96).score).toBe(2);
    expect(aldreteCirculation(120, 145).score).toBe(1);
    expect(aldreteCirculation(120, 179).score).toBe(1);
    expect(aldreteCirculation(120, 180).score).toBe(0);
    expect(aldreteCirculation(120, 59).score).toBe(0);
    expect(aldreteCirculation(undefined, 120)).toEqual({ score: 0, why: 'no measured baseline systolic BP to compare with' });
    expect(aldreteCirculation(120, undefined)).toEqual({ score: 0, why: 'no systolic BP measured since the stop' });
  });

  it('scores SpO2 2 only above 92 % on room air; above 90 % (or on oxygen) 1; else 0', () => {
    expect(aldreteOxygenation(93, false).score).toBe(2);
    expect(aldreteOxygenation(92, false).score).toBe(1);
    expect(aldreteOxygenation(98, true)).toEqual({ score: 1, why: 'SpO2 98 % on oxygen: needs oxygen to keep SpO2 above 90 %' });
    expect(aldreteOxygenation(90, true).score).toBe(0);
    expect(aldreteOxygenation(undefined, false).score).toBe(0);
  });

  it('adds the three bedside items and the two measured ones to a total of 10', () => {
    const full = scoreAldrete(input(), facts().baseline, facts().latest);
    expect(full.total).toBe(10);
    expect(full.items.map((i) => [i.item, i.score, i.computed])).toEqual([
      ['activity', 2, false],
      ['respiration', 2, false],
      ['circulation', 2, true],
      ['consciousness', 2, false],
      ['oxygenation', 2, true],
    ]);
    const drowsy = scoreAldrete(input({ aldrete: { activity: 2, respiration: 1, consciousness: 1 }, onSupplementalOxygen: true }), facts().baseline, facts().latest);
    expect(drowsy.total).toBe(7);
  });
});

describe('discharge assessment', () => {
  it('is met when every criterion is, with the site threshold of 9 as an institutional default', () => {
    const a = assessDischarge(input(), facts());
    expect(a.met).toBe(true);
    expect(a.minScore).toBe(9);
    expect(a.criteria.find((c) => c.id === 'aldrete')!.source).toMatch(/Aldrete.*institutional default/);
  });

  it('a score of 8 is not enough, and says which items are low and why', () => {
    const a = assessDischarge(input({ aldrete: { activity: 2, respiration: 1, consciousness: 2 } }), facts({ latest: { sbp: 150, dbp: 82, hr: 72, spo2: 97 } }));
    const c = a.criteria.find((x) => x.id === 'aldrete')!;
    expect(a.score).toBe(8);
    expect(c).toMatchObject({ met: false });
    expect(c.reason).toBe('score 8 of 10, needs 9: respiration 1 (dyspnoea or limited breathing); circulation 1 (SBP 150 vs baseline 120 mmHg (+25 %): systolic BP 20-49 % from baseline)');
    expect(a.met).toBe(false);
  });

  it('asks for the baseline scale, the minimum time after the stop, escort and no driving', () => {
    const a = assessDischarge(input({ finalSedation: { scale: 'MOAAS', score: 5 }, escortPresent: false }), facts({ now: 20 * 60_000 }));
    const unmet = Object.fromEntries(a.criteria.filter((c) => !c.met).map((c) => [c.id, c.reason]));
    expect(unmet).toEqual({
      sedation_baseline: 'final score on MOAA/S, baseline was scored on RASS: score on RASS',
      observation_time: '20 min since the stop (minimum 30 min)',
      escort: 'no escort',
    });
  });

  it('names a vital with no reading since the stop', () => {
    const a = assessDischarge(input(), facts({ latest: { sbp: 120, hr: 70, spo2: 98 } }));
    expect(a.criteria.find((c) => c.id === 'vitals_range')).toMatchObject({ met: false, reason: 'no DBP measured since the stop; within: SBP 120 vs baseline 120 mmHg (+0 %); HR 70 vs baseline 70 /min (+0 %)' });
  });
});

/** The shipped settings with the site's choices changed. */
const site = (over: Partial<SiteDischargeSettings> & { bleeding?: 'not_applicable_scored_2' | 'nurse_scores'; scale?: 'aldrete' | 'padss'; minScore?: number }): SiteDischargeSettings => {
  const s = dischargeSettingsOf(defaultRuleSet);
  const { bleeding, scale, minScore, ...rest } = over;
  return {
    ...s,
    ...rest,
    score: { ...s.score, scale: scale ?? s.score.scale, minScore: minScore ?? s.score.minScore },
    padss: { ...s.padss, bleeding: { ...s.padss.bleeding, handling: bleeding ?? s.padss.bleeding.handling } },
  };
};
const padssInput = (over: Partial<NonNullable<DischargeInput['padss']>> = {}, rest: Partial<DischargeInput> = {}): DischargeInput => {
  const { aldrete: _a, ...base } = input(rest);
  return { ...base, padss: { activity: 2, nauseaVomiting: 2, pain: 2, ...over } };
};

describe('PADSS (Chung 1995)', () => {
  it('ships the modified Aldrete score as the site choice, PADSS cited in the rule set with its bleeding handling an institutional default', () => {
    const s = dischargeSettingsOf(defaultRuleSet);
    expect(s.score.scale).toBe('aldrete');
    expect(s.padss.source).toMatchObject({ institutionalDefault: false });
    expect(s.padss.source.document).toContain('Chung F, Chan VW, Ong D');
    expect(s.padss.source.document).toContain('J Clin Anesth 1995;7:500-506');
    expect(s.padss.bleeding).toMatchObject({ handling: 'not_applicable_scored_2', source: { institutionalDefault: true } });
    expect(s.padss.bleeding.source.document).toMatch(/not from PADSS/);
  });

  it('scores vital signs on the further of BP and pulse from the measured baseline: within 20 % 2, 20-40 % 1, more than 40 % 0', () => {
    const base = { sbp: 100, hr: 100 };
    expect(padssVitals(base, { sbp: 120, hr: 80 }).score).toBe(2);
    expect(padssVitals(base, { sbp: 121, hr: 100 }).score).toBe(1);
    expect(padssVitals(base, { sbp: 100, hr: 140 }).score).toBe(1);
    expect(padssVitals(base, { sbp: 100, hr: 59 }).score).toBe(0);
    expect(padssVitals(base, { sbp: 141, hr: 100 })).toEqual({ score: 0, why: 'SBP 141 vs baseline 100 mmHg (+41 %), HR 100 vs baseline 100 /min (+0 %): BP or pulse more than 40 % from baseline' });
    expect(padssVitals(null, { sbp: 100, hr: 100 })).toEqual({ score: 0, why: 'no measured baseline SBP to compare with' });
    expect(padssVitals(base, { sbp: 100 })).toEqual({ score: 0, why: 'no HR measured since the stop' });
  });

  it('scores bleeding 2 by site policy when not applicable, or as the nurse scores it', () => {
    const f = facts();
    const byPolicy = scorePadss(padssInput({ bleeding: 0 }), site({ scale: 'padss' }), f.baseline, f.latest);
    expect(byPolicy.items.find((i) => i.item === 'bleeding')).toMatchObject({ score: 2, policy: true });
    expect(byPolicy.total).toBe(10);
    const scored = scorePadss(padssInput({ bleeding: 1 }), site({ scale: 'padss', bleeding: 'nurse_scores' }), f.baseline, f.latest);
    expect(scored.items.find((i) => i.item === 'bleeding')).toMatchObject({ score: 1, why: 'moderate' });
    expect(scored.total).toBe(9);
  });

  it('asks for the items of the site scale only (bleeding when the nurse scores it)', () => {
    expect(missingScoreItems(input(), site({ scale: 'padss' })).map((m) => m.field)).toEqual(['padss.activity', 'padss.nauseaVomiting', 'padss.pain']);
    expect(missingScoreItems(padssInput(), site({ scale: 'padss' }))).toEqual([]);
    expect(missingScoreItems(padssInput(), site({ scale: 'padss', bleeding: 'nurse_scores' })).map((m) => m.field)).toEqual(['padss.bleeding']);
    expect(missingScoreItems(padssInput(), site({})).map((m) => m.field)).toEqual(['aldrete.activity', 'aldrete.respiration', 'aldrete.consciousness']);
  });

  it('is met at the site threshold of 9 and not at 8, naming the low items, with PADSS cited', () => {
    const s = site({ scale: 'padss' });
    const nine = assessDischarge(padssInput({ nauseaVomiting: 1 }), facts({ settings: s }));
    expect(nine).toMatchObject({ scale: 'padss', score: 9, minScore: 9, met: true, aldrete: [] });
    expect(nine.criteria.find((c) => c.id === 'padss')!.source).toMatch(/Chung F.*threshold 9: institutional default/);
    expect(dischargeScoreOf(nine).items.map((i) => i.item)).toEqual(['vitals', 'activity', 'nauseaVomiting', 'pain', 'bleeding']);
    const eight = assessDischarge(padssInput({ nauseaVomiting: 1, pain: 1 }), facts({ settings: s }));
    expect(eight.met).toBe(false);
    expect(eight.criteria.find((c) => c.id === 'padss')).toMatchObject({ met: false, reason: 'score 8 of 10, needs 9: nausea and vomiting 1 (moderate); pain 1 (moderate)', label: 'PADSS score 9 or more' });
    const strict = assessDischarge(padssInput({ nauseaVomiting: 1 }), facts({ settings: site({ scale: 'padss', minScore: 10 }) }));
    expect(strict.met).toBe(false);
  });

  it('reads an Aldrete discharge recorded before PADSS was offered (no scale) as Aldrete', () => {
    const a = assessDischarge(input(), facts());
    const { scale: _s, padss: _p, ...old } = a;
    expect(dischargeScoreOf(old)).toMatchObject({ scale: 'aldrete', name: 'Modified Aldrete' });
    expect(dischargeScoreOf(old).items).toHaveLength(5);
  });
});

describe('escort and no driving, switchable by the site', () => {
  it('are required as shipped (institutional defaults)', () => {
    const s = dischargeSettingsOf(defaultRuleSet);
    expect(s.escort).toMatchObject({ required: true, source: { institutionalDefault: true } });
    expect(s.noDriving).toMatchObject({ required: true, source: { institutionalDefault: true } });
    const a = assessDischarge(input({ escortPresent: undefined, noDrivingAgreed: false }), facts());
    expect(a.met).toBe(false);
    expect(a.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual(['escort', 'no_driving']);
  });

  it('are left out when the site does not require them', () => {
    const s = site({ escort: { ...site({}).escort, required: false }, noDriving: { ...site({}).noDriving, required: false } });
    const a = assessDischarge(input({ escortPresent: undefined, noDrivingAgreed: undefined }), facts({ settings: s }));
    expect(a.met).toBe(true);
    expect(a.criteria.map((c) => c.id)).not.toContain('escort');
    expect(a.criteria.map((c) => c.id)).not.toContain('no_driving');
    const onlyEscort = assessDischarge(input({ escortPresent: false }), facts({ settings: site({ noDriving: { ...site({}).noDriving, required: false } }) }));
    expect(onlyEscort.criteria.filter((c) => !c.met).map((c) => c.id)).toEqual(['escort']);
  });

  it('a rule set stored before version 6 (no PADSS, escort or no-driving parts) gets the shipped defaults', () => {
    const { padss: _p, escort: _e, noDriving: _n, ...v5 } = defaultRuleSet.discharge!;
    const stored: RuleSet = ruleSetSchema.parse({ ...defaultRuleSet, version: 5, discharge: v5 });
    const s = dischargeSettingsOf(stored);
    expect(s.escort.required).toBe(true);
    expect(s.noDriving.required).toBe(true);
    expect(s.padss.bleeding.handling).toBe('not_applicable_scored_2');
  });

  it('the rule set schema refuses an unknown scale or bleeding handling', () => {
    const bad = (discharge: unknown) => ruleSetSchema.safeParse({ ...defaultRuleSet, discharge }).success;
    const d = defaultRuleSet.discharge!;
    expect(bad({ ...d, score: { ...d.score, scale: 'padss' } })).toBe(true);
    expect(bad({ ...d, score: { ...d.score, scale: 'steward' } })).toBe(false);
    expect(bad({ ...d, padss: { ...d.padss!, bleeding: { ...d.padss!.bleeding, handling: 'guess' } } })).toBe(false);
    expect(bad({ ...d, escort: { required: 'yes', source: d.escort!.source } })).toBe(false);
  });
});
