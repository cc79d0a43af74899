import { scenarioSchema, type Alarm, type InfusionEvent, type Observation, type RescueDose, type ScenarioClock, type ScenarioInput, type TrainingRun } from '@infusion/shared';
import { describe, expect, it } from 'vitest';
import { computeDebrief, runScore, scenarioMsOfWall, wallOfScenarioMs, type DebriefInput, type GuardrailEntry } from './debrief';

/** Wall time the run started (x60): one wall second is one scenario minute. */
const W0 = 1_800_000_000_000;
const at = (scenarioS: number) => W0 + (scenarioS * 1000) / 60;

const CLOCKS: ScenarioClock[] = [
  { scenarioMs: 0, wallAt: W0 - 5000, speed: 1, running: false },
  { scenarioMs: 0, wallAt: W0, speed: 60, running: true },
];

const SCENARIO: ScenarioInput = {
  name: 'desat',
  title: 'Desaturation after midazolam',
  description: 'test',
  setting: 'monitored_unit',
  indication: 'pain',
  patient: { weightKg: [70, 70], ageYears: [40, 40] },
  infusion: [{ atMin: 0, type: 'start', rateMgKgH: 1 }],
  physiology: {},
  events: [
    { kind: 'prompt', label: 'Restless patient', atMin: 2, text: 'The patient is restless.' },
    { kind: 'drug', label: 'Midazolam by a colleague', atMin: 3, drug: 'midazolam', doseMgKg: 0.03, doseSource: 'formulary example' },
    { kind: 'drug', label: 'Planned midazolam', atMin: 4, drug: 'midazolam', doseMgKg: 0.03, doseSource: 'formulary example', plan: true },
  ],
  expected: [
    { id: 'ack_spo2', label: 'Acknowledge the SpO2 alarm within 30 s', after: { alarm: 'spo2.low.high' }, action: { type: 'acknowledge_alarm' }, withinS: 30, weight: 20 },
    { id: 'lower_rate', label: 'Lower the rate within 2 min', after: { alarm: 'spo2.low.high' }, action: { type: 'lower_rate' }, withinS: 120, weight: 30 },
    { id: 'no_more_benzo', label: 'Give no further benzodiazepine', after: { event: 'Midazolam by a colleague' }, action: { type: 'no_further_drug', class: 'benzodiazepine' }, weight: 20 },
    { id: 'score_sedation', label: 'Score sedation within 5 min', after: { alarm: 'spo2.low.high' }, action: { type: 'record_observation', scale: 'RASS' }, withinS: 300 },
    { id: 'no_big_bolus', label: 'No bolus at or above 0.35 mg/kg', after: { atMin: 0 }, action: { type: 'no_bolus_at_or_above', doseMgKg: 0.35 }, weight: 40 },
    { id: 'hr_ack', label: 'Acknowledge a heart-rate alarm', after: { alarm: 'hr.high.high' }, action: { type: 'acknowledge_alarm' }, withinS: 30 },
    { id: 'planned', label: 'After the planned dose', after: { event: 'Planned midazolam' }, action: { type: 'pause_or_stop' }, withinS: 60 },
  ],
  expectedAlarms: ['spo2.low.high'],
};

const run = (over: Partial<TrainingRun> = {}): TrainingRun => ({
  id: 'run-1',
  unit: 'training',
  trainer: 'coach',
  trainee: 'kim',
  scenario: 'desat',
  scenarioTitle: 'Desaturation',
  seed: 1,
  sessionId: 'sess-1',
  deviceId: 1,
  weightKg: 70,
  scriptedNurse: false,
  state: 'ended',
  speed: 60,
  // Ended at scenario minute 20.
  clock: { scenarioMs: 1_200_000, wallAt: at(1200), speed: 60, running: false },
  events: [],
  createdAt: W0 - 5000,
  updatedAt: at(1200),
  endedAt: at(1200),
  simulated: true,
  ...over,
});

