import {
  CONTRAINDICATIONS,
  isScenarioActor,
  OBSERVATION_SCALES,
  personName,
  scenarioClockText,
  scenarioMsAt,
  wallTimeOf,
  type Alarm,
  type DebriefAlarm,
  type DebriefItem,
  type DebriefSource,
  type DebriefTimelineEntry,
  type DebriefWrongAction,
  type ExpectedAction,
  type InfusionEvent,
  type Observation,
  type RescueDose,
  type Scenario,
  type ScenarioClock,
  type TrainingDebrief,
  type TrainingRun,
  type TraineeRunScore,
} from '@infusion/shared';

/**
 * The debrief of a training run, computed from what is stored: the run (its timeline and clock
 * history), the scenario document kept at its creation, and the session's alarms, infusion events,
 * rescue doses, observations and dose-guardrail entries. Pure: the same inputs give the same debrief,
 * so an ended run's debrief is final and its score can be kept.
 *
 * Wall times (alarms, acknowledgements, actions) become scenario time through the run's clock history:
 * the clock in force at that wall time, advanced at its speed (paused clocks stand still).
 */

/** A dose-guardrail entry of the session (server/src/care/guardrailLog.ts), one per crossed limit. */
export interface GuardrailEntry {
  at: number;
  by: string;
  /** `infusion.bolus`, `infusion.rate_change`, `rescue.<drug id>`. */
  action: string;
  outcome: string;
  label: string;
  value: number;
  limit: number;
  unit: string;
}

export interface DebriefInput {
  run: TrainingRun;
  /** The scenario document kept with the run; null for a run whose host sent none. */
  scenario: Scenario | null;
  /** Title shown when there is no document (the host's catalogue or the name). */
  scenarioTitle: string;
  /** The run's clocks, oldest first (the first one at creation). */
  clocks: readonly ScenarioClock[];
  alarms: readonly Alarm[];
  infusionEvents: readonly InfusionEvent[];
  rescueDoses: readonly RescueDose[];
  observations: readonly Observation[];
  guardrails: readonly GuardrailEntry[];
  /** The formulary class of a rescue drug id (benzodiazepine, …), null when unknown. */
  drugClass: (drugId: string) => string | null;
  displayNames: Readonly<Record<string, string>>;
  now: number;
}

/** Scenario ms at a wall time, on the clock that was in force then (before the first clock: 0). */
export function scenarioMsOfWall(clocks: readonly ScenarioClock[], at: number): number {
  let c: ScenarioClock | undefined;
  for (const k of clocks) if (k.wallAt <= at) c = k;
  return c ? Math.round(scenarioMsAt(c, at)) : 0;
}

