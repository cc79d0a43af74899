import {
  configureRuleSet,
  doseAt,
  engineStateFromActive,
  sessionDosingWeight,
  evaluate,
  replayInfusion,
  RuleSetConfigError,
  type ConfiguredRuleSet,
  type EngineContext,
  type EngineEvent,
  type EngineState,
  type InfusionEvent,
  type InfusionEventType,
  type Observation,
  type RuleModifier,
  type VitalsSample,
} from '@infusion/shared';
import type { AlarmManager } from '../alarms/alarmManager';
import { TREATMENT_WINDOW_MS, type StoredInputs } from '../persistence/ruleInputsRepo';
import type { SessionRepo, StoredSession } from '../persistence/sessionRepo';
import type { LiveSession, SessionService } from '../sessions/sessionService';
import { wallTime, type SessionTimes } from '../sessions/sessionTime';
import type { Logger } from '../util/logger';
import type { RuleSetStore } from './ruleSetStore';

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
  /**
   * A session on a time of its own (training): its infusion events at their wall times, replayed on
   * its time for the dose so far (the session's own dose total runs on wall time). Null: wall time.
   */
  infusionEvents: Pick<InfusionEvent, 'id' | 'type' | 't' | 'rateMgKgH' | 'doseMg'>[] | null;
}

export interface SessionRulesDeps {
  ruleSets: RuleSetStore;
  sessionRepo: SessionRepo;
  /** The owner of the live session state: the engine state is written through it. */
  sessions: Pick<SessionService, 'recordEvaluation' | 'resetEngine'>;
  alarms: AlarmManager;
  log: Logger;
  lastObservations: (sessionId: string) => Promise<Observation[]>;
  lastNibp: (sessionId: string) => Promise<number | null>;
  /** The last stored frame's event time and server receive time (to recover the device clock after a restart). */
  lastFrame: (sessionId: string) => Promise<{ t: number; receivedAt: number } | null>;
  /** The modifiers the session's documented doses switch on (a benzodiazepine or opioid: sedative_given). */
  modifiersOf?: (s: StoredSession) => RuleModifier[];
  /** Stored frames of a session with event time after `t`, oldest first (judged when a session is taken over). */
  framesAfter?: (sessionId: string, t: number) => Promise<VitalsSample[]>;
  /**
   * The time a session is judged on (a training run's scenario clock); default wall time. Every
   * instant the engine sees (frames, ticks, events, scores, alarm starts) is mapped onto it, and the
   * alarms it raises are stamped back in wall time.
   */
  times?: SessionTimes;
  /** A session's stored infusion events (the dose so far on a session's own time). */
  infusionEvents?: (sessionId: string) => Promise<InfusionEvent[]>;
  /**
   * The same inputs for many sessions at once, one statement per table (a takeover reads all the
   * sessions it took in one batch; a single session is a batch of one). Without it, per session from
   * the functions above.
   */
  inputsOf?: (sessions: readonly StoredSession[], withEvents: ReadonlySet<string>) => Promise<Map<string, StoredInputs>>;
  /** `framesAfter` for many sessions, each after its own time. Without it, per session. */
  framesAfterEach?: (after: readonly { sessionId: string; t: number }[]) => Promise<Map<string, VitalsSample[]>>;
}

/**
 * Runs a session's events through the pure engine with its rule set (the version it opened under,
 * its profile, its physician's overrides) and hands the transitions to the alarm manager.
 */
