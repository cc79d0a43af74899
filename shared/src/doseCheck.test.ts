import { describe, expect, it } from 'vitest';
import { defaultFormulary } from './formulary';
import { checkDose, checkRescue, formularyMaxDoseMg, NO_SITE_DOSE, orderHardCrossings, type DoseAction, type DoseContext } from './doseCheck';
import type { Order } from './orders';
import { bedsideIssues, configureRuleSet, defaultRuleSet } from './rules/index';
import type { CareSetting, RuleProfile } from './sessions';
import { initialInfusion } from './dose';

const T = 10 * 3_600_000;
const order = (over: Partial<Order> = {}): Order => ({
  drug: 'ketamine',
  setting: 'clinic',
  rateMinMgKgH: 0.25,
  rateMaxMgKgH: 1,
  bolusAllowed: true,
  bolusMaxMgKg: 0.5,
  bolusMinIntervalMin: 0,
  maxCumulativeMgKg: 8,
  sessionId: 's',
  version: 1,
  at: 0,
  by: 'user:physician',
  ...over,
});

function ctx(o: { setting?: CareSetting; profile?: RuleProfile; order?: Order | null; checklist?: number | null; cumulative?: number; rate?: number; boluses?: { t: number; doseMg: number }[] } = {}): DoseContext {
  const weightKg = 70;
  const cumulative = o.cumulative ?? 0;
  return {
    weightKg,
    setting: o.setting ?? 'clinic',
    ruleSets: [defaultRuleSet, configureRuleSet(defaultRuleSet, { profile: o.profile ?? 'standard' }).ruleSet],
    order: o.order === undefined ? order({ setting: o.setting ?? 'clinic' }) : o.order,
    checklistRateMgKgH: o.checklist ?? null,
    infusion: { ...initialInfusion(), status: 'running', rateMgKgH: o.rate ?? 0.5, cumulativeMg: cumulative * weightKg, cumulativeMgPerKg: cumulative, asOf: T },
    boluses: o.boluses ?? [],
    t: T,
  };
}
const rate = (r: number, type: 'start' | 'rate_change' = 'rate_change'): DoseAction => ({ type, rateMgKgH: r });
const bolus = (mgKg: number): DoseAction => ({ type: 'bolus', doseMg: mgKg * 70 });

