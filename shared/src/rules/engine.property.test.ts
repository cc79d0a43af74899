import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CARE_SETTINGS, INFUSION_EVENT_TYPES } from '../sessions';
import { VITAL_FIELDS, VITAL_META, type VitalField, type VitalsSample } from '../vitals';
import { engineContextSchema, engineEventSchema, type EngineContext, type EngineEvent } from './context';
import { evaluate, initialEngineState, isFiringPhase, ruleStateOf, type EngineState, type RuleTransition } from './engine';
import { restoreEngineState, serializeEngineState } from './stored';
import { applyProfile, defaultRuleSet } from './index';
import { INFUSION_STATUSES, type RuleSet } from './schema';
import { TREND_BUCKETS } from './kinds/vitals';

/**
 * Properties over arbitrary sequences of valid events and contexts: values anywhere in the
 * physiological range, null (sensor reports no value) or absent; event times mostly increasing,
 * sometimes repeated or earlier.
 */

const T0 = 1_700_000_000_000;

const vitalValue = (f: VitalField) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.double({ min: VITAL_META[f].min, max: VITAL_META[f].max, noNaN: true, noDefaultInfinity: true }) },
    { weight: 2, arbitrary: fc.integer({ min: VITAL_META[f].min, max: VITAL_META[f].max }) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const sampleValues = fc.record(Object.fromEntries(VITAL_FIELDS.map((f) => [f, vitalValue(f)])) as Record<VitalField, fc.Arbitrary<number | null | undefined>>).map((r) => {
  const s: Omit<VitalsSample, 't'> = {};
  for (const f of VITAL_FIELDS) if (r[f] !== undefined) s[f] = r[f];
  return s;
});

const scaleScore = fc.oneof(
  fc.record({ scale: fc.constant('RASS' as const), score: fc.integer({ min: -5, max: 4 }) }),
  fc.record({ scale: fc.constant('MOAAS' as const), score: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ scale: fc.constant('RAMSAY' as const), score: fc.integer({ min: 1, max: 6 }) }),
);

type Step = { dt: number; make: (t: number) => EngineEvent };

const step: fc.Arbitrary<Step> = fc.record({
  dt: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 3_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 3_000, max: 1_200_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -5_000, max: 0 }) }),
  make: fc.oneof(
    { weight: 6, arbitrary: sampleValues.map((v) => (t: number): EngineEvent => ({ kind: 'vitals', t, sample: { t, ...v } })) },
    { weight: 4, arbitrary: fc.constant((t: number): EngineEvent => ({ kind: 'tick', t })) },
    {
      weight: 1,
      arbitrary: fc
        .record({ type: fc.constantFrom(...INFUSION_EVENT_TYPES), rate: fc.option(fc.double({ min: 0.01, max: 20, noNaN: true })), dose: fc.option(fc.double({ min: 0.1, max: 500, noNaN: true })) })
        .map((x) => (t: number): EngineEvent => ({ kind: 'infusion', t, event: { type: x.type, rateMgKgH: x.rate, doseMg: x.dose } })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(scaleScore, fc.record({ scale: fc.constant('NRS_PAIN' as const), score: fc.integer({ min: 0, max: 10 }) }))
        .map((obs) => (t: number): EngineEvent => ({ kind: 'observation', t, obs })),
    },
  ),
});

const context: fc.Arbitrary<EngineContext> = fc.record({
  session: fc.record({
    weightKg: fc.double({ min: 2, max: 400, noNaN: true }),
    ageYears: fc.integer({ min: 0, max: 125 }),
    setting: fc.constantFrom(...CARE_SETTINGS),
    startedAt: fc.integer({ min: T0 - 3_600_000, max: T0 }),
  }),
  infusion: fc.record({
    status: fc.constantFrom(...INFUSION_STATUSES),
    rateMgKgH: fc.double({ min: 0, max: 20, noNaN: true }),
    cumulativeMg: fc.double({ min: 0, max: 5000, noNaN: true }),
    cumulativeMgPerKg: fc.double({ min: 0, max: 50, noNaN: true }),
    asOf: fc.integer({ min: 0, max: T0 + 3_600_000 }),
  }),
  baseline: fc.option(
    fc.record(Object.fromEntries(VITAL_FIELDS.map((f) => [f, fc.double({ min: VITAL_META[f].min, max: VITAL_META[f].max, noNaN: true })])) as Record<VitalField, fc.Arbitrary<number>>, {
      requiredKeys: [],
    }),
  ),
  lastObservation: fc.record({
    sedation: fc.option(scaleScore.chain((s) => fc.integer({ min: T0 - 3_600_000, max: T0 + 3_600_000 }).map((t) => ({ t, ...s })))),
    pain: fc.option(fc.record({ t: fc.integer({ min: T0 - 3_600_000, max: T0 + 3_600_000 }), score: fc.integer({ min: 0, max: 10 }) })),
  }),
  lastNibpAt: fc.option(fc.integer({ min: T0 - 3_600_000, max: T0 + 3_600_000 })),
  treatmentsInLast12Months: fc.integer({ min: 0, max: 30 }),
  profile: fc.constantFrom('standard' as const, 'elderly_comorbid' as const),
});

/** A scenario: contexts that change now and then (as the server's would) and a sequence of events. */
const scenario = fc.record({ contexts: fc.array(context, { minLength: 1, maxLength: 4 }), steps: fc.array(step, { minLength: 1, maxLength: 300 }) });

