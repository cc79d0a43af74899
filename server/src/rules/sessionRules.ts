import {
  configureRuleSet,
  doseAt,
  engineStateFromActive,
  sessionDosingWeight,
  evaluate,
  RuleSetConfigError,
  type ConfiguredRuleSet,
  type EngineContext,
  type EngineEvent,
  type EngineState,
  type InfusionEventType,
  type Observation,
  type RuleModifier,
  type VitalsSample,
} from '@infusion/shared';
import type { AlarmManager } from '../alarms/alarmManager';
import type { SessionRepo, StoredSession } from '../persistence/sessionRepo';
import type { LiveSession, SessionService } from '../sessions/sessionService';
import type { Logger } from '../util/logger';
import type { RuleSetStore } from './ruleSetStore';

const YEAR_MS = 365 * 24 * 3_600_000;

/** Per-session inputs to the engine that are not in the stored session. */
interface Extras {
  configured: ConfiguredRuleSet;
  key: string;
  sedation: EngineContext['lastObservation']['sedation'];
  pain: EngineContext['lastObservation']['pain'];
  lastNibpAt: number | null;
  treatments: number;
  /** Device event time minus server time at the last frame: ticks and clinician events run on the device's clock. */
  clockOffset: number;
  /** No frame yet: there is no device clock to tick on. */
  haveDeviceClock: boolean;
}

export interface SessionRulesDeps {
  ruleSets: RuleSetStore;
  sessionRepo: SessionRepo;
  /** The owner of the live session state: the engine state is written through it. */
  sessions: Pick<SessionService, 'recordEvaluation' | 'resetEngine'>;
  alarms: AlarmManager;
  log: Logger;
  lastObservations: (sessionId: string) => Observation[];
  lastNibp: (sessionId: string) => number | null;
  /** The last stored frame's event time and server receive time (to recover the device clock after a restart). */
  lastFrame: (sessionId: string) => { t: number; receivedAt: number } | null;
  /** The modifiers the session's documented doses switch on (a benzodiazepine or opioid: sedative_given). */
  modifiersOf?: (s: StoredSession) => RuleModifier[];
  /** Stored frames of a session with event time after `t`, oldest first (judged when a session is taken over). */
  framesAfter?: (sessionId: string, t: number) => VitalsSample[];
}

/**
 * Runs a session's events through the pure engine with its rule set (the version it opened under,
 * its profile, its physician's overrides) and hands the transitions to the alarm manager.
 */
export class SessionRules {
  private readonly extras = new Map<string, Extras>();
  /** Modifiers in force per session (e.g. a sedative given), read once and updated on each rescue dose. */
  private readonly modifiers = new Map<string, RuleModifier[]>();

  private readonly store: RuleSetStore;
  private readonly repo: SessionRepo;
  private readonly sessions: SessionRulesDeps['sessions'];
  private readonly alarms: AlarmManager;
  private readonly log: Logger;
  private readonly lastObservations: SessionRulesDeps['lastObservations'];
  private readonly lastNibp: SessionRulesDeps['lastNibp'];
  private readonly lastFrame: SessionRulesDeps['lastFrame'];
  private readonly modifiersOf: NonNullable<SessionRulesDeps['modifiersOf']>;
  private readonly framesAfter: NonNullable<SessionRulesDeps['framesAfter']>;

  constructor(deps: SessionRulesDeps) {
    this.store = deps.ruleSets;
    this.repo = deps.sessionRepo;
    this.sessions = deps.sessions;
    this.alarms = deps.alarms;
    this.log = deps.log;
    this.lastObservations = deps.lastObservations;
    this.lastNibp = deps.lastNibp;
    this.lastFrame = deps.lastFrame;
    this.modifiersOf = deps.modifiersOf ?? (() => []);
    this.framesAfter = deps.framesAfter ?? (() => []);
  }

  private modifiersFor(s: StoredSession): RuleModifier[] {
    let m = this.modifiers.get(s.id);
    if (!m) {
      m = this.modifiersOf(s);
      this.modifiers.set(s.id, m);
    }
    return m;
  }

  private keyOf(s: StoredSession): string {
    return `${s.ruleSetVersion}|${s.profile}|${JSON.stringify(s.limitOverrides?.overrides ?? {})}|${this.modifiersFor(s).join(',')}`;
  }

