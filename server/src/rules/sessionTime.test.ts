import { defaultRuleSet, initialEngineState, initialInfusion, scenarioMsOfWall, wallOfScenarioMs, type RuleTransition, type ScenarioClock } from '@infusion/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AlarmManager } from '../alarms/alarmManager';
import type { SessionRepo, StoredSession } from '../persistence/sessionRepo';
import type { LiveSession } from '../sessions/sessionService';
import type { SessionTime } from '../sessions/sessionTime';
import { DeviceSeqs } from '../sessions/seqWindow';
import type { RuleSetStore } from './ruleSetStore';
import { SessionRules } from './sessionRules';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

const stored = {
  id: 's1',
  weightKg: 70,
  heightCm: null,
  sex: null,
  ageYears: 45,
  setting: 'clinic',
  unit: 'training',
  simulated: true,
  status: 'active',
  createdAt: T0,
  ruleSetId: defaultRuleSet.id,
  ruleSetVersion: defaultRuleSet.version,
  patientId: null,
  profile: 'standard',
  baseline: null,
  limitOverrides: null,
} as unknown as StoredSession;

/** A run created at T0 and started at x60 at once. */
const history: ScenarioClock[] = [{ scenarioMs: 0, wallAt: T0, speed: 60, running: true }];
const scenarioTime: SessionTime = { at: (w) => T0 + scenarioMsOfWall(history, w), wallOf: (t) => wallOfScenarioMs(history, t - T0) };

/** Real engine and rule set; the session's engine state kept as the session service keeps it. */
function setup(time: SessionTime | null) {
  const raised: RuleTransition[] = [];
  const live = { stored, infusion: initialInfusion(), engine: initialEngineState(), lastEvalT: 0, latest: null, seqs: new DeviceSeqs(16), audioPausedUntil: null } as LiveSession;
  const evaluated: number[] = [];
  const rules = new SessionRules({
    ruleSets: { get: () => defaultRuleSet } as unknown as RuleSetStore,
    sessionRepo: {} as SessionRepo,
    sessions: {
      recordEvaluation: (_l, e, t) => {
        Object.assign(live, { engine: e, lastEvalT: Math.max(live.lastEvalT, t) });
        evaluated.push(t);
      },
      resetEngine: () => {},
    },
    alarms: { apply: (_s: unknown, trs: RuleTransition[]) => void raised.push(...trs), unresolved: () => [] } as unknown as AlarmManager,
    log: pino({ level: 'silent' }),
    lastObservations: () => Promise.resolve([]),
    lastNibp: () => Promise.resolve(null),
    lastFrame: () => Promise.resolve(null),
    times: () => time,
    infusionEvents: () => Promise.resolve([]),
  });
  return { rules, live, raised, evaluated };
}

/** One frame per scenario second at x60: 1000/60 ms of wall time apart, stamped in wall time as the training host stamps them. */
const frames = (n: number, spo2: number) => Array.from({ length: n }, (_, i) => ({ t: Math.round(T0 + (i * 1000) / 60), spo2, hr: 80, rr: 14 }));

describe('a training session judged on its scenario clock', () => {
  it('a 10 s SpO2 delay completes after 10 scenario seconds (1/6 s of wall time at x60), the alarm stamped in wall time', async () => {
    const { rules, live, raised } = setup(scenarioTime);
    await rules.whenRead(live);
    for (const f of frames(12, 84)) rules.onVitals(live, f, f.t);
    const fire = raised.find((tr) => tr.type === 'fire' && tr.rule.id === 'spo2.low.high');
    expect(fire).toBeDefined();
    // Judged 10 scenario seconds after the first low reading; stamped at the wall instant that was.
    expect(fire!.t).toBe(Math.round(T0 + 10_000 / 60));
  });

  it('the same frames on wall time raise nothing: 1/6 s is not 10 s', async () => {
    const { rules, live, raised } = setup(null);
    await rules.whenRead(live);
    for (const f of frames(12, 84)) rules.onVitals(live, f, f.t);
    expect(raised.filter((tr) => tr.rule.id === 'spo2.low.high' && tr.type === 'fire')).toEqual([]);
  });

  it('while the run is paused no tick advances its time: nothing falls due, however long the pause', async () => {
    const paused: ScenarioClock[] = [
      { scenarioMs: 0, wallAt: T0, speed: 60, running: true },
      { scenarioMs: 3_000, wallAt: T0 + 50, speed: 60, running: false },
    ];
    const time: SessionTime = { at: (w) => T0 + scenarioMsOfWall(paused, w), wallOf: (t) => wallOfScenarioMs(paused, t - T0) };
    const { rules, live, raised, evaluated } = setup(time);
    await rules.whenRead(live);
    for (const f of frames(4, 84)) rules.onVitals(live, f, f.t);
    const judged = evaluated.length;
    // An hour of wall time passes in ticks: the run stays at scenario second 3.
    for (let s = 1; s <= 3600; s += 60) rules.onTick(live, T0 + s * 1000);
    expect(evaluated).toHaveLength(judged);
    expect(raised.filter((tr) => tr.type === 'fire')).toEqual([]);
  });
});
