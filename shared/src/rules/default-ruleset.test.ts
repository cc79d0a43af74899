import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VitalsSample } from '../vitals';
import { engineEvents as E, type EngineContext, type EngineEvent } from './context';
import { defaultRuleSet, formatSource, ruleSetSchema } from './index';
import { T0, at, ctxAt, run } from './testkit';

describe('the shipped rule set (version 6)', () => {
  it('is version 6 and lists each rule with its priority, category and kind', () => {
    expect(defaultRuleSet.version).toBe(6);
    expect(defaultRuleSet.rules.map((r) => `${r.id} ${r.priority} ${r.category} ${r.kind}`)).toEqual([
      'spo2.low.high high clinical threshold',
      'sbp.high.high high clinical threshold',
      'hr.high.high high clinical threshold',
      'dbp.high.high high clinical threshold',
      'sbp.low.high high clinical threshold',
      'sbp.baseline.rise medium clinical baseline_change',
      'hr.high.medium medium clinical threshold',
      'hr.low.medium medium clinical threshold',
      'spo2.low.medium medium clinical threshold',
      'rr.low.medium medium clinical threshold',
      'rr.low.high high clinical threshold',
      'etco2.high.medium medium clinical threshold',
      'etco2.low.medium medium clinical threshold',
      'apnea high clinical no_breath',
      'sedation.moderate medium clinical sedation',
      'sedation.deep high clinical sedation',
      'sedation.agitation medium clinical sedation',
      'spo2.falling medium clinical rate_of_change',
      'hypoventilation high clinical combination',
      'tech.no_data medium technical no_data',
      'tech.spo2.off low technical technical',
      'tech.ecg.off low technical technical',
      'tech.co2.off low technical technical',
      'tech.resp.absent medium technical technical',
      'tech.nibp.off low technical technical',
      'tech.hr.artifact low technical technical',
      'tech.spo2.artifact low technical technical',
      'obs.sedation.due medium advisory observation_due',
      'obs.nibp.due low advisory observation_due',
      'obs.sedation.recovery medium advisory observation_due',
      'dose.bolus.clinic high advisory dose_guardrail',
      'dose.bolus.high medium advisory dose_guardrail',
      'dose.rate.clinic high advisory dose_guardrail',
      'dose.rate.non_icu high advisory dose_guardrail',
      'dose.rate.max high clinical dose_guardrail',
      'dose.cumulative medium advisory dose_guardrail',
      'treatments.year.over6 medium advisory treatment_count',
      'treatments.year.over12 high advisory treatment_count',
    ]);
  });

  it('every rule cites the guideline with a question or table, and thresholds not in it are marked institutional defaults', () => {
    for (const r of defaultRuleSet.rules) {
      expect(r.source.document, r.id).toMatch(/ASRA\/AAPM\/ASA 2018/);
      expect(r.source.section, r.id).toMatch(/\bQ[1-8]\b|Table [1-6]|Monitoring section/);
      expect(r.actions.length, r.id).toBeGreaterThan(0);
      if (r.source.document.includes('clinical-reference.md section')) expect(r.source.institutionalDefault, r.id).toBe(true);
    }
    // Values taken from the guideline itself are not institutional defaults.
    const guideline = defaultRuleSet.rules.filter((r) => !r.source.institutionalDefault).map((r) => r.id);
    expect(guideline).toEqual(['dose.bolus.clinic', 'dose.bolus.high', 'dose.rate.clinic', 'dose.rate.max', 'treatments.year.over6', 'treatments.year.over12']);
    expect(formatSource(defaultRuleSet.rules[0]!.source)).toMatch(/\(institutional default, editable\)$/);
  });

  it('dose limits say what the guideline says: > 1 mg/kg/h in a clinic from Table 6, 2 mg/kg/h outside ICU a site decision, 7 mg/kg/h a Q3 report', () => {
    const rule = (id: string) => {
      const r = defaultRuleSet.rules.find((x) => x.id === id);
      if (r?.kind !== 'dose_guardrail') throw new Error(id);
      return r;
    };
    // "exceeding 1 mg/kg per hour" is Table 6; Q6 says ">= 1": the limit cites the wording it uses.
    const clinic = rule('dose.rate.clinic');
    expect([clinic.op, clinic.limit]).toEqual(['>', 1]);
    expect(clinic.source.section).toMatch(/^Table 6 personnel and monitoring \(3\): at dosages exceeding 1 mg\/kg per hour a monitored setting/);
    // Q6: "higher cutoffs ... may also be utilized in appropriately resourced environments".
    const nonIcu = rule('dose.rate.non_icu');
    expect(nonIcu.source.institutionalDefault).toBe(true);
    expect(nonIcu.source.section).toMatch(/site decision: Q6 "higher cutoffs/);
    const max = rule('dose.rate.max');
    expect(max.title).toBe('Infusion rate above any reported dose');
    expect(max.source.section).toMatch(/^Q3: .*up to 7 mg\/kg per hour were reported .*intensive care unit monitoring and intubation or other precautions against aspiration/);
  });

  it('docs/rules.md lists every shipped rule with its source as the rule set has it', () => {
    const doc = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
    expect(doc).toContain(`(version ${defaultRuleSet.version}, ${defaultRuleSet.rules.length} rules)`);
    for (const r of defaultRuleSet.rules)
      expect(doc, r.id).toContain(`| \`${r.id}\` | ${r.title} | ${r.kind} | ${r.priority} | ${r.category} | ${r.source.section}${r.source.institutionalDefault ? ' (institutional default)' : ''} |`);
  });

  it('high-priority clinical alarms latch', () => {
    for (const r of defaultRuleSet.rules) if (r.priority === 'high' && r.category === 'clinical') expect(r.latching, r.id).toBe(true);
  });

  it('round-trips through JSON and the schema unchanged', () => {
    expect(ruleSetSchema.parse(JSON.parse(JSON.stringify(defaultRuleSet)))).toEqual(defaultRuleSet);
  });
});

/** One hour of a monitored session at 1 Hz with ticks, NIBP every 3 min and a sedation score every 10 min. */
function session(vitals: (s: number) => Omit<VitalsSample, 't'>, seconds = 3600): { evs: EngineEvent[]; ctx: (ev: EngineEvent) => EngineContext } {
  const evs: EngineEvent[] = [E.infusion(at(0), 'start', { rateMgKgH: 0.5 })];
  for (let s = 1; s <= seconds; s++) {
    evs.push(E.vitals(at(s), { ...vitals(s), ...(s % 180 === 1 ? { sbp: 124, dbp: 76, map: 92 } : {}) }));
    evs.push(E.tick(at(s) + 500));
    if (s % 600 === 0) evs.push(E.observation(at(s) + 600, 'RASS', -1));
  }
  const ctx = (ev: EngineEvent): EngineContext => {
    const lastScoreS = Math.floor((ev.t - T0 - 600) / 600_000) * 600;
    return ctxAt({
      session: { setting: 'monitored_unit', weightKg: 70 },
      infusion: { status: 'running', rateMgKgH: 0.5, asOf: T0 },
      baseline: { hr: 74, sbp: 122, dbp: 75, spo2: 98, rr: 14, etco2: 38 },
      lastObservation: { sedation: lastScoreS > 0 ? { t: at(lastScoreS) + 600, scale: 'RASS', score: -1 } : { t: T0, scale: 'RASS', score: 0 }, pain: null },
      treatmentsInLast12Months: 3,
    });
  };
  return { evs, ctx };
}

const normal = (s: number) => ({ hr: 74 + (s % 7), spo2: 97 + (s % 2), rr: 14, etco2: 38 + (s % 3) });

describe('whole sessions with the shipped rules', () => {
  it('an uneventful hour raises nothing', () => {
    const { evs, ctx } = session(normal);
    expect(run(defaultRuleSet, evs, ctx).transitions.map((t) => `${t.rule.id}: ${t.message}`)).toEqual([]);
  });

  it('respiratory depression raises the respiratory alarms at the times their delays give', () => {
    // From 20 min: RR 6, EtCO2 climbing to 56, SpO2 falling 1 point every 5 s to 84.
    const depressed = (s: number) => {
      if (s < 1200) return normal(s);
      const k = s - 1200;
      return { hr: 80, rr: 6, etco2: Math.min(56, 40 + k), spo2: Math.max(84, 97 - Math.floor(k / 5)) };
    };
    const { evs, ctx } = session(depressed, 1320);
    const fired = run(defaultRuleSet, evs, ctx).transitions.filter((t) => t.type === 'fire');
    expect(fired.map((t) => `${(t.t - T0) / 1000 - 1200}s ${t.rule.id}`)).toEqual([
      '10s rr.low.high', // RR < 8 for 10 s
      '15s rr.low.medium', // RR < 10 for 15 s
      '25s hypoventilation', // SpO2 98 → 95 within 2 min (at 10 s), with RR < 10, confirmed for 15 s
      '26s etco2.high.medium', // > 50 from 11 s, for 15 s
      '30s spo2.falling', // 98 → 94 within 60 s (at 15 s), confirmed for 15 s
      '45s spo2.low.medium', // < 92 from 30 s, for 15 s
      '60s spo2.low.high', // < 88 from 50 s, for 10 s
    ]);
    expect(fired.find((t) => t.rule.id === 'hypoventilation')?.message).toBe('Hypoventilation: SpO2 fell 6 in 2 min (to 92) and EtCO2 56 > 50 and RR 6 < 10');
  });
});