  /** A rescue dose was documented: the modifiers it switches on apply from now on. */
  onRescueDose(s: StoredSession): void {
    this.modifiers.delete(s.id);
  }

  private deviceClock(sessionId: string): { clockOffset: number; haveDeviceClock: boolean } {
    const f = this.lastFrame(sessionId);
    return f ? { clockOffset: f.t - f.receivedAt, haveDeviceClock: true } : { clockOffset: 0, haveDeviceClock: false };
  }

  /** The effective rule set of a session and the plain-language list of what differs from the site's set. */
  configured(s: StoredSession): ConfiguredRuleSet {
    const key = this.keyOf(s);
    const e = this.extras.get(s.id);
    if (e && e.key === key) return e.configured;
    let configured: ConfiguredRuleSet;
    try {
      configured = configureRuleSet(this.store.get(s.ruleSetVersion), { profile: s.profile, overrides: s.limitOverrides?.overrides ?? {}, modifiers: this.modifiersFor(s) });
    } catch (err) {
      // Overrides that no longer fit (a rule set edited since): run the unmodified set, loudly.
      if (!(err instanceof RuleSetConfigError)) throw err;
      this.log.error({ sessionId: s.id, issues: err.issues }, 'session overrides refused; running the profile without them');
      configured = configureRuleSet(this.store.get(s.ruleSetVersion), { profile: s.profile, modifiers: this.modifiersFor(s) });
    }
    if (e) {
      e.configured = configured;
      e.key = key;
    }
    return configured;
  }

  private extrasFor(l: LiveSession): Extras {
    let e = this.extras.get(l.stored.id);
    if (!e) {
      const obs = this.lastObservations(l.stored.id);
      const sed = obs.filter((o) => o.scale !== 'NRS_PAIN').at(-1);
      const pain = obs.filter((o) => o.scale === 'NRS_PAIN').at(-1);
      const configured = this.configured(l.stored);
      e = {
        configured,
        key: this.keyOf(l.stored),
        sedation: sed ? { t: sed.t, scale: sed.scale as 'RASS' | 'MOAAS' | 'RAMSAY', score: sed.score } : null,
        pain: pain ? { t: pain.t, score: pain.score } : null,
        lastNibpAt: this.lastNibp(l.stored.id),
        treatments: l.stored.patientRef ? this.repo.treatmentsSince(l.stored.patientRef, l.stored.createdAt - YEAR_MS, l.stored.simulated) : 1,
        ...this.deviceClock(l.stored.id),
      };
      this.extras.set(l.stored.id, e);
    }
    return e;
  }

  /** After a restart: rules behind unresolved alarms start as firing, so nothing is raised twice. */
  restoreState(l: LiveSession, now: number): void {
    this.sessions.resetEngine(l, this.engineFromAlarms(l, now));
  }

  /**
   * This node took the session over from a node that stored its engine state with the lease: each rule
   * resumes in its phase (a pending delay keeps its start), rules behind an unresolved active alarm are
   * firing (the previous holder may have raised after its last renewal), and the frames stored after the
   * state (judged by the previous holder after it, or by nobody while no node held the lease) are judged now.
   */
  resume(l: LiveSession, state: EngineState, serverNow: number): void {
    const resumed: EngineState = { ...state, ids: [...state.ids], rules: [...state.rules] };
    for (const a of this.alarms.unresolved()) {
      if (a.sessionId !== l.stored.id || !a.conditionActive) continue;
      const i = resumed.ids.indexOf(a.ruleId);
      const firing = { phase: 'firing' as const, since: a.startedAt, clearSince: null };
      if (i < 0) {
        resumed.ids.push(a.ruleId);
        resumed.rules.push({ ...firing, a: null, d: null });
      } else if (resumed.rules[i]!.phase !== 'firing') resumed.rules[i] = { ...resumed.rules[i]!, ...firing };
    }
    this.sessions.resetEngine(l, resumed, state.lastT ?? l.lastEvalT);
    const frames = state.lastT === null ? [] : this.framesAfter(l.stored.id, state.lastT);
    for (const f of frames) this.onVitals(l, f, serverNow);
    if (frames.length) this.log.info({ sessionId: l.stored.id, frames: frames.length }, 'session taken over: frames stored since its last evaluation judged');
  }

