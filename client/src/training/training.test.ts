import type { TrainingRun, TrainingRunEvent } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { createRunProblems, createRunRequest, emptyInjectDraft, injectEvent, injectFieldsOf, injectProblems, type CreateRunDraft, type InjectDraft } from './runForms';
import { timelineLines } from './runTimeline';
import { formatScenarioClock, injectMinuteAt, runScenarioMs } from './scenarioClock';
import { applyRunList, initialTrainingRunsState, orderedRuns, upsertRun } from './trainingRuns';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

const run = (over: Partial<TrainingRun> = {}): TrainingRun => ({
  id: 'r1',
  unit: 'training',
  trainer: 'coach',
  trainee: 'trainee',
  scenario: 'desaturation',
  scenarioTitle: 'Desaturation after a colleague gives midazolam',
  seed: 7,
  sessionId: 's1',
  deviceId: 3,
  weightKg: 75,
  scriptedNurse: false,
  state: 'running',
  speed: 1,
  clock: { scenarioMs: 0, wallAt: T0, speed: 1, running: true },
  events: [],
  createdAt: T0,
  updatedAt: T0,
  endedAt: null,
  simulated: true,
  ...over,
});

describe('scenario clock', () => {
  it('shows m:ss under an hour and h:mm:ss from then on, never negative', () => {
    expect(formatScenarioClock(0)).toBe('0:00');
    expect(formatScenarioClock(59_999)).toBe('0:59');
    expect(formatScenarioClock(61_000)).toBe('1:01');
    expect(formatScenarioClock(3_600_000 + 5 * 60_000 + 7_000)).toBe('1:05:07');
    expect(formatScenarioClock(-5_000)).toBe('0:00');
    expect(formatScenarioClock(Number.NaN)).toBe('0:00');
  });

  it('runs at the run\'s speed while running, stands while paused, and is 0 before the start', () => {
    const x10 = run({ speed: 10, clock: { scenarioMs: 60_000, wallAt: T0, speed: 10, running: true } });
    expect(runScenarioMs(x10, T0 + 3_000)).toBe(90_000);
    const paused = run({ state: 'paused', clock: { scenarioMs: 60_000, wallAt: T0, speed: 10, running: false } });
    expect(runScenarioMs(paused, T0 + 3_000)).toBe(60_000);
    expect(runScenarioMs(run({ state: 'created', clock: { scenarioMs: 0, wallAt: T0, speed: 1, running: false } }), T0 + 50_000)).toBe(0);
  });

  it('puts a live injection on the next whole scenario second, as the server does', () => {
    expect(injectMinuteAt(0)).toBe(0);
    expect(injectMinuteAt(60_001)).toBeCloseTo(61 / 60);
  });
});

const draft = (over: Partial<CreateRunDraft> = {}): CreateRunDraft => ({ scenario: 'desaturation', seed: '42', trainee: 'trainee', unit: 'training', weightKg: '', patientLabel: '', ...over });

describe('create-run form', () => {
  it('sends what the API takes, leaving empty optional fields out', () => {
    expect(createRunRequest(draft())).toEqual({ scenario: 'desaturation', seed: 42, trainee: 'trainee', unit: 'training' });
    expect(createRunRequest(draft({ weightKg: '72,5', patientLabel: ' TRN-A ' }))).toEqual({ scenario: 'desaturation', seed: 42, trainee: 'trainee', unit: 'training', weightKg: 72.5, patientLabel: 'TRN-A' });
    expect(createRunProblems(draft())).toEqual([]);
  });

  it('names each wrong field before anything is sent', () => {
    const fields = (d: CreateRunDraft) => createRunProblems(d).map((f) => f.field);
    expect(fields(draft({ scenario: '' }))).toEqual(['scenario']);
    expect(fields(draft({ seed: '1.5' }))).toEqual(['seed']);
    expect(fields(draft({ seed: '' }))).toEqual(['seed']);
    expect(fields(draft({ trainee: '  ' }))).toEqual(['trainee']);
    expect(fields(draft({ weightKg: 'heavy' }))).toEqual(['weightKg']);
    // The shared schema's own limits: a weight of 500 kg is refused like the server would.
    expect(fields(draft({ weightKg: '500' }))).toEqual(['weightKg']);
    expect(fields(draft({ seed: String(2 ** 31) }))).toEqual(['seed']);
  });
});

const inject = (over: Partial<InjectDraft> = {}): InjectDraft => ({ ...emptyInjectDraft(), ...over });