const RULE_SETS: RuleSet[] = [defaultRuleSet, applyProfile(defaultRuleSet, 'elderly_comorbid').ruleSet];

/** Plays the scenario's steps; `between(i, state)` may replace the state before step i (a hand-over). */
function play(
  rs: RuleSet,
  sc: { contexts: EngineContext[]; steps: Step[] },
  between?: (i: number, state: EngineState) => EngineState,
): { transitions: RuleTransition[]; state: EngineState } {
  let state = initialEngineState();
  let t = T0;
  const transitions: RuleTransition[] = [];
  sc.steps.forEach((s, i) => {
    if (between) state = between(i, state);
    t = Math.max(0, t + s.dt);
    const ctx = sc.contexts[Math.floor((i * sc.contexts.length) / sc.steps.length)]!;
    const r = evaluate(rs, state, ctx, s.make(t));
    state = r.state;
    transitions.push(...r.transitions);
  });
  return { transitions, state };
}

const NUM_RUNS = 150;

describe('engine properties', () => {
  it('the arbitraries produce only valid contexts and events (so the properties below are about valid input)', () => {
    fc.assert(
      fc.property(context, step, (ctx, s) => {
        expect(engineContextSchema.safeParse(ctx).success).toBe(true);
        expect(engineEventSchema.safeParse(s.make(T0)).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('(a) never throws, and every transition names a rule of the set with a message', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(...RULE_SETS), (sc, rs) => {
        const { transitions } = play(rs, sc);
        const ids = new Set(rs.rules.map((r) => r.id));
        for (const tr of transitions) {
          expect(ids.has(tr.rule.id)).toBe(true);
          expect(tr.message.length).toBeGreaterThan(0);
          expect(tr.message).not.toMatch(/\{\w+\}|NaN|undefined/);
          expect(Number.isFinite(tr.t)).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(b) is deterministic: the same sequence gives identical transitions and state', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom(...RULE_SETS), (sc, rs) => {
        const a = play(rs, sc);
        const b = play(rs, sc);
        expect(b.transitions).toEqual(a.transitions);
        expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('(c) per rule, fire and clear alternate, starting with a fire', () => {
    let fires = 0;
    let clears = 0;
    fc.assert(
      fc.property(scenario, fc.constantFrom(...RULE_SETS), (sc, rs) => {
        const { transitions, state } = play(rs, sc);
        for (const tr of transitions) if (tr.type === 'fire') fires++;
        else clears++;
        const last = new Map<string, 'fire' | 'clear'>();
        for (const tr of transitions) {
          expect(last.get(tr.rule.id) ?? 'clear').not.toBe(tr.type);
          last.set(tr.rule.id, tr.type);
        }
        // The state agrees with the transitions.
        for (const r of rs.rules) expect(isFiringPhase(ruleStateOf(state, r.id)?.phase ?? 'normal')).toBe(last.get(r.id) === 'fire');
      }),
      { numRuns: NUM_RUNS },
    );
    // The sequences do exercise the rules (the property is not vacuous).
    expect(fires).toBeGreaterThan(NUM_RUNS);
    expect(clears).toBeGreaterThan(NUM_RUNS / 2);
  });

  it('(e) a state stored and restored between any two events (a node taking over) resumes exactly: same transitions, same state', () => {
    let handedOverFiring = 0;
    fc.assert(
      fc.property(scenario, fc.constantFrom(...RULE_SETS), fc.nat(), (sc, rs, cut) => {
        const at = cut % (sc.steps.length + 1);
        const straight = play(rs, sc);
        const resumed = play(rs, sc, (i, state) => {
          if (i !== at) return state;
          if (state.rules.some((r) => isFiringPhase(r.phase))) handedOverFiring++;
          const r = restoreEngineState(serializeEngineState(state));
          if (!r.ok) throw new Error(`restore refused: ${JSON.stringify(r.fields)}`);
          return r.state;
        });
        expect(resumed.transitions).toEqual(straight.transitions);
        expect(resumed.state).toEqual(straight.state);
      }),
      { numRuns: NUM_RUNS },
    );
    // Hand-overs do happen while alarms are raised (the property covers "not raised again").
    expect(handedOverFiring).toBeGreaterThan(NUM_RUNS / 4);
  });

  it('(d) the state stays small and bounded after long sequences', () => {
    const long = fc.record({ contexts: fc.array(context, { minLength: 1, maxLength: 3 }), steps: fc.array(step, { minLength: 2_000, maxLength: 4_000 }) });
    fc.assert(
      fc.property(long, (sc) => {
        const { state } = play(defaultRuleSet, sc);
        expect(state.rules.length).toBeLessThanOrEqual(defaultRuleSet.rules.length);
        for (const rs of state.rules) {
          const d = rs.d;
          if (Array.isArray(d)) {
            for (const h of d) if (Array.isArray(h) && Array.isArray(h[0])) expect(h.length).toBeLessThanOrEqual(TREND_BUCKETS + 2);
            if (Array.isArray(d[0]) && typeof d[0][0] === 'number') expect(d.length).toBeLessThanOrEqual(TREND_BUCKETS + 2);
          }
        }
        expect(JSON.stringify(state).length).toBeLessThan(20_000);
      }),
      { numRuns: 15 },
    );
  });
});
