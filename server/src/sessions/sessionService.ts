import {
  applyInfusionEvent,
  doseAt,
  fieldErrors,
  infusionEventInputSchema,
  initialEngineState,
  initialInfusion,
  replayInfusion,
  sessionCreateSchema,
  sessionDosingWeight,
  sessionEndSchema,
  PHASE_LABELS,
  type SessionPhase,
  type PhaseChange,
  transitionError,
  type DosingWeight,
  type EngineState,
  type InfusionEvent,
  type InfusionState,
  type RuleSet,
  type Session,
  type VitalsSample,
  type LimitOverrides,
  type DoseOverride,
  type Role,
  BASELINE_FIELDS,
} from '@infusion/shared';
import { randomBytes } from 'node:crypto';
import { insertAudit, type AuditRepo } from '../persistence/auditRepo';
import type { SessionRepo, StoredSession } from '../persistence/sessionRepo';
import type { Tx } from '../persistence/store';
import { isKeyViolation } from '../persistence/storageErrors';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { Clock } from '../util/clock';
import { badRequest, conflict, DomainError, notFound } from '../util/errors';
import type { Hub } from '../util/hub';
import type { SessionLifecycleHooks } from './lifecycle';
import { DeviceSeqs } from './seqWindow';
import type { PatientService } from '../patients/patientService';

/**
 * Everything the pipeline needs about an active session, kept in memory and rebuilt from storage on
 * start. Other modules read it; only SessionService writes it (through the methods below), so one
 * module owns the state a node would hand over.
 */
export type LiveSession = Readonly<LiveState>;

interface LiveState {
  stored: StoredSession;
  infusion: InfusionState;
  engine: EngineState;
  /** Event time of the last frame the rules saw; older frames are stored but not evaluated. */
  lastEvalT: number;
  latest: VitalsSample | null;
  /** Taken frame seqs, per device feeding the session. */
  seqs: DeviceSeqs;
  /** In memory only: a restart ends an audio pause, which errs on the side of sound. */
  audioPausedUntil: number | null;
  /** Alarm id → end of that alarm's audio pause (in memory only, like the session's). */
  alarmAudioPauses?: Map<number, number>;
}

export interface Actor {
  id: string;
  requestId?: string | null;
  /** The user's role (absent for devices and the system): decides who may confirm a soft limit. */
  role?: Role;
}

/** What the dose check allows: the confirmed soft limits to store on the dose, and what to log once it is stored. */
export interface DoseClearance {
  override: DoseOverride | null;
  /** Writes what the check logs for the stored event, in the event's transaction. */
  stored: (event: InfusionEvent, trx: Tx) => Promise<void>;
}

export interface SessionServiceDeps {
  repo: SessionRepo;
  vitals: VitalsRepo;
  audit: AuditRepo;
  clock: Clock;
  hub: Hub;
  /** The site's current rule set (new sessions open under it). */
  ruleSet: () => RuleSet;
  /** The checklist, dose check, changed limits and clean-up at the steps of a session's life. */
  lifecycle: SessionLifecycleHooks;
  /** Finds or creates the patient a new session belongs to, in the session's transaction. */
  patients?: Pick<PatientService, 'forSession'>;
}

/** A session as storage holds it, read for a refresh (`fresh`: its live state if this node has none yet). */
export interface StoredRead {
  stored: StoredSession | null;
  events: InfusionEvent[];
  /** A new copy, for a session not live here when it was read (a live one is kept and updated). */
  fresh: LiveState | null;
}

const SEQ_WINDOW = 4096;
const newSessionId = () => 's_' + randomBytes(8).toString('base64url');

export class SessionService {
  private readonly live = new Map<string, LiveState>();
  /** When recently ended sessions ended (this node's ends, and sessions read back): a sync refusal can say when. */
  private readonly endedAt = new Map<string, number | null>();
  /** Per session (and one for creation): the change running now, which the next one waits for. */
  private readonly turns = new Map<string, Promise<void>>();

  private readonly repo: SessionRepo;
  private readonly vitals: VitalsRepo;
  private readonly audit: AuditRepo;
  private readonly clock: Clock;
  private readonly hub: Hub;
  private readonly ruleSet: () => RuleSet;
  private readonly lifecycle: SessionLifecycleHooks;
  private readonly patients: SessionServiceDeps['patients'];