describe('inject form', () => {
  it('builds an excursion with only the vitals given, and no minute (the server puts it now)', () => {
    const d = inject({ label: 'Desaturation', to: { ...emptyInjectDraft().to, spo2: '80', hr: '118' } });
    expect(injectEvent(d)).toEqual({ kind: 'excursion', label: 'Desaturation', onsetMin: 1, holdMin: 5, recoverMin: 2, to: { hr: 118, spo2: 80 } });
    expect(injectProblems(d, 3)).toEqual([]);
  });

  it('refuses an excursion that moves nothing, a nameless event and a word where minutes go', () => {
    const fields = (d: InjectDraft) => injectProblems(d, 0).map((f) => f.field);
    expect(fields(inject({ label: 'x' }))).toEqual(['to']);
    expect(fields(inject({ label: '', to: { ...emptyInjectDraft().to, spo2: '80' } }))).toEqual(['label']);
    expect(fields(inject({ label: 'x', onsetMin: 'soon', to: { ...emptyInjectDraft().to, spo2: '80' } }))).toEqual(['onsetMin']);
    expect(fields(inject({ label: 'x', onsetMin: '', to: { ...emptyInjectDraft().to, spo2: '80' } }))).toEqual(['onsetMin']);
    expect(fields(inject({ label: 'x', onsetMin: '0', to: { ...emptyInjectDraft().to, spo2: '80' } }))).toEqual(['onsetMin']);
  });

  it('builds prompts and artifacts the scenario schema accepts', () => {
    const prompt = inject({ kind: 'prompt', label: 'Complaint', text: 'I feel strange' });
    expect(injectEvent(prompt)).toEqual({ kind: 'prompt', label: 'Complaint', text: 'I feel strange' });
    expect(injectProblems(prompt, 1)).toEqual([]);
    expect(injectProblems(inject({ kind: 'prompt', label: 'Complaint', text: '' }), 1).map((f) => f.field)).toEqual(['text']);
    const artifact = inject({ kind: 'artifact', label: 'Probe', artifact: 'probe_off', durationMin: '2' });
    expect(injectEvent(artifact)).toEqual({ kind: 'artifact', label: 'Probe', artifact: 'probe_off', durationMin: 2 });
    expect(injectProblems(artifact, 1)).toEqual([]);
  });

  it('puts the server\'s `event.` fields under the form\'s inputs', () => {
    expect(injectFieldsOf([{ field: 'event.to.spo2', reason: 'r' }, { field: 'event.atMin', reason: 'past' }])).toEqual([
      { field: 'to.spo2', reason: 'r' },
      { field: 'atMin', reason: 'past' },
    ]);
  });
});

describe('run store', () => {
  it('keeps the newer copy of a run and knows its session', () => {
    const newer = run({ updatedAt: T0 + 10, speed: 10 });
    let s = upsertRun(initialTrainingRunsState, newer);
    expect(s.bySession).toEqual({ s1: 'r1' });
    // A late list answer with the older copy changes nothing.
    s = applyRunList(s, [run({ updatedAt: T0 })]);
    expect(s.runs.r1?.speed).toBe(10);
    expect(s.loaded).toBe(true);
    const ev: TrainingRunEvent = { id: 1, scenarioMs: 1000, kind: 'action', action: { type: 'drug', drug: 'midazolam', doseMg: 1 }, by: 'trainee', at: T0 + 10 };
    s = upsertRun(s, { ...newer, events: [ev] });
    expect(s.runs.r1?.events).toHaveLength(1);
  });

  it('lists running runs first, then paused, ready and ended, newest first within each', () => {
    const runs = { a: run({ id: 'a', state: 'ended', createdAt: 5 }), b: run({ id: 'b', state: 'created', createdAt: 4 }), c: run({ id: 'c', state: 'running', createdAt: 1 }), d: run({ id: 'd', state: 'running', createdAt: 2 }), e: run({ id: 'e', state: 'paused', createdAt: 3 }) };
    expect(orderedRuns(runs).map((r) => r.id)).toEqual(['d', 'c', 'e', 'b', 'a']);
  });
});

describe('timeline', () => {
  it('says what the trainer injected and what the trainee did, newest first', () => {
    const events: TrainingRunEvent[] = [
      { id: 1, scenarioMs: 60_000, kind: 'inject', event: { kind: 'excursion', label: 'Desaturation', atMin: 1, onsetMin: 0.5, holdMin: 5, recoverMin: 1, to: { spo2: 80 } }, by: 'user:coach', at: T0 },
      { id: 2, scenarioMs: 90_000, kind: 'action', action: { type: 'infusion', event: { type: 'pause' } }, by: 'trainee', at: T0 },
      { id: 3, scenarioMs: 120_000, kind: 'inject', event: { kind: 'prompt', label: 'Complaint', atMin: 2, text: 'I feel dizzy' }, by: 'user:coach', at: T0 },
    ];
    const lines = timelineLines(events);
    expect(lines.map((l) => [l.source, l.text])).toEqual([
      ['trainer', 'Complaint: “I feel dizzy”'],
      ['trainee', 'Infusion pause'],
      ['trainer', 'Desaturation: SpO2 to 80 over 0.5 min, held 5 min, recovering over 1 min'],
    ]);
  });

  it('puts the trainee’s sedation score beside what the simulated patient shows', () => {
    const events: TrainingRunEvent[] = [
      { id: 4, scenarioMs: 30_000, kind: 'assessment', assessment: { observationId: 9, scale: 'RASS', traineeScore: 0, assessorScore: -2 }, by: 'trainee', at: T0 },
      { id: 5, scenarioMs: 40_000, kind: 'assessment', assessment: { observationId: 10, scale: 'NRS_PAIN', traineeScore: 4, assessorScore: null }, by: 'trainee', at: T0 },
    ];
    expect(timelineLines(events).map((l) => l.text)).toEqual(['Pain NRS 4 scored; the patient shows unknown (no answer from the simulation)', 'RASS 0 scored; the patient shows -2']);
  });
});
