import {
  applyInfusionEvent,
  configureRuleSet,
  defaultFormulary,
  defaultRuleSet,
  formularySchema,
  modifierStarts,
  sessionDosingWeight,
  doseAt,
  evaluate,
  initialEngineState,
  initialInfusion,
  ruleSetSchema,
  type EngineContext,
  type EngineEvent,
  type InfusionEvent,
  type Observation,
  type RuleModifier,
  type RuleSet,
} from '@infusion/shared';
import { recordingRepo, type Recording } from '../persistence/recordingRepo';
import type { StoredSession } from '../persistence/sessionRepo';
import type { Store } from '../persistence/store';
import { notFound } from '../util/errors';

export interface ReplayedAlarm {
  ruleId: string;
  priority: string;
  t: number;
  clearedAt: number | null;
  message: string;
}

export interface ReplayResult {
  sessionId: string;
  ruleSet: { id: string; version: number };
  events: number;
  alarms: ReplayedAlarm[];
}

const YEAR_MS = 365 * 24 * 3_600_000;
const TICK_MS = 1000;

/** The rule set a session ran under. */
function recordedRuleSet(rec: Recording, s: StoredSession): RuleSet {
  if (rec.ruleSetBody) return ruleSetSchema.parse(JSON.parse(rec.ruleSetBody));
  if (defaultRuleSet.version === s.ruleSetVersion) return defaultRuleSet;
  throw notFound(`rule set ${s.ruleSetId} version ${s.ruleSetVersion}`);
}

/**
 * Re-runs a logged session through a rule set: the same pure engine, fed the stored vitals, infusion
 * events and observations in event-time order, with ticks filling any gap longer than a second.
 * Deterministic: the same database and rule set always give the same alarms.
 */
export async function replaySession(store: Store, sessionId: string, ruleSet?: RuleSet): Promise<ReplayResult> {
  const rec = await recordingRepo(store).load(sessionId, YEAR_MS);
  if (!rec) throw notFound(`session ${sessionId}`);
  const s = rec.session;
  const base = ruleSet ?? recordedRuleSet(rec, s);
  const opts = { profile: s.profile, overrides: s.limitOverrides?.overrides ?? {} };
  const plain = configureRuleSet(base, opts).ruleSet;
  // Modifiers (a sedative given) apply from the documented dose's event time on, as live.
  const starts = Object.entries(modifierStarts(base, rec.formularyBody ? formularySchema.parse(JSON.parse(rec.formularyBody)) : defaultFormulary, rec.rescueDoses)).sort((a, b) => a[1] - b[1]) as [RuleModifier, number][];
  const phases = starts.map(([, t], i) => ({ from: t, rs: configureRuleSet(base, { ...opts, modifiers: starts.slice(0, i + 1).map(([m]) => m) }).ruleSet }));
  const ruleSetAt = (t: number) => phases.findLast((p) => t >= p.from)?.rs ?? plain;
  const rs = plain;
  const dosing = sessionDosingWeight(s, base.dosingWeight);
  const kg = dosing.kg;

  type Item = { t: number; order: number; ev: EngineEvent; infusion?: InfusionEvent; obs?: Observation };
  const items: Item[] = [];
  for (const v of rec.vitals) items.push({ t: v.t, order: 1, ev: { kind: 'vitals', t: v.t, sample: v } });
  for (const e of rec.infusionEvents)
    items.push({ t: e.t, order: 0, infusion: e, ev: { kind: 'infusion', t: e.t, event: { type: e.type, rateMgKgH: e.rateMgKgH, doseMg: e.doseMg } } });
  for (const ob of rec.observations)
    items.push({ t: ob.t, order: 2, obs: ob, ev: { kind: 'observation', t: ob.t, obs: { scale: ob.scale, score: ob.score } } });
  items.sort((a, b) => a.t - b.t || a.order - b.order);

  const treatments = rec.treatmentsInYear ?? 1;
  let infusion = initialInfusion();
  let started = false;
  let sedation: EngineContext['lastObservation']['sedation'] = null;
  let pain: EngineContext['lastObservation']['pain'] = null;
  let lastNibpAt: number | null = null;
  let state = initialEngineState();
  const open = new Map<string, ReplayedAlarm>();
  const alarms: ReplayedAlarm[] = [];
  let count = 0;

  const run = (ev: EngineEvent) => {
    count++;
    const ctx: EngineContext = {
      session: { weightKg: kg, weightBasis: dosing.used, ageYears: s.ageYears, setting: s.setting, startedAt: s.createdAt },
      infusion: doseAt(infusion, kg, ev.t),
      baseline: started ? s.baseline : null,
      lastObservation: { sedation, pain },
      lastNibpAt,
      treatmentsInLast12Months: Math.max(1, treatments),
      profile: s.profile,
    };
    const r = evaluate(ruleSetAt(ev.t), state, ctx, ev);
    state = r.state;
    for (const tr of r.transitions) {
      if (tr.type === 'fire' && !open.has(tr.rule.id)) {
        const a: ReplayedAlarm = { ruleId: tr.rule.id, priority: tr.rule.priority, t: tr.t, clearedAt: null, message: tr.message };
        open.set(tr.rule.id, a);
        alarms.push(a);
      } else if (tr.type === 'clear') {
        const a = open.get(tr.rule.id);
        if (a) a.clearedAt = tr.t;
        open.delete(tr.rule.id);
      }
    }
  };

  let lastT: number | null = null;
  for (const it of items) {
    // Time passing between events, as the live server's one-second tick would see it.
    if (lastT !== null) for (let t = lastT + TICK_MS; t < it.t; t += TICK_MS) run({ kind: 'tick', t });
    if (it.infusion) {
      infusion = applyInfusionEvent(infusion, kg, it.infusion);
      if (it.infusion.type === 'start') started = true;
    }
    if (it.obs) {
      if (it.obs.scale === 'NRS_PAIN') pain = { t: it.obs.t, score: it.obs.score };
      else sedation = { t: it.obs.t, scale: it.obs.scale, score: it.obs.score };
    }
    if (it.ev.kind === 'vitals' && typeof it.ev.sample.sbp === 'number') lastNibpAt = it.ev.t;
    run(it.ev);
    lastT = lastT === null ? it.t : Math.max(lastT, it.t);
  }
  return { sessionId, ruleSet: { id: rs.id, version: rs.version }, events: count, alarms };
}

export interface ReplayDiff {
  /** Raised by the other rule set, not by the recorded one. */
  wouldRaise: ReplayedAlarm[];
  /** Raised by the recorded rule set, not by the other one. */
  wouldNotRaise: ReplayedAlarm[];
}

/** Compares two replays alarm by alarm (same rule, same event time). */
export function diffReplays(recorded: ReplayResult, other: ReplayResult): ReplayDiff {
  const key = (a: ReplayedAlarm) => `${a.ruleId}@${a.t}`;
  const r = new Set(recorded.alarms.map(key));
  const o = new Set(other.alarms.map(key));
  return { wouldRaise: other.alarms.filter((a) => !r.has(key(a))), wouldNotRaise: recorded.alarms.filter((a) => !o.has(key(a))) };
}