describe('limits before the dose', () => {
  // Each row: the context, the action, the outcome, and the limits crossed (id:level).
  const cases: [string, DoseContext, DoseAction, string, string[]][] = [
    ['rate inside the order and the clinic limit', ctx(), rate(0.75), 'ok', []],
    ['rate above the order', ctx(), rate(1.2, 'start'), 'refused', ['order.rate.max:hard', 'dose.rate.clinic:hard']],
    ['rate below the order', ctx(), rate(0.1), 'refused', ['order.rate.min:hard']],
    ['clinic: above 1 mg/kg/h is hard (Table 6), even with an order allowing it', ctx({ order: order({ rateMaxMgKgH: 2 }) }), rate(1.5), 'refused', ['dose.rate.clinic:hard']],
    ['monitored unit: 1.5 mg/kg/h inside the order', ctx({ setting: 'monitored_unit', order: order({ setting: 'monitored_unit', rateMaxMgKgH: 2 }) }), rate(1.5), 'ok', []],
    ['ICU: 7.5 mg/kg/h is above any reported dose', ctx({ setting: 'icu', order: order({ setting: 'icu', rateMaxMgKgH: 10 }) }), rate(7.5), 'refused', ['dose.rate.max:hard']],
    ['ICU: 7 mg/kg/h (Q3, refractory cases with ICU monitoring) inside the order', ctx({ setting: 'icu', order: order({ setting: 'icu', rateMaxMgKgH: 7 }) }), rate(7), 'ok', []],
    ['clinic: 15 mg/kg/h', ctx(), rate(15), 'refused', ['order.rate.max:hard', 'dose.rate.clinic:hard', 'dose.rate.non_icu:soft', 'dose.rate.max:hard']],
    // The profile's 0.5 is an institutional value (Q6 gives no number): soft, confirmed with a reason.
    ['elderly/comorbid profile: 0.75 mg/kg/h in a clinic crosses the profile limit 0.5', ctx({ profile: 'elderly_comorbid' }), rate(0.75), 'needs_confirmation', ['dose.rate.clinic:soft']],
    ['elderly/comorbid profile: 1.5 mg/kg/h in a clinic stays hard at the site limit', ctx({ profile: 'elderly_comorbid', order: order({ rateMaxMgKgH: 2 }) }), rate(1.5), 'refused', ['dose.rate.clinic:soft', 'dose.rate.clinic:hard']],
    ['no order: up to the checklist rate', ctx({ order: null, checklist: 0.5 }), rate(0.5, 'start'), 'ok', []],
    ['no order: above the checklist rate', ctx({ order: null, checklist: 0.5 }), rate(20, 'start'), 'refused', ['order.rate.max:hard', 'dose.rate.clinic:hard', 'dose.rate.non_icu:soft', 'dose.rate.max:hard']],
    ['no order: no bolus', ctx({ order: null, checklist: 0.5 }), bolus(0.1), 'refused', ['order.bolus.allowed:hard']],
    ['order without boluses', ctx({ order: order({ bolusAllowed: false, bolusMaxMgKg: null, bolusMinIntervalMin: null }) }), bolus(0.1), 'refused', ['order.bolus.allowed:hard']],
    ['bolus inside the order', ctx(), bolus(0.2), 'ok', []],
    ['clinic: bolus of 0.35 mg/kg or more is hard (Table 6)', ctx(), bolus(0.43), 'refused', ['dose.bolus.clinic:hard', 'bolus.window:soft']],
    ['monitored unit: bolus of 0.4 mg/kg is soft, a physician confirms', ctx({ setting: 'monitored_unit', order: order({ setting: 'monitored_unit' }) }), bolus(0.4), 'needs_confirmation', ['dose.bolus.high:soft', 'bolus.window:soft']],
    ['bolus above the ordered maximum', ctx({ order: order({ bolusMaxMgKg: 0.1 }) }), bolus(0.2), 'refused', ['order.bolus.max:hard']],
    ['bolus sooner than the ordered interval', ctx({ order: order({ bolusMinIntervalMin: 10 }), boluses: [{ t: T - 60_000, doseMg: 7 }] }), bolus(0.1), 'refused', ['order.bolus.interval:hard']],
    ['second 0.34 mg/kg bolus within 15 min: rolling window', ctx({ boluses: [{ t: T - 30_000, doseMg: 0.34 * 70 }] }), bolus(0.34), 'needs_confirmation', ['bolus.window:soft']],
    ['bolus outside the window does not count', ctx({ boluses: [{ t: T - 16 * 60_000, doseMg: 0.34 * 70 }] }), bolus(0.34), 'ok', []],
    ['bolus over the ordered cumulative dose', ctx({ cumulative: 7.9 }), bolus(0.2), 'refused', ['order.cumulative:hard', 'dose.cumulative:soft']],
    ['cumulative 8 mg/kg (institutional, soft) with an order that allows more', ctx({ cumulative: 7.9, order: order({ maxCumulativeMgKg: 12 }) }), bolus(0.2), 'needs_confirmation', ['dose.cumulative:soft']],
    ['raising the rate when the cumulative dose is over its limit', ctx({ cumulative: 9, order: order({ maxCumulativeMgKg: 12 }) }), rate(0.75), 'needs_confirmation', ['dose.cumulative:soft']],
    ['lowering the rate when the cumulative dose is over its limit', ctx({ cumulative: 9, rate: 0.75, order: order({ maxCumulativeMgKg: 12 }) }), rate(0.5), 'ok', []],
  ];
  it.each(cases)('%s', (_name, c, action, outcome, crossed) => {
    const r = checkDose(c, action);
    expect(r.outcome).toBe(outcome);
    expect(r.crossings.map((x) => `${x.id}:${x.level}`).sort()).toEqual([...crossed].sort());
    for (const x of r.crossings) {
      expect(x.source.length).toBeGreaterThan(0);
      expect(x.message).toContain(x.source);
    }
  });

  it('names the source of a guideline limit and marks institutional ones', () => {
    const r = checkDose(ctx({ setting: 'icu', order: order({ setting: 'icu', rateMaxMgKgH: 10 }) }), rate(7.5));
    const max = r.crossings.find((c) => c.id === 'dose.rate.max')!;
    expect(max).toMatchObject({ value: 7.5, limit: 7, unit: 'mg/kg/h', level: 'hard' });
    expect(max.source).toMatch(/ASRA\/AAPM\/ASA 2018/);
    const w = checkDose(ctx({ boluses: [{ t: T - 30_000, doseMg: 0.34 * 70 }] }), bolus(0.34)).crossings[0]!;
    expect(w).toMatchObject({ id: 'bolus.window', confirmRole: 'physician', value: 0.68 });
    expect(w.source).toMatch(/institutional default/);
  });

  it('a bedside override that switches a dose rule off or raises it does not loosen the check', () => {
    const base = configureRuleSet(defaultRuleSet).ruleSet;
    const loosened = { ...base, rules: base.rules.map((r) => (r.kind === 'dose_guardrail' ? { ...r, enabled: false } : r)) };
    const c = { ...ctx({ order: order({ rateMaxMgKgH: 20 }) }), ruleSets: [base, loosened] };
    expect(checkDose(c, rate(15)).crossings.map((x) => x.id)).toContain('dose.rate.max');
  });
});