let ids = 0;
const alarm = (ruleId: string, title: string, raisedS: number, ackS: number | null, by = 'user:kim', over: Partial<Alarm> = {}): Alarm => ({
  id: ++ids,
  sessionId: 'sess-1',
  unit: 'training',
  ruleId,
  ruleSetVersion: 1,
  priority: 'high',
  kind: 'physiological',
  title,
  message: 'SpO2 86 < 88',
  field: null,
  value: null,
  limit: null,
  state: ackS === null ? 'active' : 'acknowledged',
  latching: false,
  conditionActive: false,
  startedAt: at(raisedS),
  conditionClearedAt: null,
  acknowledgedAt: ackS === null ? null : at(ackS),
  acknowledgedBy: ackS === null ? null : by,
  resolvedAt: at(1200),
  simulated: true,
  actions: [],
  rescue: [],
  source: 'test',
  ...over,
} as Alarm);
const infusion = (type: InfusionEvent['type'], s: number, over: Partial<InfusionEvent> = {}): InfusionEvent => ({ id: ++ids, sessionId: 'sess-1', type, t: at(s), rateMgKgH: null, doseMg: null, note: null, by: 'user:kim', ...over });
const rescue = (drugId: string, s: number, by = 'user:kim'): RescueDose => ({ id: ++ids, sessionId: 'sess-1', drugId, drug: drugId === 'midazolam' ? 'Midazolam' : drugId, doseMg: 2, route: 'IV', alarmId: null, t: at(s), note: null, by });
const obs = (scale: Observation['scale'], s: number): Observation => ({ id: ++ids, sessionId: 'sess-1', scale, score: -2, t: at(s), note: null, by: 'user:kim' });

function input(over: Partial<DebriefInput> = {}): DebriefInput {
  return {
    run: run(),
    scenario: scenarioSchema.parse(SCENARIO),
    scenarioTitle: 'desat',
    clocks: CLOCKS,
    alarms: [],
    infusionEvents: [infusion('start', 10, { rateMgKgH: 1 })],
    rescueDoses: [],
    observations: [],
    guardrails: [],
    drugClass: (id) => (id === 'midazolam' ? 'benzodiazepine' : id === 'ondansetron' ? 'antiemetic' : null),
    displayNames: { kim: 'Kim Trainee', coach: 'Coach' },
    now: at(1300),
    ...over,
  };
}

const item = (d: ReturnType<typeof computeDebrief>, id: string) => d.items.find((i) => i.id === id)!;