/** The wall time a scenario instant was (or will be) reached, on the running clock that covers it. */
export function wallOfScenarioMs(clocks: readonly ScenarioClock[], ms: number): number {
  for (let i = clocks.length - 1; i >= 0; i--) {
    const c = clocks[i]!;
    if (c.running && c.scenarioMs <= ms) {
      const next = clocks[i + 1];
      if (!next || next.scenarioMs >= ms) return wallTimeOf(c, ms);
    }
  }
  return clocks.find((c) => c.scenarioMs >= ms)?.wallAt ?? clocks.at(-1)?.wallAt ?? 0;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;
const seconds = (ms: number) => round1(ms / 1000);
const clockText = scenarioClockText;
/** "The …" inside a sentence: only the first letter changes ("SpO2" keeps its case). */
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

const median = (xs: number[]): number | null => {
  if (!xs.length) return null;
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
};

const DRUG_CLASS_WORDS: Record<string, string> = {
  benzodiazepine: 'benzodiazepine',
  alpha2_agonist: 'alpha-2 agonist',
  beta_blocker: 'beta-blocker',
  antiemetic: 'antiemetic',
  opioid: 'opioid',
};
const classWords = (c: string) => DRUG_CLASS_WORDS[c] ?? c.replace(/_/g, ' ');

/** One thing someone did, in scenario time, with what the items need to judge it. */
interface Act {
  ms: number;
  at: number;
  by: string;
  kind: 'infusion' | 'drug' | 'observation' | 'ack';
  text: string;
  infusion?: { type: InfusionEvent['type']; lowers: boolean; doseMgKg: number | null };
  drug?: { class: string | null; drug: string };
  scale?: Observation['scale'];
  alarm?: Alarm;
}

export function computeDebrief(x: DebriefInput): TrainingDebrief {
  const { run, scenario } = x;
  const trainee = `user:${run.trainee}`;
  const toMs = (at: number) => scenarioMsOfWall(x.clocks, at);
  const reached = Math.round(run.state === 'created' ? 0 : scenarioMsAt(run.clock, run.endedAt ?? x.now));
  const ended = run.state === 'ended';
  const who = (actor: string) => personName(actor, x.displayNames);
  const weightKg = run.weightKg;

  // The session's acts, in scenario time.
  const acts: Act[] = [];
  let rate: number | null = null;
  for (const e of [...x.infusionEvents].sort((a, b) => a.t - b.t || a.id - b.id)) {
    const before = rate;
    if ((e.type === 'start' || e.type === 'rate_change') && e.rateMgKgH !== null) rate = e.rateMgKgH;
    const lowers = e.type === 'pause' || e.type === 'stop' || (e.type === 'rate_change' && before !== null && e.rateMgKgH !== null && e.rateMgKgH < before);
    const doseMgKg = e.type === 'bolus' && e.doseMg !== null ? e.doseMg / weightKg : null;
    acts.push({ ms: toMs(e.t), at: e.t, by: e.by, kind: 'infusion', text: infusionText(e, before, doseMgKg), infusion: { type: e.type, lowers, doseMgKg } });
  }
  for (const d of x.rescueDoses) acts.push({ ms: toMs(d.t), at: d.t, by: d.by, kind: 'drug', text: `${d.drug} ${d.doseMg} mg ${d.route} given`, drug: { class: x.drugClass(d.drugId), drug: d.drug } });
  for (const o of x.observations) acts.push({ ms: toMs(o.t), at: o.t, by: o.by, kind: 'observation', text: `${OBSERVATION_SCALES[o.scale].label} ${o.score} recorded`, scale: o.scale });
  const alarms = [...x.alarms].sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  for (const a of alarms) if (a.acknowledgedAt !== null) acts.push({ ms: toMs(a.acknowledgedAt), at: a.acknowledgedAt, by: a.acknowledgedBy ?? '', kind: 'ack', text: `Alarm acknowledged: ${a.title}`, alarm: a });
  acts.sort((a, b) => a.ms - b.ms || a.at - b.at);
  const byTrainee = acts.filter((a) => a.by === trainee);

  // When each trigger happened: scenario events (with those injected), first alarm of a rule.
  const injected = run.events.flatMap((e) => (e.kind === 'inject' ? [{ event: e.event, at: e.at, by: e.by }] : []));
  // A scripted drug that belongs to the nurse's plan is left out of a training run (the trainee decides).
  const scenarioEvents = (scenario?.events ?? []).filter((e) => !(e.kind === 'drug' && e.plan));
  const eventMs = (label: string): number | null => {
    const times = [...scenarioEvents, ...injected.map((i) => i.event)].filter((e) => e.label === label).map((e) => e.atMin * 60_000);
    const first = times.length ? Math.min(...times) : null;
    return first !== null && first <= reached ? first : null;
  };
  const firstAlarm = (ruleId: string) => alarms.find((a) => a.ruleId === ruleId) ?? null;

  const items: DebriefItem[] = (scenario?.expected ?? []).map((e) => judge(e));
  function judge(e: ExpectedAction): DebriefItem {
    const kind: 'do' | 'avoid' = ['no_further_drug', 'no_bolus_at_or_above', 'no_start'].includes(e.action.type) ? 'avoid' : 'do';
    const trigger = 'alarm' in e.after ? firstAlarm(e.after.alarm) : null;
    const startedMs = 'atMin' in e.after ? (e.after.atMin * 60_000 <= reached ? e.after.atMin * 60_000 : null) : 'event' in e.after ? eventMs(e.after.event) : trigger ? toMs(trigger.startedAt) : null;
    const base = { id: e.id, label: e.label, kind, startedMs, deadlineS: e.withinS ?? null, weight: e.weight };
    if (startedMs === null) return { ...base, doneMs: null, responseS: null, outcome: 'not_triggered', points: 0, detail: `${triggerText(e)} did not happen in this run.` };
    const after = byTrainee.filter((a) => a.ms >= startedMs);
    const hit = after.find((a) => matches(e, a, trigger));
    const doneMs = hit?.ms ?? null;
    const responseS = doneMs === null ? null : seconds(doneMs - startedMs);
    if (kind === 'avoid') {
      if (hit) return { ...base, doneMs, responseS, outcome: 'violated', points: 0, detail: `${hit.text} at ${clockText(hit.ms)}.` };
      return { ...base, doneMs: null, responseS: null, outcome: 'avoided', points: e.weight, detail: ended ? 'Avoided throughout the run.' : 'Avoided so far.', ...(ended ? {} : { pending: true }) };
    }
    const deadlineMs = e.withinS === undefined ? null : startedMs + e.withinS * 1000;
    if (hit) {
      const onTime = deadlineMs === null || hit.ms <= deadlineMs;
      const detail = `${hit.text} ${responseS} s after ${lowerFirst(triggerText(e))}${e.withinS !== undefined ? ` (deadline ${e.withinS} s)` : ''}.`;
      return { ...base, doneMs, responseS, outcome: onTime ? 'met' : 'late', points: onTime ? e.weight : e.weight / 2, detail };
    }
    const pending = !ended && (deadlineMs === null || reached < deadlineMs);
    return { ...base, doneMs: null, responseS: null, outcome: 'missed', points: 0, detail: pending ? 'Not done yet; the run goes on.' : `Not done${deadlineMs !== null ? ` within ${e.withinS} s` : ''}.`, ...(pending ? { pending: true } : {}) };
  }

  function matches(e: ExpectedAction, a: Act, trigger: Alarm | null): boolean {
    const t = e.action;
    switch (t.type) {
      case 'acknowledge_alarm':
      case 'check_sensor':
        // The alarm that started the clock (or, after an event or a minute, any alarm) attended to.
        return a.kind === 'ack' && (trigger === null || a.alarm!.ruleId === trigger.ruleId);
      case 'lower_rate':
        return a.kind === 'infusion' && a.infusion!.lowers;
      case 'pause_or_stop':
        return a.kind === 'infusion' && (a.infusion!.type === 'pause' || a.infusion!.type === 'stop');
      case 'give_drug':
        return a.kind === 'drug' && a.drug!.class === t.class;
      case 'record_observation':
        return a.kind === 'observation' && a.scale === t.scale;
      case 'no_further_drug':
        return a.kind === 'drug' && a.drug!.class === t.class;
      case 'no_bolus_at_or_above':
        return a.kind === 'infusion' && a.infusion!.type === 'bolus' && (a.infusion!.doseMgKg ?? 0) >= t.doseMgKg - 1e-9;
      case 'no_start':
        return a.kind === 'infusion' && a.infusion!.type === 'start';
    }
  }

  function triggerText(e: ExpectedAction): string {
    if ('atMin' in e.after) return e.after.atMin === 0 ? 'The start of the run' : `Minute ${e.after.atMin}`;
    if ('event' in e.after) return `"${e.after.event}"`;
    const rule = e.after.alarm;
    const a = firstAlarm(rule);
    return a ? `The "${a.title}" alarm` : 'Its alarm';
  }

  // Alarms with time to acknowledge, in scenario seconds.
  const expectedRules = new Set(scenario?.expectedAlarms ?? []);
  const debriefAlarms: DebriefAlarm[] = alarms.map((a) => {
    const raisedMs = toMs(a.startedAt);
    const acknowledgedMs = a.acknowledgedAt === null ? null : toMs(a.acknowledgedAt);
    return {
      alarmId: String(a.id),
      ruleId: a.ruleId,
      message: alarmText(a),
      priority: a.priority,
      raisedMs,
      acknowledgedMs,
      acknowledgedBy: a.acknowledgedBy ? who(a.acknowledgedBy) : null,
      timeToAckS: acknowledgedMs === null ? null : seconds(acknowledgedMs - raisedMs),
      expected: expectedRules.has(a.ruleId),
    };
  });
  const fired = new Map<string, { ruleId: string; message: string; count: number }>();
  for (const a of alarms) {
    const f = fired.get(a.ruleId) ?? { ruleId: a.ruleId, message: a.title, count: 0 };
    f.count++;
    fired.set(a.ruleId, f);
  }

  // What counts against the trainee.
  const wrong: DebriefWrongAction[] = [];
  const guarded = new Map<string, GuardrailEntry[]>();
  for (const g of x.guardrails) {
    if (g.by !== trainee || (g.outcome !== 'refused' && g.outcome !== 'overridden')) continue;
    const k = `${g.at}|${g.action}|${g.outcome}`;
    guarded.set(k, [...(guarded.get(k) ?? []), g]);
  }
  for (const gs of guarded.values()) {
    const g = gs[0]!;
    const what = g.action === 'infusion.bolus' ? 'Ketamine bolus' : g.action === 'infusion.rate_change' || g.action === 'infusion.start' ? 'Ketamine rate' : g.action.startsWith('rescue.') ? 'Rescue dose' : 'Dose';
    const limits = gs.map((c) => `${c.label} ${round2(c.value)} ${c.unit} over ${round2(c.limit)} ${c.unit}`).join('; ');
    wrong.push({ scenarioMs: toMs(g.at), text: `${what} ${g.outcome === 'refused' ? 'refused by the dose limits' : 'given over the dose limits (confirmed)'}`, reason: `Above the guardrail: ${limits}.` });
  }
  for (const i of items) {
    if (i.outcome !== 'violated' || i.doneMs === null) continue;
    const e = scenario!.expected.find((q) => q.id === i.id)!;
    const hit = byTrainee.find((a) => a.ms === i.doneMs && matches(e, a, null));
    if (e.action.type === 'no_further_drug') wrong.push({ scenarioMs: i.doneMs, text: hit?.text ?? 'Drug given', reason: `The scenario says to give no further ${classWords(e.action.class)}.` });
    else if (e.action.type === 'no_bolus_at_or_above') wrong.push({ scenarioMs: i.doneMs, text: hit?.text ?? 'Bolus given', reason: `A bolus at or above ${e.action.doseMgKg} mg/kg was not to be given.` });
  }
  const blocking = (scenario?.checklist?.findings ?? []).map((f) => CONTRAINDICATIONS.find((c) => c.id === f)).filter((c) => c?.blocking);
  const forbidsStart = blocking.length > 0 || (scenario?.expected ?? []).some((e) => e.action.type === 'no_start');
  if (forbidsStart) {
    for (const a of byTrainee) {
      if (a.infusion?.type !== 'start') continue;
      const why = blocking.length ? `The pre-infusion assessment found ${blocking.map((c) => c!.label.toLowerCase()).join(', ')}: the infusion must not start.` : 'The scenario says the infusion must not start.';
      wrong.push({ scenarioMs: a.ms, text: a.text, reason: why });
    }
  }
  if (ended) {
    for (const a of alarms) {
      // Still sounding when the run ended, never acknowledged.
      const openAtEnd = a.acknowledgedAt === null && (a.resolvedAt === null || a.resolvedAt >= (run.endedAt ?? x.now));
      if (openAtEnd) wrong.push({ scenarioMs: toMs(a.startedAt), text: `Alarm left unacknowledged: ${a.title}`, reason: 'Still active and unacknowledged when the run ended.' });
    }
  }
  wrong.sort((a, b) => a.scenarioMs - b.scenarioMs);

  // The timeline: scenario, trainer, trainee and rules, in scenario time.
  const timeline: DebriefTimelineEntry[] = [];
  const push = (scenarioMs: number, at: number, source: DebriefSource, text: string) => timeline.push({ scenarioMs, at, source, text });
  for (const e of scenarioEvents) {
    const ms = e.atMin * 60_000;
    if (ms <= reached) push(ms, wallOfScenarioMs(x.clocks, ms), 'scenario', e.kind === 'prompt' ? `${e.label}: ${e.text}` : e.label);
  }
  for (const i of injected) {
    const ms = i.event.atMin * 60_000;
    if (ms <= reached) push(ms, i.at, 'trainer', `Event added by the trainer: ${i.event.label}${i.event.kind === 'prompt' ? ` (${i.event.text})` : ''}`);
  }
  for (let k = 0; k < x.clocks.length; k++) {
    const c = x.clocks[k]!;
    const prev = x.clocks[k - 1];
    const text = !prev ? null : c.running && !prev.running ? (prev.scenarioMs === 0 && k === 1 ? `Run started at x${c.speed}` : `Run resumed at x${c.speed}`) : !c.running && prev.running ? (ended && k === x.clocks.length - 1 ? 'Run ended' : 'Run paused') : c.speed !== prev.speed ? `Speed x${c.speed}` : ended && k === x.clocks.length - 1 ? 'Run ended' : null;
    if (text) push(c.scenarioMs, c.wallAt, 'trainer', text);
  }
  for (const a of alarms) push(toMs(a.startedAt), a.startedAt, 'rules', `${a.priority === 'high' ? 'High' : a.priority === 'medium' ? 'Medium' : 'Low'} priority alarm: ${alarmText(a)}`);
  for (const a of acts) push(a.ms, a.at, a.by === trainee ? 'trainee' : isScenarioActor(a.by) ? 'scenario' : 'trainer', a.by === trainee ? a.text : `${a.text} by ${who(a.by)}`);
  for (const w of guarded.values()) push(toMs(w[0]!.at), w[0]!.at, 'trainee', `${w[0]!.action === 'infusion.bolus' ? 'Bolus' : 'Dose'} ${w[0]!.outcome === 'refused' ? 'refused' : 'confirmed over'} by the dose limits`);
  // The trainee's sedation and pain scores beside what the simulated patient showed then (the host's virtual assessor).
  for (const e of run.events) {
    if (e.kind !== 'assessment') continue;
    const a = e.assessment;
    const scale = OBSERVATION_SCALES[a.scale].label;
    push(e.scenarioMs, e.at, 'trainee', `${scale} ${a.traineeScore} scored; the simulated patient showed ${a.assessorScore ?? 'unknown (no answer from the simulation)'}`);
  }
  timeline.sort((a, b) => a.scenarioMs - b.scenarioMs || a.at - b.at);

  const counted = items.filter((i) => i.outcome !== 'not_triggered');
  const points = counted.reduce((s, i) => s + i.points, 0);
  const max = counted.reduce((s, i) => s + i.weight, 0);
  return {
    runId: run.id,
    sessionId: run.sessionId,
    scenario: run.scenario,
    scenarioTitle: scenario?.title ?? x.scenarioTitle,
    trainee: run.trainee,
    trainer: run.trainer,
    seed: run.seed,
    state: run.state,
    startedAt: x.clocks.find((c) => c.running)?.wallAt ?? null,
    endedAt: run.endedAt,
    scenarioMs: reached,
    score: { points, max, percent: max > 0 ? Math.round((points / max) * 1000) / 10 : null },
    items,
    alarms: debriefAlarms,
    rulesFired: [...fired.values()].sort((a, b) => b.count - a.count || a.message.localeCompare(b.message)),
    wrongActions: wrong,
    timeline,
    simulated: true,
    generatedAt: x.now,
  };
}

/** The alarm as the ward screen says it: its title and message, the title once when the message repeats it. */
function alarmText(a: Pick<Alarm, 'title' | 'message'>): string {
  if (!a.message) return a.title;
  return a.message.startsWith(a.title) ? a.message : `${a.title}: ${a.message}`;
}

function infusionText(e: InfusionEvent, before: number | null, doseMgKg: number | null): string {
  switch (e.type) {
    case 'start':
      return `Infusion started at ${e.rateMgKgH ?? '?'} mg/kg/h`;
    case 'rate_change':
      return `Rate ${before !== null && e.rateMgKgH !== null && e.rateMgKgH < before ? 'lowered' : 'changed'} to ${e.rateMgKgH ?? '?'} mg/kg/h${before !== null ? ` (from ${before})` : ''}`;
    case 'bolus':
      return `Ketamine bolus ${e.doseMg ?? '?'} mg${doseMgKg !== null ? ` (${round2(doseMgKg)} mg/kg)` : ''}`;
    case 'pause':
      return 'Infusion paused';
    case 'resume':
      return 'Infusion resumed';
    case 'stop':
      return 'Infusion stopped';
  }
}

/** An ended run's score as a trainee's progress lists it. */
export function runScore(d: TrainingDebrief): Omit<TraineeRunScore, 'endedAt'> {
  const acks = d.alarms.flatMap((a) => (a.timeToAckS === null ? [] : [a.timeToAckS]));
  return {
    runId: d.runId,
    scenario: d.scenario,
    scenarioTitle: d.scenarioTitle,
    trainer: d.trainer,
    points: d.score.points,
    max: d.score.max,
    percent: d.score.percent,
    missed: d.items.filter((i) => i.outcome === 'missed').length,
    violated: d.items.filter((i) => i.outcome === 'violated').length,
    medianAckS: median(acks),
  };
}