  constructor(deps: SessionServiceDeps) {
    this.patients = deps.patients;
    this.repo = deps.repo;
    this.vitals = deps.vitals;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.hub = deps.hub;
    this.ruleSet = deps.ruleSet;
    this.lifecycle = deps.lifecycle;
  }

  /** The weight every per-kg dose of the session is figured on. */
  dosing(s: StoredSession): DosingWeight {
    return sessionDosingWeight(s, this.lifecycle.dosingRuleOf(s));
  }

  private describeLimits(s: StoredSession): string[] {
    return this.lifecycle.describeLimits(s);
  }

  /**
   * Runs `fn` after every earlier change of the same key (a session id): storage is async, so without
   * this two requests could both pass a check (infusion running? label free?) before either writes.
   */
  private inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.turns.get(key) ?? Promise.resolve()).then(fn);
    const done = run.then(
      () => {},
      () => {},
    );
    this.turns.set(key, done);
    void done.then(() => {
      if (this.turns.get(key) === done) this.turns.delete(key);
    });
    return run;
  }

  private noteEnded(id: string, at: number | null): void {
    this.endedAt.delete(id);
    this.endedAt.set(id, at);
    // Bounded: only a message depends on it (the oldest entries go first).
    if (this.endedAt.size > 1000) this.endedAt.delete(this.endedAt.keys().next().value!);
  }

  /** Patient-specific limits: validated by the caller against the rule set, audited, always shown. */
  setLimitOverrides(id: string, overrides: LimitOverrides | null, actor: Actor): Promise<Session> {
    return this.inTurn(id, async () => {
      const l = await this.requireActive(id);
      const before = l.stored.limitOverrides;
      await this.repo.setOverrides(id, overrides);
      l.stored = { ...l.stored, limitOverrides: overrides };
      await this.audit.record({ at: this.clock.now(), actor: actor.id, action: overrides ? 'limits.override' : 'limits.reset', entity: 'session', entityId: id, before, after: overrides, requestId: actor.requestId ?? null });
      const v = this.view(l);
      this.hub.emit('session', v);
      return v;
    });
  }

  /** The vitals measured before `to`: the mean of each baseline field over the frames since the session opened. */
  measuredBaseline(id: string, from: number, to: number): Promise<StoredSession['baseline']> {
    return this.baselineBefore(id, from, to);
  }

  private async baselineBefore(id: string, from: number, to: number): Promise<StoredSession['baseline']> {
    const samples = await this.vitals.window(id, from - 3_600_000, to, 10_000);
    if (samples.length === 0) return null;
    const out: NonNullable<StoredSession['baseline']> = {};
    for (const f of BASELINE_FIELDS) {
      const xs = samples.map((x) => x[f]).filter((v): v is number => typeof v === 'number');
      if (xs.length) out[f] = Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10;
    }
    return out;
  }

  /** Rebuild active sessions after a restart: infusion from its events, seq window and latest values from vitals. */
  async restore(): Promise<number> {
    const active = await this.repo.listActive();
    const restored = await Promise.all(active.map((stored) => this.liveFrom(stored)));
    for (const l of restored) this.live.set(l.stored.id, l);
    return this.live.size;
  }

  private async liveFrom(stored: StoredSession, knownEvents?: InfusionEvent[]): Promise<LiveState> {
    const [latestRows, events] = await Promise.all([this.vitals.latest(stored.id, 1), knownEvents ?? this.repo.events(stored.id)]);
    const latest = latestRows[0] ?? null;
    return {
      stored,
      infusion: replayInfusion(this.dosing(stored).kg, events),
      engine: initialEngineState(),
      lastEvalT: latest?.t ?? 0,
      latest,
      seqs: new DeviceSeqs(SEQ_WINDOW, (deviceId, n) => this.vitals.recentFrames(stored.id, deviceId, n)),
      audioPausedUntil: null,
    };
  }

  /**
   * Another node changed a session (several nodes share the database): this node's copy is read again
   * from storage, adopted when new, dropped when ended. An audio pause lives in memory: it comes with the event.
   */
  refresh(id: string, audioPausedUntil?: number | null): Promise<LiveSession | undefined> {
    return this.inTurn(id, async () => this.applyStored(id, await this.readStored(id), audioPausedUntil));
  }

  /**
   * A refresh in two steps, for a takeover that reads everything it needs first and then switches in
   * one turn: `readStored` changes nothing; `applyStored` adopts what it read.
   */
  async readStored(id: string): Promise<StoredRead> {
    return (await this.readStoredAll([id])).get(id)!;
  }

  /**
   * `readStored` for many sessions (a takeover): the sessions and their infusion events in one
   * statement each, not two per session. Every asked id has an entry.
   */
  async readStoredAll(ids: readonly string[]): Promise<Map<string, StoredRead>> {
    const [stored, events] = await Promise.all([this.repo.getMany(ids), this.repo.eventsOf(ids)]);
    const reads = await Promise.all(
      ids.map(async (id): Promise<[string, StoredRead]> => {
        const s = stored.get(id) ?? null;
        if (!s || s.status === 'ended') return [id, { stored: s, events: [], fresh: null }];
        const ev = events.get(id) ?? [];
        // Every node follows every active session, so a takeover mostly finds it live here: no new copy to read.
        return [id, { stored: s, events: ev, fresh: this.live.has(id) ? null : await this.liveFrom(s, ev) }];
      }),
    );
    return new Map(reads);
  }

  applyStored(id: string, read: StoredRead, audioPausedUntil?: number | null): LiveSession | undefined {
    const { stored } = read;
    const n = this.live.get(id) ?? read.fresh;
    if (!stored || stored.status === 'ended' || !n) {
      if (stored) this.noteEnded(id, stored.endedAt);
      if (this.live.delete(id)) this.lifecycle.ended(id);
      return undefined;
    }
    n.stored = stored;
    n.infusion = replayInfusion(this.dosing(stored).kg, read.events);
    if (audioPausedUntil !== undefined) n.audioPausedUntil = audioPausedUntil;
    this.live.set(id, n);
    return n;
  }

  getLive(id: string): LiveSession | undefined {
    return this.live.get(id);
  }

  /** The rules evaluated the session at event time `t`: their new engine state (the evaluation clock never runs backwards). */
  recordEvaluation(l: LiveSession, engine: EngineState, t: number): void {
    const st = this.live.get(l.stored.id);
    if (!st) return;
    st.engine = engine;
    if (t > st.lastEvalT) st.lastEvalT = t;
  }

  /** The rules restarted the engine (after a restart, or onto a device clock behind the server's): state and clock as given. */
  resetEngine(l: LiveSession, engine: EngineState, evalT?: number): void {
    const st = this.live.get(l.stored.id);
    if (!st) return;
    st.engine = engine;
    if (evalT !== undefined) st.lastEvalT = evalT;
  }

  /** A frame was committed (or judged while storage fails): the latest values shown, newest event time wins. */
  noteFrame(sessionId: string, sample: VitalsSample): void {
    const st = this.live.get(sessionId);
    if (st && sample.t >= (st.latest?.t ?? 0)) st.latest = { ...(st.latest ?? {}), ...sample };
  }

  /** A device's frame seq is taken (before its write is queued), so a resend is told apart. */
  takeSeq(sessionId: string, deviceId: number, seq: number, key: string): void {
    this.live.get(sessionId)?.seqs.peek(deviceId)?.add(seq, key);
  }

  /** The frame's write committed: the database holds what it said, the window keeps only that its seq is taken. */
  commitSeq(sessionId: string, deviceId: number, seq: number): void {
    this.live.get(sessionId)?.seqs.peek(deviceId)?.commit(seq);
  }

  /** The frame's write failed: its seq is free again for the device's resend. */
  releaseSeq(sessionId: string, deviceId: number, seq: number): void {
    this.live.get(sessionId)?.seqs.peek(deviceId)?.forget(seq);
  }

  liveSessions(): IterableIterator<LiveSession> {
    return this.live.values();
  }

  view(l: Pick<LiveSession, 'stored' | 'infusion'> & { audioPausedUntil?: number | null; alarmAudioPauses?: Map<number, number> }): Session {
    const now = this.clock.now();
    const paused = l.audioPausedUntil && l.audioPausedUntil > now ? l.audioPausedUntil : null;
    const alarmAudioPauses = [...(l.alarmAudioPauses ?? [])].filter(([, until]) => until > now).map(([alarmId, until]) => ({ alarmId, until }));
    return {
      ...l.stored,
      infusion: l.stored.status === 'active' ? doseAt(l.infusion, this.dosing(l.stored).kg, now) : l.infusion,
      dosingWeight: this.dosing(l.stored),
      audioPausedUntil: paused,
      alarmAudioPauses,
      limitsChanged: this.describeLimits(l.stored),
    };
  }

  /** Pauses the session's alarm audio for the fixed, disclosed duration. */
  async pauseAudio(id: string, durationMs: number, actor: Actor): Promise<Session> {
    const l = this.requireLive(id);
    const now = this.clock.now();
    // Audited first: a pause that cannot be recorded (storage failing) is refused, never silently in effect.
    await this.audit.record({ at: now, actor: actor.id, action: 'alarm.audio_pause', entity: 'session', entityId: id, after: { until: now + durationMs }, requestId: actor.requestId ?? null });
    l.audioPausedUntil = now + durationMs;
    const v = this.view(l);
    this.hub.emit('session', v);
    return v;
  }

  /**
   * Pauses the sound of one alarm of the session (the caller checked that it is the session's and not
   * resolved) for the fixed, disclosed duration; the session's other alarms still sound. Audited first.
   */
  async pauseAlarmAudio(id: string, alarmId: number, durationMs: number, actor: Actor): Promise<Session> {
    const l = this.requireLive(id);
    const now = this.clock.now();
    await this.audit.record({ at: now, actor: actor.id, action: 'alarm.audio_pause', entity: 'alarm', entityId: String(alarmId), after: { sessionId: id, until: now + durationMs }, requestId: actor.requestId ?? null });
    const held = l.alarmAudioPauses ?? new Map<number, number>();
    for (const [a, until] of held) if (until <= now) held.delete(a);
    held.set(alarmId, now + durationMs);
    l.alarmAudioPauses = held;
    const v = this.view(l);
    this.hub.emit('session', v);
    return v;
  }

  /** An alarm that resolved needs no pause any more (a later alarm of the same rule is a new alarm and sounds). */
  dropAlarmAudioPause(id: string, alarmId: number): void {
    const l = this.live.get(id);
    if (!l?.alarmAudioPauses?.delete(alarmId)) return;
    this.hub.emit('session', this.view(l));
  }

  /** A new high-priority alarm ends an audio pause: it must be heard. */
  endAudioPause(id: string): void {
    const l = this.live.get(id);
    if (!l?.audioPausedUntil) return;
    l.audioPausedUntil = null;
    this.hub.emit('session', this.view(l));
  }

  /**
   * Opens a session. `within` writes what belongs to the creation (its device assignments) in the same
   * transaction, so the session, its audit entry and those commit together or not at all: a creation
   * that fails (503) has stored nothing, and a client's retry cannot meet its own session (409).
   */
  create(input: unknown, actor: Actor, within?: (trx: Tx, session: StoredSession) => Promise<void>): Promise<Session> {
    // One creation at a time: the label check and the insert are not interleaved with another's.
    return this.inTurn('\u0000create', () => this.createNow(input, actor, within));
  }

  private async createNow(input: unknown, actor: Actor, within?: (trx: Tx, session: StoredSession) => Promise<void>): Promise<Session> {
    const parsed = sessionCreateSchema.safeParse(input);
    if (!parsed.success) throw badRequest('invalid session', fieldErrors(parsed.error));
    this.refuseDuplicateLabels(parsed.data);
    const rs = this.ruleSet();
    // Device assignments are made by the caller (they need the user's rights over each device).
    const { patientRef, patientId, profile, heightCm, sex, deviceIds: _devices, ...rest } = parsed.data;
    let stored: StoredSession = {
      ...rest,
      heightCm: heightCm ?? null,
      sex: sex ?? null,
      patientRef: patientRef ?? null,
      patientId: null,
      // Institutional default: 65 and older run on the tighter elderly/comorbid limits (guideline Q6).
      profile: profile ?? (rest.ageYears >= 65 ? 'elderly_comorbid' : 'standard'),
      baseline: null,
      limitOverrides: null,
      id: newSessionId(),
      status: 'active',
      phase: 'pre_infusion',
      phaseSince: 0,
      createdAt: this.clock.now(),
      endedAt: null,
      ruleSetId: rs.id,
      ruleSetVersion: rs.version,
    };
    stored.phaseSince = stored.createdAt;
    // The session, its patient (found or created, the admission weight added to its history), its audit
    // entry and what the caller adds commit together.
    const admit = (base: StoredSession) =>
      this.repo.transaction(async (trx) => {
        const patient = this.patients ? await this.patients.forSession({ patientId, patientRef, ageYears: rest.ageYears, sex, weightKg: rest.weightKg, heightCm, simulated: rest.simulated }, actor, trx) : null;
        // patientRef is the site patient id a monitor's HL7 PID-3 is checked against: none for an id made up here.
        const withPatient = patient ? { ...base, patientId: patient.id, patientRef: patient.generated ? null : patient.sitePatientId } : base;
        await this.repo.insert(withPatient, actor.id, trx);
        await insertAudit(trx, { at: withPatient.createdAt, actor: actor.id, action: 'session.create', entity: 'session', entityId: withPatient.id, after: withPatient, requestId: actor.requestId ?? null });
        if (within) await within(trx, withPatient);
        return withPatient;
      });
    // Two sessions admitting the same new site patient id at once: the second's patient insert meets the
    // unique index. Run once more: the patient the first one created is then found and shared.
    const first = stored;
    stored = await admit(first).catch((err: unknown) => {
      if (patientRef !== undefined && patientId === undefined && isKeyViolation(err)) return admit(first);
      throw err;
    });
    const l: LiveSession = {
      stored,
      infusion: initialInfusion(),
      engine: initialEngineState(),
      lastEvalT: 0,
      latest: null,
      seqs: new DeviceSeqs(SEQ_WINDOW),
      audioPausedUntil: null,
    };
    this.live.set(stored.id, l);
    const v = this.view(l);
    this.hub.emit('session', v);
    return v;
  }

  /**
   * A session is identified on every screen by its chair and patient label: two active sessions of
   * one unit may share neither, or a banner line would no longer name one patient (409 naming the field).
   */
  private refuseDuplicateLabels(s: { unit: string; location: string; patientLabel: string }): void {
    const same = (a: string, b: string) => a.replace(/\s+/g, ' ').toLowerCase() === b.replace(/\s+/g, ' ').toLowerCase();
    const fields: { field: string; reason: string }[] = [];
    for (const { stored: o } of this.live.values()) {
      if (o.unit !== s.unit) continue;
      if (same(o.location, s.location) && !fields.some((f) => f.field === 'location')) fields.push({ field: 'location', reason: `${o.location} already has an active session in this unit` });
      if (same(o.patientLabel, s.patientLabel) && !fields.some((f) => f.field === 'patientLabel')) fields.push({ field: 'patientLabel', reason: `${o.patientLabel} is already the label of an active session in this unit` });
    }
    if (fields.length) throw new DomainError(409, `duplicate ${fields.map((f) => f.field).join(' and ')}: ${fields.map((f) => f.reason).join('; ')}`, fields);
  }

  /** A session, live or from storage (ended, or opened on another node and not yet seen here). */
  async get(id: string): Promise<Session> {
    const l = this.live.get(id);
    if (l) return this.view(l);
    const [stored, events] = await Promise.all([this.repo.get(id), this.repo.events(id)]);
    if (!stored) throw notFound(`session ${id}`);
    if (stored.status === 'ended') this.noteEnded(id, stored.endedAt);
    const dosing = this.dosing(stored);
    return { ...stored, infusion: replayInfusion(dosing.kg, events), dosingWeight: dosing, audioPausedUntil: null, limitsChanged: this.describeLimits(stored) };
  }

  listActive(): Session[] {
    return [...this.live.values()].map((l) => this.view(l));
  }

  async events(id: string): Promise<InfusionEvent[]> {
    if (!this.live.has(id) && !(await this.repo.get(id))) throw notFound(`session ${id}`);
    return this.repo.events(id);
  }

  /**
   * The stored session if it is active here, from memory (callers have found the session first, e.g.
   * `get`); 409 with the reason otherwise.
   */
  requireActiveSession(id: string): StoredSession {
    return this.requireLive(id).stored;
  }

  private requireLive(id: string): LiveState {
    const l = this.live.get(id);
    if (l) return l;
    const at = this.endedAt.get(id);
    throw conflict(at === undefined ? `session ${id} is not active` : `session ${id} ended at ${new Date(at ?? 0).toISOString()}`);
  }

  private async requireActive(id: string): Promise<LiveState> {
    const l = this.live.get(id);
    if (l) return l;
    const stored = await this.repo.get(id);
    // Ended or started meanwhile (another node): as of now, not active here.
    const again = this.live.get(id);
    if (again) return again;
    if (!stored) throw notFound(`session ${id}`);
    this.noteEnded(id, stored.endedAt);
    throw conflict(`session ${id} ended at ${new Date(stored.endedAt ?? 0).toISOString()}`);
  }

  /** Documents an infusion event (after the checklist and the dose check); one change of a session at a time. */
  addInfusionEvent(id: string, input: unknown, actor: Actor): Promise<{ session: Session; event: InfusionEvent }> {
    return this.inTurn(id, () => this.addInfusionEventNow(id, input, actor));
  }

  private async addInfusionEventNow(id: string, input: unknown, actor: Actor): Promise<{ session: Session; event: InfusionEvent }> {
    const l = await this.requireActive(id);
    const parsed = infusionEventInputSchema.safeParse(input);
    if (!parsed.success) throw badRequest('invalid infusion event', fieldErrors(parsed.error));
    const ev = parsed.data;
    const now = this.clock.now();
    const t = ev.t ?? now;
    if (t > now + 60_000) throw badRequest('invalid infusion event', [{ field: 't', reason: 'more than 60 s in the future' }]);
    if (l.infusion.asOf && t < l.infusion.asOf)
      throw badRequest('invalid infusion event', [{ field: 't', reason: 'earlier than the previous infusion event' }]);
    const err = transitionError(l.infusion.status, ev.type);
    if (err) throw new DomainError(409, err);
    if (ev.type === 'start' && l.infusion.status === 'not_started') {
      const blockers = await this.lifecycle.startBlockers(id);
      if (blockers.length) throw new DomainError(409, `cannot start: ${blockers.length} pre-infusion checklist item(s) not met`, blockers.map((b) => ({ field: 'checklist', reason: b })));
    }
    // Limits before the dose: nothing below runs for a refused or unconfirmed action.
    const clearance = ev.type === 'start' || ev.type === 'rate_change' || ev.type === 'bolus' ? await this.lifecycle.doseGate(l, ev, t, actor) : null;
    // The baseline is what the patient looked like before the drug: the mean of the vitals received before the start.
    const baseline = ev.type === 'start' && l.infusion.status === 'not_started' ? { value: await this.baselineBefore(id, l.stored.createdAt, t) } : null;
    const before = l.infusion;
    // Starting (or starting again from recovery) is the infusion phase; stopping starts recovery.
    const phase = phaseAfter(l.stored.phase, ev.type);
    const withBaseline = baseline ? { ...l.stored, baseline: baseline.value } : l.stored;
    const stored = phase !== l.stored.phase ? { ...withBaseline, phase, phaseSince: t } : withBaseline;
    // A first start's baseline, the event, the phase it moves to and their audit entries commit together.
    const { event, infusion } = await this.repo.transaction(async (trx) => {
      if (baseline) await this.repo.setBaseline(id, baseline.value, trx);
      if (phase !== l.stored.phase) {
        await this.repo.setPhase({ sessionId: id, phase, at: t, by: actor.id, reason: null }, l.stored.simulated, trx);
        await insertAudit(trx, { at: now, actor: actor.id, action: 'session.phase', entity: 'session', entityId: id, before: { phase: l.stored.phase }, after: { phase, at: t, by: `infusion.${ev.type}` }, requestId: actor.requestId ?? null });
      }
      const event = await this.repo.insertEvent(
        {
          sessionId: id,
          type: ev.type,
          t,
          rateMgKgH: 'rateMgKgH' in ev ? ev.rateMgKgH : null,
          doseMg: 'doseMg' in ev ? ev.doseMg : null,
          note: ev.note ?? null,
          by: actor.id,
          override: clearance?.override ?? null,
        },
        l.stored.simulated,
        trx,
      );
      const infusion = applyInfusionEvent(before, this.dosing(stored).kg, event);
      const after = event.override ? { ...infusion, override: event.override } : infusion;
      await insertAudit(trx, { at: now, actor: actor.id, action: `infusion.${ev.type}`, entity: 'session', entityId: id, before, after, requestId: actor.requestId ?? null });
      if (clearance) await clearance.stored(event, trx);
      return { event, infusion };
    });
    l.stored = stored;
    l.infusion = infusion;
    const session = this.view(l);
    this.hub.emit('infusionEvent', event);
    this.hub.emit('session', session);
    return { session, event };
  }

  /**
   * Ends a session other than by discharge: ended early or transferred, with the reason (audited). Never
   * while the infusion runs or is paused: stopping it starts recovery, where rules and schedules go on.
   */
  end(id: string, input: unknown, actor: Actor): Promise<Session> {
    const p = sessionEndSchema.safeParse(input ?? {});
    if (!p.success) throw badRequest('invalid end', fieldErrors(p.error));
    const { outcome, reason } = p.data;
    return this.close(id, { phase: outcome, reason }, actor, 'session.end');
  }

  /**
   * Ends a session whose source went away (a demo restart, a training run's end): a running or paused
   * infusion is stopped first (a session never ends mid-infusion), then the session ends early with the reason.
   */
  async stopAndEnd(id: string, reason: string, actor: Actor): Promise<Session> {
    const status = this.getLive(id)?.infusion.status;
    if (status === 'running' || status === 'paused') await this.addInfusionEvent(id, { type: 'stop', note: reason }, actor);
    return this.end(id, { outcome: 'ended_early', reason }, actor);
  }

  /**
   * Discharges a session from recovery (the caller assessed the criteria, or a physician overrode them):
   * `write` stores the discharge record in the same transaction as the end and its audit entry.
   */
  discharge(id: string, reason: string | null, actor: Actor, write: (trx: Tx, l: LiveSession) => Promise<void>): Promise<Session> {
    return this.close(id, { phase: 'discharged', reason }, actor, 'session.discharge', (l) => {
      if (l.stored.phase !== 'recovery') throw new DomainError(409, `cannot discharge: the session is in ${PHASE_LABELS[l.stored.phase].toLowerCase()}, not recovery (stop the infusion first)`);
    }, write);
  }

  /** The phase a session is in now, from memory (the discharge check reads it before assessing). */
  phaseOf(id: string): { phase: SessionPhase; since: number } {
    const s = this.requireLive(id).stored;
    return { phase: s.phase, since: s.phaseSince };
  }

  async phases(id: string): Promise<PhaseChange[]> {
    return this.repo.phases(id);
  }

  private close(
    id: string,
    to: { phase: 'discharged' | 'transferred' | 'ended_early'; reason: string | null },
    actor: Actor,
    action: string,
    check?: (l: LiveState) => void,
    write?: (trx: Tx, l: LiveSession) => Promise<void>,
  ): Promise<Session> {
    return this.inTurn(id, async () => {
      const l = await this.requireActive(id);
      const st = l.infusion.status;
      if (st === 'running' || st === 'paused')
        throw new DomainError(409, `cannot end the session while the infusion is ${st} (phase: infusion): stop the infusion first, which starts recovery`, [{ field: 'phase', reason: `infusion ${st}` }]);
      check?.(l);
      const now = this.clock.now();
      const from = l.stored.phase;
      await this.repo.transaction(async (trx) => {
        if (!(await this.repo.end(id, now, trx))) throw conflict(`session ${id} is not active`);
        await this.repo.setPhase({ sessionId: id, phase: to.phase, at: now, by: actor.id, reason: to.reason }, l.stored.simulated, trx);
        if (write) await write(trx, l);
        await insertAudit(trx, { at: now, actor: actor.id, action, entity: 'session', entityId: id, before: { phase: from }, after: { phase: to.phase, reason: to.reason }, requestId: actor.requestId ?? null });
      });
      l.stored = { ...l.stored, status: 'ended', endedAt: now, phase: to.phase, phaseSince: now };
      this.live.delete(id);
      this.noteEnded(id, now);
      this.lifecycle.ended(id);
      const session = this.view(l);
      this.hub.emit('session', session);
      return session;
    });
  }
}

/** The phase an infusion event leads to: a start is the infusion; a stop starts recovery. */
export function phaseAfter(phase: SessionPhase, type: InfusionEvent['type']): SessionPhase {
  if (type === 'start') return 'infusion';
  if (type === 'stop') return 'recovery';
  return phase;
}