export class SessionRules {
  private readonly extras = new Map<string, Extras>();
  /**
   * Sessions whose inputs are being read from storage, with the evaluations waiting for them in
   * arrival order. The inputs are read once per session on this node and then kept current in
   * memory, so no frame waits on a query after the first.
   */
  private readonly reading = new Map<string, { busy: boolean; waiting: ((e: Extras) => void)[]; settled: (() => void)[] }>();
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
  private readonly times: SessionTimes;
  private readonly infusionEvents: NonNullable<SessionRulesDeps['infusionEvents']>;
  private readonly inputsOf: NonNullable<SessionRulesDeps['inputsOf']>;
  private readonly framesAfterEach: NonNullable<SessionRulesDeps['framesAfterEach']>;

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
    this.framesAfter = deps.framesAfter ?? (() => Promise.resolve([]));
    this.times = deps.times ?? wallTime;
    this.infusionEvents = deps.infusionEvents ?? (() => Promise.resolve([]));
    this.inputsOf = deps.inputsOf ?? ((ss, withEvents) => this.inputsOneByOne(ss, withEvents));
    this.framesAfterEach = deps.framesAfterEach ?? (async (after) => new Map(await Promise.all(after.map(async (a) => [a.sessionId, await this.framesAfter(a.sessionId, a.t)] as const))));
  }

  private async inputsOneByOne(ss: readonly StoredSession[], withEvents: ReadonlySet<string>): Promise<Map<string, StoredInputs>> {
    const read = async (s: StoredSession): Promise<[string, StoredInputs]> => {
      const [observations, lastNibpAt, treatments, lastFrame, infusionEvents] = await Promise.all([
        this.lastObservations(s.id),
        this.lastNibp(s.id),
        s.patientId !== null ? this.repo.infusionsGivenSince(s.patientId, s.createdAt - TREATMENT_WINDOW_MS, s.id).then((n) => n + 1) : 1,
        this.lastFrame(s.id),
        withEvents.has(s.id) ? this.infusionEvents(s.id) : null,
      ]);
      return [s.id, { observations, lastNibpAt, treatments, lastFrame, infusionEvents }];
    };
    return new Map(await Promise.all(ss.map(read)));
  }

  /** The session's time at a wall instant (identity for a session on wall time). */
  private at(l: LiveSession, wall: number): number {
    const time = this.times(l.stored.id);
    return time ? time.at(wall) : wall;
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

  /** The engine's inputs of a live session from what storage holds (read alone, or with a takeover's batch). */
  private extrasFrom(l: LiveSession, raw: StoredInputs): Extras {
    const time = this.times(l.stored.id);
    const sed = raw.observations.filter((o) => o.scale !== 'NRS_PAIN').at(-1);
    const pain = raw.observations.filter((o) => o.scale === 'NRS_PAIN').at(-1);
    const on = (t: number) => (time ? time.at(t) : t);
    const frame = raw.lastFrame;
    return {
      configured: this.configured(l.stored),
      key: this.keyOf(l.stored),
      sedation: sed ? { t: on(sed.t), scale: sed.scale as 'RASS' | 'MOAAS' | 'RAMSAY', score: sed.score } : null,
      pain: pain ? { t: on(pain.t), score: pain.score } : null,
      lastNibpAt: raw.lastNibpAt === null ? null : on(raw.lastNibpAt),
      treatments: raw.treatments,
      ...(frame ? { clockOffset: frame.t - frame.receivedAt, haveDeviceClock: true } : { clockOffset: 0, haveDeviceClock: false }),
      infusionEvents: time ? (raw.infusionEvents ?? []).map(({ id, type, t, rateMgKgH, doseMg }) => ({ id, type, t, rateMgKgH, doseMg })) : null,
    };
  }

  /** The sessions on a time of their own among these: their infusion events are read too. */
  private onOwnTime(ss: readonly StoredSession[]): Set<string> {
    return new Set(ss.filter((s) => this.times(s.id) !== null).map((s) => s.id));
  }

  /**
   * Reads the inputs of sessions not in memory yet, in one batch, and hands each to the evaluations
   * waiting for it (events that arrive meanwhile wait in order). A failed read leaves them queued: the
   * next event or tick of each session retries it alone.
   */
  private readBatch(ls: readonly LiveSession[]): void {
    const entries = ls.flatMap((l) => {
      const id = l.stored.id;
      if (this.extras.has(id)) return [];
      let r = this.reading.get(id);
      if (!r) this.reading.set(id, (r = { busy: false, waiting: [], settled: [] }));
      if (r.busy) return [];
      r.busy = true;
      return [{ l, entry: r }];
    });
    if (!entries.length) return;
    const stored = entries.map((x) => x.l.stored);
    this.inputsOf(stored, this.onOwnTime(stored)).then(
      (raw) => {
        for (const { l, entry } of entries) {
          const id = l.stored.id;
          const inputs = raw.get(id);
          try {
            // Forgotten meanwhile (ended, or evaluated elsewhere now): nothing to run, but nobody is left waiting.
            if (inputs && this.reading.get(id) === entry) {
              const e = this.extrasFrom(l, inputs);
              this.reading.delete(id);
              this.extras.set(id, e);
              for (const w of entry.waiting) w(e);
            } else if (!inputs) entry.busy = false;
          } catch (err) {
            // One session's failure is its own: the batch's other sessions still run.
            entry.busy = false;
            this.log.error({ err, sessionId: id }, 'session rule inputs could not be applied; retried with the next event');
          }
          for (const s of entry.settled.splice(0)) s();
        }
      },
      (err: unknown) => {
        for (const { entry } of entries) {
          entry.busy = false;
          for (const s of entry.settled.splice(0)) s();
        }
        this.log.error({ err, sessionIds: entries.map((x) => x.l.stored.id) }, 'session rule inputs could not be read; retried with the next event');
      },
    );
  }

  /**
   * A takeover: the inputs of every session taken over read in one batch before their first
   * evaluation, rather than one read per session as each one's first frame or tick arrives.
   */
  readInputs(ls: readonly LiveSession[]): void {
    this.readBatch(ls);
  }

  /**
   * Runs `fn` with the session's inputs: at once when they are in memory, else once they are read
   * (events wait in order, so each is judged as if it had run at once). A failed read is retried by
   * the next event or tick; the waiting events stay queued meanwhile.
   */
  private withExtras(l: LiveSession, fn: ((e: Extras) => void) | null): void {
    const id = l.stored.id;
    const ready = this.extras.get(id);
    if (ready) return void fn?.(ready);
    let r = this.reading.get(id);
    if (!r) this.reading.set(id, (r = { busy: false, waiting: [], settled: [] }));
    if (fn) r.waiting.push(fn);
    if (r.busy) return;
    this.readBatch([l]);
  }

  /**
   * Resolves once the session's inputs are in memory (or their read failed: the events stay queued
   * for the retry), so a caller can have a frame judged, and its alarms queued, before it answers.
   */
  whenRead(l: LiveSession): Promise<void> {
    if (this.extras.has(l.stored.id)) return Promise.resolve();
    this.withExtras(l, null);
    const r = this.reading.get(l.stored.id);
    return r ? new Promise((resolve) => r.settled.push(resolve)) : Promise.resolve();
  }

  /** After a restart: rules behind unresolved alarms start as firing, so nothing is raised twice. */
  restoreState(l: LiveSession, now: number): void {
    // A session on its own time: the last frame's instant on that time (it was read in wall time).
    const time = this.times(l.stored.id);
    this.sessions.resetEngine(l, this.engineFromAlarms(l, now), time ? time.at(l.lastEvalT) : undefined);
  }

  /**
   * This node took the session over from a node that stored its engine state with the lease: each rule
   * resumes in its phase (a pending delay keeps its start), rules behind an unresolved active alarm are
   * firing (the previous holder may have raised after its last renewal), and the frames stored after the
   * state (judged by the previous holder after it, or by nobody while no node held the lease) are judged now.
   */
  /** The stored frames each resumed state has not judged, for all sessions of a takeover at once (read before it switches over). */
  framesSince(states: ReadonlyMap<string, EngineState>): Promise<Map<string, VitalsSample[]>> {
    const after = [...states].flatMap(([sessionId, st]) => (st.lastT === null ? [] : [{ sessionId, t: st.lastT }]));
    return this.framesAfterEach(after);
  }

  /** `frames`: what `framesSince` read for this state. */
  resume(l: LiveSession, state: EngineState, serverNow: number, frames: VitalsSample[]): void {
    const resumed: EngineState = { ...state, ids: [...state.ids], rules: [...state.rules] };
    for (const a of this.alarms.unresolved()) {
      if (a.sessionId !== l.stored.id || !a.conditionActive) continue;
      const i = resumed.ids.indexOf(a.ruleId);
      const firing = { phase: 'firing' as const, since: this.at(l, a.startedAt), clearSince: null };
      if (i < 0) {
        resumed.ids.push(a.ruleId);
        resumed.rules.push({ ...firing, a: null, d: null });
      } else if (resumed.rules[i]!.phase !== 'firing') resumed.rules[i] = { ...resumed.rules[i]!, ...firing };
    }
    this.sessions.resetEngine(l, resumed, state.lastT ?? l.lastEvalT);
    for (const f of frames) this.onVitals(l, f, serverNow);
    if (frames.length) this.log.info({ sessionId: l.stored.id, frames: frames.length }, 'session taken over: frames stored since its last evaluation judged');
  }

  private engineFromAlarms(l: LiveSession, now: number) {
    const active = this.alarms.unresolved().filter((a) => a.sessionId === l.stored.id && a.conditionActive).map((a) => ({ ruleId: a.ruleId, since: this.at(l, a.startedAt) }));
    return engineStateFromActive(active, this.at(l, now));
  }

  private context(l: LiveSession, e: Extras, t: number): EngineContext {
    // Per-kg figures (bolus mg/kg, cumulative mg/kg) are on the dosing weight of the session's rule set.
    const w = sessionDosingWeight(l.stored, this.store.get(l.stored.ruleSetVersion).dosingWeight);
    const kg = w.kg;
    const time = e.infusionEvents ? this.times(l.stored.id) : null;
    // On a session's own time the dose so far is replayed on that time (the session's total is wall time).
    const infusion = time && e.infusionEvents ? replayInfusion(kg, e.infusionEvents.map((x) => ({ ...x, t: time.at(x.t) }))) : l.infusion;
    return {
      session: { weightKg: kg, weightBasis: w.used, ageYears: l.stored.ageYears, setting: l.stored.setting, startedAt: time ? time.at(l.stored.createdAt) : l.stored.createdAt },
      infusion: doseAt(infusion, kg, t),
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
    if (!r.transitions.length) return;
    // Alarms are stamped in wall time, as every record is: the instant the session's time reached them.
    const time = this.times(l.stored.id);
    this.alarms.apply(l.stored, time ? r.transitions.map((tr) => ({ ...tr, t: time.wallOf(tr.t) })) : r.transitions);
  }

  onVitals(l: LiveSession, sample: VitalsSample, serverNow: number): void {
    this.withExtras(l, (e) => this.vitalsWith(l, e, sample, serverNow));
  }

  private vitalsWith(l: LiveSession, e: Extras, sample: VitalsSample, serverNow: number): void {
    const t = this.at(l, sample.t);
    if (typeof sample.sbp === 'number') e.lastNibpAt = Math.max(e.lastNibpAt ?? 0, t);
    e.clockOffset = sample.t - serverNow;
    if (!e.haveDeviceClock) {
      e.haveDeviceClock = true;
      // Events before the first frame ran on server time; a device clock behind it would have every
      // frame judged at that later time. Restart the engine's clock on the device's.
      if (t < l.lastEvalT) {
        this.sessions.resetEngine(l, this.engineFromAlarms(l, sample.t), t);
      }
    }
    this.run(l, e, { kind: 'vitals', t, sample: t === sample.t ? sample : { ...sample, t } });
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
    const e = this.extras.get(l.stored.id);
    // Inputs not read yet: a tick is not kept for later (the next one comes within a second).
    if (!e) return this.withExtras(l, null);
    if (!e.haveDeviceClock && l.infusion.status === 'not_started') return;
    // On a session's own time a paused run does not advance: the tick finds nothing new to judge.
    const t = this.at(l, serverNow + e.clockOffset);
    if (t <= l.lastEvalT) return;
    this.run(l, e, { kind: 'tick', t });
  }

  onInfusion(l: LiveSession, ev: { id?: number; type: InfusionEventType; t: number; rateMgKgH: number | null; doseMg: number | null }): void {
    this.withExtras(l, (e) => {
      // Read with the stored events when this event was already committed: kept once.
      if (e.infusionEvents && !(ev.id !== undefined && e.infusionEvents.some((x) => x.id === ev.id))) e.infusionEvents.push({ id: ev.id ?? -1, type: ev.type, t: ev.t, rateMgKgH: ev.rateMgKgH, doseMg: ev.doseMg });
      // Clinician events are stamped in server time: judged on the device clock, for the reason above.
      this.run(l, e, { kind: 'infusion', t: Math.max(this.at(l, ev.t + e.clockOffset), l.lastEvalT), event: { type: ev.type, rateMgKgH: ev.rateMgKgH, doseMg: ev.doseMg } });
    });
  }

  onObservation(l: LiveSession, o: Observation): void {
    this.withExtras(l, (e) => {
      // Read back from storage after the score was written: the score may already be in `e`; running it again is harmless.
      const t = this.at(l, o.t);
      if (o.scale === 'NRS_PAIN') e.pain = { t, score: o.score };
      else e.sedation = { t, scale: o.scale, score: o.score };
      this.run(l, e, { kind: 'observation', t: Math.max(this.at(l, o.t + e.clockOffset), l.lastEvalT), obs: { scale: o.scale, score: o.score } });
    });
  }

  forget(sessionId: string): void {
    this.extras.delete(sessionId);
    this.reading.delete(sessionId);
    this.modifiers.delete(sessionId);
  }
}
