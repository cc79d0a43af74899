import { defaultRuleSet, initialEngineState, initialInfusion, type Observation } from '@infusion/shared';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AlarmManager } from '../alarms/alarmManager';
import type { SessionRepo, StoredSession } from '../persistence/sessionRepo';
import type { LiveSession } from '../sessions/sessionService';
import { DeviceSeqs } from '../sessions/seqWindow';
import type { RuleSetStore } from './ruleSetStore';
import { SessionRules } from './sessionRules';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

const stored: StoredSession = {
  id: 's1',
  patientLabel: 'P 1',
  weightKg: 70,
  heightCm: null,
  sex: null,
  ageYears: 45,
  setting: 'clinic',
  indication: 'x',
  supervisingPhysician: 'd',
  nurse: 'n',
  location: 'Chair 1',
  unit: 'infusion-suite',
  simulated: false,
  status: 'active',
  phase: 'pre_infusion',
  phaseSince: T0,
  createdAt: T0,
  endedAt: null,
  ruleSetId: defaultRuleSet.id,
  ruleSetVersion: defaultRuleSet.version,
  patientRef: null,
  patientId: null,
  profile: 'standard',
  baseline: null,
  limitOverrides: null,
};

/** A session's rules whose inputs come from a read the test answers when it chooses. */
function setup() {
  const reads: { resolve: (o: Observation[]) => void; reject: (e: Error) => void }[] = [];
  const evaluated: number[] = [];
  const live = { stored, infusion: initialInfusion(), engine: initialEngineState(), lastEvalT: 0, latest: null, seqs: new DeviceSeqs(16), audioPausedUntil: null } as LiveSession;
  const rules = new SessionRules({
    ruleSets: { get: () => defaultRuleSet } as unknown as RuleSetStore,
    sessionRepo: {} as SessionRepo,
    sessions: { recordEvaluation: (_l, _e, t) => void evaluated.push(t), resetEngine: () => {} },
    alarms: { apply: () => {}, unresolved: () => [] } as unknown as AlarmManager,
    log: pino({ level: 'silent' }),
    lastObservations: () => new Promise((resolve, reject) => reads.push({ resolve, reject })),
    lastNibp: () => Promise.resolve(null),
    lastFrame: () => Promise.resolve(null),
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { rules, live, reads, evaluated, settle };
}

describe("a session's rule inputs read from storage", () => {
  it('frames arriving while the inputs are read wait, then are judged once each, in order', async () => {
    const { rules, live, reads, evaluated, settle } = setup();
    rules.onVitals(live, { t: T0 + 1000, hr: 80 }, T0 + 1000);
    rules.onVitals(live, { t: T0 + 2000, hr: 81 }, T0 + 2000);
    const read = rules.whenRead(live);
    await settle();
    // One read for all of them, nothing judged before it answers.
    expect(reads).toHaveLength(1);
    expect(evaluated).toEqual([]);
    reads[0]!.resolve([]);
    await read;
    expect(evaluated).toEqual([T0 + 1000, T0 + 2000]);
    // In memory from now on: judged at once, no further read.
    rules.onVitals(live, { t: T0 + 3000, hr: 82 }, T0 + 3000);
    expect(evaluated).toEqual([T0 + 1000, T0 + 2000, T0 + 3000]);
    expect(reads).toHaveLength(1);
  });

  it('a failed read loses no frame: the waiting frames are judged after the next event reads again', async () => {
    const { rules, live, reads, evaluated, settle } = setup();
    rules.onVitals(live, { t: T0 + 1000, hr: 80 }, T0 + 1000);
    const first = rules.whenRead(live);
    reads[0]!.reject(new Error('connection refused'));
    // Whoever waited is released (the device gets its answer), the frame stays queued.
    await first;
    expect(evaluated).toEqual([]);
    rules.onVitals(live, { t: T0 + 2000, hr: 81 }, T0 + 2000);
    await settle();
    expect(reads).toHaveLength(2);
    reads[1]!.resolve([]);
    await rules.whenRead(live);
    expect(evaluated).toEqual([T0 + 1000, T0 + 2000]);
  });

  it('a session forgotten while its inputs are read judges nothing, and releases whoever waited', async () => {
    const { rules, live, reads, evaluated } = setup();
    rules.onVitals(live, { t: T0 + 1000, hr: 80 }, T0 + 1000);
    const read = rules.whenRead(live);
    rules.forget(stored.id);
    reads[0]!.resolve([]);
    await read;
    expect(evaluated).toEqual([]);
  });
});

describe("the rule inputs of a takeover's sessions, read in one batch", () => {
  it('one read for every session taken; their frames wait for it and are judged in order; a session whose inputs were not returned reads again alone', async () => {
    const batches: string[][] = [];
    let answer: (ids: string[]) => void = () => {};
    const evaluated: [string, number][] = [];
    const one: string[] = [];
    const rules = new SessionRules({
      ruleSets: { get: () => defaultRuleSet } as unknown as RuleSetStore,
      sessionRepo: {} as SessionRepo,
      sessions: { recordEvaluation: (l, _e, t) => void evaluated.push([l.stored.id, t]), resetEngine: () => {} },
      alarms: { apply: () => {}, unresolved: () => [] } as unknown as AlarmManager,
      log: pino({ level: 'silent' }),
      lastObservations: (id) => (one.push(id), Promise.resolve([])),
      lastNibp: () => Promise.resolve(null),
      lastFrame: () => Promise.resolve(null),
      inputsOf: (ss) => {
        batches.push(ss.map((s) => s.id));
        return new Promise((resolve) => {
          answer = (ids) => resolve(new Map(ids.map((id) => [id, { observations: [], lastNibpAt: null, treatments: 1, lastFrame: null, infusionEvents: null }])));
        });
      },
    });
    const lives = ['s1', 's2', 's3'].map((id) => ({ stored: { ...stored, id }, infusion: initialInfusion(), engine: initialEngineState(), lastEvalT: 0, latest: null, seqs: new DeviceSeqs(16), audioPausedUntil: null }) as LiveSession);
    rules.readInputs(lives);
    for (const l of lives) rules.onVitals(l, { t: T0 + 1000, hr: 80 }, T0 + 1000);
    rules.onVitals(lives[0]!, { t: T0 + 2000, hr: 81 }, T0 + 2000);
    expect(batches).toEqual([['s1', 's2', 's3']]);
    expect(evaluated).toEqual([]);
    // Storage answered for s1 and s3 only (s2 not returned): s2's frame stays queued for a read of its own.
    answer(['s1', 's3']);
    await Promise.all([rules.whenRead(lives[0]!), rules.whenRead(lives[2]!)]);
    expect(evaluated).toEqual([
      ['s1', T0 + 1000],
      ['s1', T0 + 2000],
      ['s3', T0 + 1000],
    ]);
    rules.onVitals(lives[1]!, { t: T0 + 2000, hr: 82 }, T0 + 2000);
    expect(batches).toEqual([['s1', 's2', 's3'], ['s2']]);
    answer(['s2']);
    await rules.whenRead(lives[1]!);
    expect(evaluated.filter(([id]) => id === 's2')).toEqual([
      ['s2', T0 + 1000],
      ['s2', T0 + 2000],
    ]);
    expect(one).toEqual([]);
  });
});