describe('training debrief', () => {
  it('maps wall times to scenario time across a pause and a speed change', () => {
    const clocks: ScenarioClock[] = [...CLOCKS, { scenarioMs: 120_000, wallAt: W0 + 2000, speed: 60, running: false }, { scenarioMs: 120_000, wallAt: W0 + 10_000, speed: 10, running: true }];
    expect(scenarioMsOfWall(clocks, W0 - 1000)).toBe(0);
    expect(scenarioMsOfWall(clocks, W0 + 1000)).toBe(60_000);
    // Paused: the scenario stands still.
    expect(scenarioMsOfWall(clocks, W0 + 5000)).toBe(120_000);
    expect(scenarioMsOfWall(clocks, W0 + 11_000)).toBe(130_000);
    expect(wallOfScenarioMs(clocks, 60_000)).toBe(W0 + 1000);
    expect(wallOfScenarioMs(clocks, 130_000)).toBe(W0 + 11_000);
  });

  it('met, late, missed, violated, avoided and not triggered, each with its points', () => {
    const d = computeDebrief(
      input({
        // SpO2 alarm at scenario 5:00, acknowledged 12 s later; a heart-rate alarm never raised.
        alarms: [alarm('spo2.low.high', 'SpO2 low', 300, 312)],
        infusionEvents: [infusion('start', 10, { rateMgKgH: 1 }), infusion('rate_change', 300 + 200, { rateMgKgH: 0.5 })],
        // Midazolam after the colleague's dose (minute 3).
        rescueDoses: [rescue('midazolam', 400)],
        // Scored before the alarm: does not answer it.
        observations: [obs('RASS', 200)],
      }),
    );
    expect(item(d, 'ack_spo2')).toMatchObject({ outcome: 'met', startedMs: 300_000, doneMs: 312_000, responseS: 12, deadlineS: 30, points: 20 });
    expect(item(d, 'ack_spo2').detail).toBe('Alarm acknowledged: SpO2 low 12 s after the "SpO2 low" alarm (deadline 30 s).');
    expect(item(d, 'lower_rate')).toMatchObject({ outcome: 'late', responseS: 200, points: 15 });
    expect(item(d, 'no_more_benzo')).toMatchObject({ outcome: 'violated', startedMs: 180_000, doneMs: 400_000, points: 0 });
    expect(item(d, 'score_sedation')).toMatchObject({ outcome: 'missed', doneMs: null, points: 0 });
    expect(item(d, 'no_big_bolus')).toMatchObject({ outcome: 'avoided', points: 40 });
    expect(item(d, 'hr_ack')).toMatchObject({ outcome: 'not_triggered', startedMs: null, points: 0 });
    // A drug of the nurse's plan never happens in a training run.
    expect(item(d, 'planned').outcome).toBe('not_triggered');
    // Points: 20 + 15 + 0 + 0 + 40; max leaves out what never triggered: 20 + 30 + 20 + 10 + 40.
    expect(d.score).toEqual({ points: 75, max: 120, percent: 62.5 });
    expect(d.wrongActions.map((w) => w.text)).toEqual(['Midazolam 2 mg IV given']);
    expect(d.wrongActions[0]).toMatchObject({ scenarioMs: 400_000, reason: 'The scenario says to give no further benzodiazepine.' });
    expect(d.simulated).toBe(true);
    expect(d.scenarioMs).toBe(1_200_000);
  });

  it('time to acknowledge each alarm in scenario seconds, by whom, expected or not; the median in the run score', () => {
    const d = computeDebrief(
      input({
        alarms: [alarm('spo2.low.high', 'SpO2 low', 300, 312), alarm('etco2.high.medium', 'EtCO2 high', 400, 460, 'user:coach', { priority: 'medium' }), alarm('spo2.low.high', 'SpO2 low', 600, 606)],
      }),
    );
    expect(d.alarms.map((a) => [a.raisedMs, a.acknowledgedMs, a.timeToAckS, a.acknowledgedBy, a.expected])).toEqual([
      [300_000, 312_000, 12, 'Kim Trainee', true],
      [400_000, 460_000, 60, 'Coach', false],
      [600_000, 606_000, 6, 'Kim Trainee', true],
    ]);
    expect(d.alarms[0]!.message).toBe('SpO2 low: SpO2 86 < 88');
    expect(d.timeline.find((e) => e.source === 'rules')!.text).toBe('High priority alarm: SpO2 low: SpO2 86 < 88');
    expect(d.rulesFired).toEqual([
      { ruleId: 'spo2.low.high', message: 'SpO2 low', count: 2 },
      { ruleId: 'etco2.high.medium', message: 'EtCO2 high', count: 1 },
    ]);
    const s = runScore(d);
    expect(s.medianAckS).toBe(12);
    expect(s).toMatchObject({ missed: 2, violated: 0 });
    // Only the trainee's acknowledgement meets the item.
    expect(d.timeline.some((e) => e.source === 'trainer' && e.text === 'Alarm acknowledged: EtCO2 high by Coach')).toBe(true);
  });

  it('an acknowledgement by someone else does not meet the trainee\'s item; a later one of theirs is late', () => {
    const d = computeDebrief(input({ alarms: [alarm('spo2.low.high', 'SpO2 low', 300, 305, 'user:coach'), alarm('spo2.low.high', 'SpO2 low', 360, 370)] }));
    expect(item(d, 'ack_spo2')).toMatchObject({ outcome: 'late', responseS: 70, points: 10 });
  });

  it('counts against the trainee: a bolus over the limits (refused or confirmed), an alarm left sounding, a start the checklist forbids', () => {
    const g = (s: number, outcome: string): GuardrailEntry[] => [
      { at: at(s), by: 'user:kim', action: 'infusion.bolus', outcome, label: 'Bolus', value: 0.5, limit: 0.35, unit: 'mg/kg' },
      { at: at(s), by: 'user:kim', action: 'infusion.bolus', outcome, label: 'Bolus dose', value: 35, limit: 24.5, unit: 'mg' },
    ];
    const doc = scenarioSchema.parse({ ...SCENARIO, checklist: { findings: ['poorly_controlled_hypertension'] }, expected: [...(SCENARIO.expected ?? []), { id: 'no_start', label: 'Do not start', after: { atMin: 0 }, action: { type: 'no_start' }, weight: 50 }] });
    const d = computeDebrief(
      input({
        scenario: doc,
        guardrails: [...g(100, 'refused'), ...g(200, 'overridden'), { at: at(250), by: 'user:kim', action: 'infusion.bolus', outcome: 'alerted', label: 'Bolus', value: 0.4, limit: 0.35, unit: 'mg/kg' }],
        infusionEvents: [infusion('start', 10, { rateMgKgH: 1 }), infusion('bolus', 200, { doseMg: 35 })],
        alarms: [alarm('hr.high.high', 'Heart rate high', 500, null, 'user:kim', { resolvedAt: null, state: 'active' })],
      }),
    );
    expect(item(d, 'no_big_bolus')).toMatchObject({ outcome: 'violated', doneMs: 200_000 });
    expect(item(d, 'no_start')).toMatchObject({ outcome: 'violated', doneMs: 10_000, points: 0 });
    // The heart-rate alarm was raised and left: its item is missed.
    expect(item(d, 'hr_ack').outcome).toBe('missed');
    expect(d.wrongActions.map((w) => [w.scenarioMs, w.text])).toEqual([
      [10_000, 'Infusion started at 1 mg/kg/h'],
      [100_000, 'Ketamine bolus refused by the dose limits'],
      [200_000, 'Ketamine bolus given over the dose limits (confirmed)'],
      [200_000, 'Ketamine bolus 35 mg (0.5 mg/kg)'],
      [500_000, 'Alarm left unacknowledged: Heart rate high'],
    ]);
    expect(d.wrongActions[0]!.reason).toContain('poorly controlled hypertension');
    expect(d.wrongActions[1]!.reason).toBe('Above the guardrail: Bolus 0.5 mg/kg over 0.35 mg/kg; Bolus dose 35 mg over 24.5 mg.');
  });

  it('a run still going: a missed item before its deadline and an avoided one are pending, no alarm counts as left yet', () => {
    const live = run({ state: 'running', endedAt: null, clock: { scenarioMs: 0, wallAt: W0, speed: 60, running: true } });
    const d = computeDebrief(input({ run: live, now: at(320), alarms: [alarm('spo2.low.high', 'SpO2 low', 300, null, 'user:kim', { resolvedAt: null })] }));
    expect(d.scenarioMs).toBe(320_000);
    expect(item(d, 'ack_spo2')).toMatchObject({ outcome: 'missed', pending: true });
    expect(item(d, 'no_big_bolus')).toMatchObject({ outcome: 'avoided', pending: true });
    expect(d.wrongActions).toEqual([]);
    // The colleague's midazolam at minute 3 is on the timeline; the prompt with its words.
    expect(d.timeline.filter((e) => e.source === 'scenario').map((e) => e.text)).toEqual(['Restless patient: The patient is restless.', 'Midazolam by a colleague']);
  });

  it('no scenario document: no items, a score of nothing, the alarms and timeline still there', () => {
    const d = computeDebrief(input({ scenario: null, scenarioTitle: 'Stable', alarms: [alarm('spo2.low.high', 'SpO2 low', 300, 312)] }));
    expect(d.items).toEqual([]);
    expect(d.score).toEqual({ points: 0, max: 0, percent: null });
    expect(d.scenarioTitle).toBe('Stable');
    expect(d.alarms[0]!.expected).toBe(false);
    // A message that starts with the title says it once.
    const sed = computeDebrief(input({ scenario: null, alarms: [alarm('sedation.moderate', 'Moderate sedation', 300, null, 'user:kim', { message: 'Moderate sedation: RASS -2 <= -2' })] }));
    expect(sed.alarms[0]!.message).toBe('Moderate sedation: RASS -2 <= -2');
    expect(d.timeline.map((e) => e.source)).toContain('rules');
  });

  it('an injected event starts the clock of an item that waits for it', () => {
    const d = computeDebrief(
      input({
        scenario: scenarioSchema.parse({ ...SCENARIO, events: [], expected: [{ id: 'p', label: 'Pause after the surge', after: { event: 'Surge' }, action: { type: 'pause_or_stop' }, withinS: 60 }] }),
        run: run({ events: [{ id: 1, scenarioMs: 420_000, kind: 'inject', event: { kind: 'prompt', label: 'Surge', atMin: 7, text: 'BP up' }, by: 'user:coach', at: at(410) }] }),
        infusionEvents: [infusion('start', 10, { rateMgKgH: 1 }), infusion('pause', 450)],
      }),
    );
    expect(d.items[0]).toMatchObject({ outcome: 'met', startedMs: 420_000, responseS: 30 });
    expect(d.timeline.find((e) => e.source === 'trainer' && e.text.startsWith('Event added'))?.text).toBe('Event added by the trainer: Surge (BP up)');
  });

  it('what the scenario documented itself is the scenario’s on the timeline and never counts against the trainee; scores stand beside the simulated patient’s', () => {
    const d = computeDebrief(
      input({
        rescueDoses: [rescue('midazolam', 400, 'scenario:desat')],
        run: run({ events: [{ id: 1, scenarioMs: 60_000, kind: 'assessment', assessment: { observationId: 3, scale: 'RASS', traineeScore: 0, assessorScore: -2 }, by: 'kim', at: at(60) }] }),
      }),
    );
    expect(d.timeline.filter((e) => e.source === 'scenario' && e.text.includes('by the scenario (simulated colleague)'))).toHaveLength(1);
    expect(d.timeline.some((e) => e.text.includes('scenario:'))).toBe(false);
    expect(d.wrongActions).toEqual([]);
    expect(d.timeline.find((e) => e.scenarioMs === 60_000)).toMatchObject({ source: 'trainee', text: 'RASS 0 scored; the simulated patient showed -2' });
  });
});