describe('orders against the hard limits', () => {
  const crossed = (o: Partial<Order>) => orderHardCrossings(order(o), [defaultRuleSet]).map((c) => `${c.id}:${c.value}`);
  it('refuses an order a hard limit of every setting forbids, and leaves setting-only limits to the checklist', () => {
    expect(crossed({ setting: 'icu', rateMaxMgKgH: 7 })).toEqual([]);
    expect(crossed({ setting: 'icu', rateMaxMgKgH: 7.5 })).toEqual(['dose.rate.max:7.5']);
    // Above 1 mg/kg/h in a clinic needs a monitored setting (Table 6): the checklist's setting item, not a refused order.
    expect(crossed({ setting: 'clinic', rateMaxMgKgH: 1.5 })).toEqual([]);
  });
});

describe('bedside limits inside the site floors and ceilings', () => {
  const rs = configureRuleSet(defaultRuleSet).ruleSet;
  const cases: [string, Record<string, Record<string, number | boolean>>, RegExp | null][] = [
    ['apnea off', { apnea: { enabled: false } }, /apnea: Apnea cannot be switched off/],
    ['dose maximum off', { 'dose.rate.max': { enabled: false } }, /cannot be switched off/],
    ['every rate guardrail off', { 'dose.rate.clinic': { enabled: false }, 'dose.rate.non_icu': { enabled: false } }, /dose.rate.clinic.*switched off/],
    ['dose limit raised', { 'dose.rate.max': { limit: 15 } }, /lowered at the bedside, not raised/],
    ['dose limit lowered', { 'dose.rate.clinic': { limit: 0.75 } }, null],
    ['SpO2 limit 50 %', { 'spo2.low.high': { limit: 50 } }, /spo2.low.high: limit 50 is below the site's floor of 85/],
    ['SpO2 limit 85 %', { 'spo2.low.high': { limit: 85 } }, null],
    ['HR limit changed', { 'hr.high.high': { limit: 140 } }, null],
  ];
  it.each(cases)('%s', (_n, overrides, issue) => {
    const issues = bedsideIssues(rs, overrides);
    if (issue) expect(issues.join('; ')).toMatch(issue);
    else expect(issues).toEqual([]);
  });
});

describe('rescue doses against the site formulary', () => {
  const midazolam = defaultFormulary.entries.find((e) => e.id === 'midazolam')!;
  const lorazepam = defaultFormulary.entries.find((e) => e.id === 'lorazepam')!;
  const rescue = defaultRuleSet.doseSafety!.rescue;
  it('reads the highest dose a formulary text gives, and invents none', () => {
    expect(formularyMaxDoseMg('0.03-0.05 mg/kg IV', 70)).toBeCloseTo(3.5, 9);
    expect(formularyMaxDoseMg('5 mg IV', 70)).toBe(5);
    expect(formularyMaxDoseMg(null, 70)).toBeNull();
    expect(formularyMaxDoseMg('as per anaesthetist', 70)).toBeNull();
  });
  const cases: [string, number, string, string[]][] = [
    ['midazolam 2 mg (inside 0.05 mg/kg x 70 kg = 3.5 mg)', 2, 'ok', []],
    ['midazolam 5 mg: above the formulary dose, soft', 5, 'needs_confirmation', ['rescue.midazolam.dose:soft']],
    ['midazolam 50 mg: 14 times the formulary dose, hard', 50, 'refused', ['rescue.midazolam.dose:soft', 'rescue.midazolam.hard:hard']],
  ];
  it.each(cases)('%s', (_n, mg, outcome, crossed) => {
    const r = checkRescue(midazolam, mg, 70, rescue);
    expect(r.outcome).toBe(outcome);
    expect(r.crossings.map((x) => `${x.id}:${x.level}`)).toEqual(crossed);
    expect(r.formularyDoseMg).toBeCloseTo(3.5, 9);
  });
  it('documents a drug with no site dose with the note, never a guessed limit', () => {
    const r = checkRescue(lorazepam, 4, 70, rescue);
    expect(r).toMatchObject({ outcome: 'ok', formularyDoseMg: null, note: NO_SITE_DOSE, limits: [] });
  });
});