  private engineFromAlarms(l: LiveSession, now: number) {
    const active = this.alarms.unresolved().filter((a) => a.sessionId === l.stored.id && a.conditionActive).map((a) => ({ ruleId: a.ruleId, since: a.startedAt }));
    return engineStateFromActive(active, now);
  }

  private context(l: LiveSession, e: Extras, t: number): EngineContext {
    // Per-kg figures (bolus mg/kg, cumulative mg/kg) are on the dosing weight of the session's rule set.
    const w = sessionDosingWeight(l.stored, this.store.get(l.stored.ruleSetVersion).dosingWeight);
    const kg = w.kg;
    return {
      session: { weightKg: kg, weightBasis: w.used, ageYears: l.stored.ageYears, setting: l.stored.setting, startedAt: l.stored.createdAt },
      infusion: doseAt(l.infusion, kg, t),
      baseline: l.stored.baseline,
      lastObservation: { sedation: e.sedation, pain: e.pain },
      lastNibpAt: e.lastNibpAt,
      treatmentsInLast12Months: Math.max(1, e.treatments),
      profile: l.stored.profile,
    };
  }

  private run(l: LiveSession, e: Extras, ev: EngineEvent): void {
    const r = evaluate(this.configured(l.stored).ruleSet, l.engine, this.context(l, e, ev.t), ev);
    this.sessions.recordEvaluation(l, r.state, ev.t);
    if (r.transitions.length) this.alarms.apply(l.stored, r.transitions);
  }

  onVitals(l: LiveSession, sample: VitalsSample, serverNow: number): void {
    const e = this.extrasFor(l);
    if (typeof sample.sbp === 'number') e.lastNibpAt = Math.max(e.lastNibpAt ?? 0, sample.t);
    e.clockOffset = sample.t - serverNow;
    if (!e.haveDeviceClock) {
      e.haveDeviceClock = true;
      // Events before the first frame ran on server time; a device clock behind it would have every
      // frame judged at that later time. Restart the engine's clock on the device's.
      if (sample.t < l.lastEvalT) {
        this.sessions.resetEngine(l, this.engineFromAlarms(l, sample.t), sample.t);
      }
    }
    this.run(l, e, { kind: 'vitals', t: sample.t, sample });
  }

  /**
   * Time passing with no data: no-data, observation-due and delays complete on ticks. Ticks run on
   * the device's clock: a tick in server time would run ahead of a device whose clock is behind, and
   * the engine (whose time never runs backwards) would then judge every later frame at the tick's time.
   * Before the first frame there is no device clock: ticks wait for one, except while an infusion has
   * started, when a monitor that never sends is an alarm. Those ticks run on the server clock (as the
   * start itself did), and the first frame of a device behind it re-bases the engine (onVitals).
   */
  onTick(l: LiveSession, serverNow: number): void {
    const e = this.extrasFor(l);
    if (!e.haveDeviceClock && l.infusion.status === 'not_started') return;
    const t = serverNow + e.clockOffset;
    if (t <= l.lastEvalT) return;
    this.run(l, e, { kind: 'tick', t });
  }

  onInfusion(l: LiveSession, ev: { type: InfusionEventType; t: number; rateMgKgH: number | null; doseMg: number | null }): void {
    const e = this.extrasFor(l);
    // Clinician events are stamped in server time: judged on the device clock, for the reason above.
    this.run(l, e, { kind: 'infusion', t: Math.max(ev.t + e.clockOffset, l.lastEvalT), event: { type: ev.type, rateMgKgH: ev.rateMgKgH, doseMg: ev.doseMg } });
  }

  onObservation(l: LiveSession, o: Observation): void {
    const e = this.extrasFor(l);
    if (o.scale === 'NRS_PAIN') e.pain = { t: o.t, score: o.score };
    else e.sedation = { t: o.t, scale: o.scale, score: o.score };
    this.run(l, e, { kind: 'observation', t: Math.max(o.t + e.clockOffset, l.lastEvalT), obs: { scale: o.scale, score: o.score } });
  }

  forget(sessionId: string): void {
    this.extras.delete(sessionId);
    this.modifiers.delete(sessionId);
  }
}
