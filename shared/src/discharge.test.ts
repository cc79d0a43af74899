import { describe, expect, it } from 'vitest';
import { aldreteCirculation, aldreteOxygenation, assessDischarge, dischargeSettingsOf, scoreAldrete, type DischargeFacts, type DischargeInput } from './discharge';
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
