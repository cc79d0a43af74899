import {
  applyInfusionEvent,
  buildContext,
  defaultRuleSet,
  engineEvents,
  evaluate,
  initialEngineState,
  VITAL_FIELDS,
  type EngineContext,
  type EngineEvent,
  type EngineState,
  type RuleSet,
  type VitalField,
} from '@infusion/shared';
import { SimulatedPatient } from './patient';
import type { Scenario } from './scenarios';

export interface HeadlessOptions {
  scenario: Scenario;
  seed: number;
  weightKg: number;
  /** Scenario seconds between frames (the frame rate of the monitor). Default 5. */
  stepS?: number;
  /** Stop after this scenario minute; default 10 min after the last planned step or event. */
  untilMin?: number;
  ruleSet?: RuleSet;
  /** The scripted nurse scores sedation and pain this often (scenario minutes). Default 10. */
  scoreEveryMin?: number;
}

export interface HeadlessAlarm {
  ruleId: string;
  /** Scenario minute the alarm first fired. */
  atMin: number;
}

const T0 = 1_700_000_000_000;

/**
 * Runs a scenario with its scripted nurse through the shipped rule engine on the scenario's own
 * clock (event time = scenario time, as a simulation compressed x60 is judged), with no server:
 * the first activation of each rule. The context is kept as the server keeps it: the infusion from
 * its events, the baseline from the last reading before the start, the last NIBP reading and the
 * last scores.
 */
export function runHeadless(o: HeadlessOptions): HeadlessAlarm[] {
  const rules = o.ruleSet ?? defaultRuleSet;
  const stepS = o.stepS ?? 5;
  const scoreEvery = o.scoreEveryMin ?? 10;
  const s = o.scenario;
  const untilMin = o.untilMin ?? Math.max(...s.infusion.map((x) => x.atMin), ...s.events.map((e) => e.atMin)) + 10;
  const p = new SimulatedPatient({ scenario: s, weightKg: o.weightKg, seed: o.seed });
  let ctx: EngineContext = buildContext({ session: { weightKg: o.weightKg, ageYears: 50, setting: s.setting, startedAt: T0 } });
  let state: EngineState = initialEngineState();
  const latest: Partial<Record<VitalField, number>> = {};
  const fired = new Map<string, number>();
  let nextScoreMin = 0;

  const feed = (ev: EngineEvent) => {
    const r = evaluate(rules, state, ctx, ev);
    state = r.state;
    for (const tr of r.transitions) if (tr.type === 'fire' && !fired.has(tr.rule.id)) fired.set(tr.rule.id, (tr.t - T0) / 60_000);
  };
  const score = (t: number) => {
    const rass = p.assess('RASS');
    const pain = p.assess('NRS_PAIN');
    ctx = { ...ctx, lastObservation: { sedation: { t, scale: 'RASS', score: rass }, pain: { t, score: pain } } };
    feed(engineEvents.observation(t, 'RASS', rass));
    feed(engineEvents.observation(t, 'NRS_PAIN', pain));
  };

  for (let sec = 0; sec <= untilMin * 60; sec += stepS) {
    const t = T0 + sec * 1000;
    const x = p.advanceTo(sec / 60);
    if (x.reading.connected) {
      const values = x.reading.values;
      if (typeof values.sbp === 'number') ctx = { ...ctx, lastNibpAt: t };
      for (const f of VITAL_FIELDS) if (typeof values[f] === 'number') latest[f] = values[f];
      feed(engineEvents.vitals(t, values));
    } else {
      feed(engineEvents.tick(t));
    }
    for (const ev of x.infusionEvents) {
      if (ev.type === 'start' && ctx.infusion.status === 'not_started') {
        ctx = { ...ctx, baseline: { ...latest } };
        score(t);
      }
      const rateMgKgH = 'rateMgKgH' in ev ? ev.rateMgKgH : null;
      const doseMg = 'doseMg' in ev ? ev.doseMg : null;
      ctx = { ...ctx, infusion: applyInfusionEvent(ctx.infusion, o.weightKg, { type: ev.type, t, rateMgKgH, doseMg }) };
      feed(engineEvents.infusion(t, ev.type, { ...(rateMgKgH === null ? {} : { rateMgKgH }), ...(doseMg === null ? {} : { doseMg }) }));
    }
    if (ctx.infusion.status !== 'not_started' && sec / 60 >= nextScoreMin) {
      nextScoreMin = sec / 60 + scoreEvery;
      score(t);
    }
  }
  return [...fired].map(([ruleId, atMin]) => ({ ruleId, atMin }));
}
