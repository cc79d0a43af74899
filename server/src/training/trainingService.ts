import {
  ALL_UNITS,
  scenarioEventSchema,
  scenarioMsAt,
  scenarioMsOfWall,
  wallOfScenarioMs,
  fieldErrors,
  isScenarioActor,
  simDrugOfFormularyId,
  trainingInjectSchema,
  trainingRunCreateSchema,
  trainingSpeedSchema,
  type InfusionEvent,
  type Observation,
  type PublicUser,
  type RescueDose,
  type Scenario,
  type ScenarioClock,
  type ScenarioEvent,
  type TrainingAction,
  type TrainingAssessment,
  type TrainingRun,
  type TrainingRunEvent,
  type Role,
  type TrainingScenarioSummary,
  type TrainingTraineeOption,
  type TrainingSpeed,
  type TrainingState,
} from '@infusion/shared';
import { randomUUID } from 'node:crypto';
import type { DeviceAssignments } from '../ingest/deviceAssignments';
import { insertAudit } from '../persistence/auditRepo';
import type { Selectable } from 'kysely';
import type { Tx } from '../persistence/store';
import type { TrainingRunEventsTable, TrainingRunsTable } from '../persistence/schema';
import type { Store } from '../persistence/store';
import type { Actor, SessionService } from '../sessions/sessionService';
import type { SessionTime } from '../sessions/sessionTime';
import type { Clock } from '../util/clock';
import { badRequest, conflict, DomainError, notFound } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';

/** A run as read here: its scenario document (the debrief's) stays in storage. */
type RunRow = Omit<Selectable<TrainingRunsTable>, 'scenario_doc'>;
const RUN_COLUMNS = ['id', 'unit', 'trainer', 'trainee', 'scenario', 'scenario_title', 'seed', 'session_id', 'device_id', 'weight_kg', 'state', 'speed', 'clock_scenario_ms', 'clock_wall_at', 'created_at', 'updated_at', 'ended_at', 'scripted_nurse'] as const satisfies readonly (keyof RunRow)[];
type EventRow = Selectable<TrainingRunEventsTable>;

/** The scenarios a connected training host offers (its device id → catalogue). */
export interface HostOffer {
  deviceId: number;
  scenarios: TrainingScenarioSummary[];
  /** The full documents (validated) by name: a run stores its own at creation. */
  documents: ReadonlyMap<string, Scenario>;
}

/** Which state changes are allowed from which state. */
const NEXT: Record<'start' | 'pause' | 'resume' | 'end', { from: TrainingState[]; to: TrainingState }> = {
  start: { from: ['created'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  end: { from: ['created', 'running', 'paused'], to: 'ended' },
};
export type TrainingTransition = keyof typeof NEXT;

const forbidden = (why: string) => new DomainError(403, why);

/**
 * Training runs: a trainer runs a scenario for a trainee in a training unit. The run and its timeline
 * (injected events, trainee actions, each at its scenario time) are stored with their audit entries;
 * the training host that simulates the run is told of every change and re-simulates from them after
 * any restart. Runs not ended are kept in memory (a handful at a time).
 */
export class TrainingService {
  private readonly live = new Map<string, TrainingRun>();
  private readonly bySession = new Map<string, string>();
  /** Every change of each live run's scenario clock, oldest first (what its session is judged on). */
  private readonly clocks = new Map<string, ScenarioClock[]>();
  private readonly hosts = new Map<number, HostOffer>();
  /** Changes of one run happen one after another (a clock re-based on a stale clock would jump). */
  private readonly turns = new Map<string, Promise<unknown>>();
  /** Called after every committed change of a run (host namespace, dashboards), this node's or another's (`follow`). */
  readonly changed: ((run: TrainingRun) => void)[] = [];
  /** Several nodes (trainingAcrossNodes.ts): told of this node's changes and hosts; asked for the other nodes' hosts. */
  changedHere: (run: TrainingRun) => void = () => {};
  hostsChanged: () => void = () => {};
  hostsElsewhere: () => HostOffer[] = () => [];
  /** Called once a run has ended and its session with it (the debrief's score is kept then). */
  readonly ended: ((run: TrainingRun) => Promise<void>)[] = [];
  /** What the virtual assessor of the run's patient scores now (its training host answers); null: no answer. */
  assessor: (run: TrainingRun, scale: Observation['scale']) => Promise<number | null> = () => Promise.resolve(null);

  constructor(
    private readonly d: {
      store: Store;
      sessions: SessionService;
      assignments: DeviceAssignments;
      clock: Clock;
      hub: Hub;
      log: Logger;
      isTrainingUnit: (unit: string) => boolean;
    },
  ) {
    // The trainee's actions reach the simulated patient: the same events the dashboards receive.
    d.hub.on('infusionEvent', (e) => this.onInfusionEvent(e));
    d.hub.on('rescueDose', (r) => this.onRescueDose(r));
    d.hub.on('observation', (o) => this.onObservation(o));
    d.hub.on('session', (s) => {
      // A training session ended elsewhere (its page, the API) ends its run.
      if (s.status === 'ended' && this.bySession.has(s.id)) this.endForSession(s.id);
    });
  }

  /** Reads the runs not ended (start-up). */
  async restore(): Promise<number> {
    const rows = await this.d.store.db.selectFrom('training_runs').select(RUN_COLUMNS).where('state', '!=', 'ended').execute();
    for (const r of rows) {
      await this.loadClocks(r.id, r);
      this.keep(await this.read(r));
    }
    return rows.length;
  }

  /**
   * The time a run's session is judged on: its scenario clock (from the run's creation), so a rule's
   * delay, an observation falling due, no data, the dose over time and escalation all run at the
   * run's speed and stand still while it is paused. Null for any other session (wall time).
   */
  timeOf(sessionId: string): SessionTime | null {
    const id = this.bySession.get(sessionId);
    const run = id ? this.live.get(id) : undefined;
    const history = id ? this.clocks.get(id) : undefined;
    if (!run || !history?.length) return null;
    const epoch = run.createdAt;
    return { at: (wall) => epoch + scenarioMsOfWall(history, wall), wallOf: (t) => wallOfScenarioMs(history, t - epoch) };
  }

  /**
   * The run's clock history as stored (every change, oldest first); a run stored before the history
   * was kept has its last clock as the one change known.
   */
  private async loadClocks(id: string, r: Pick<RunRow, 'clock_scenario_ms' | 'clock_wall_at' | 'speed' | 'state'>): Promise<void> {
    const changes = await this.d.store.db.selectFrom('training_run_clocks').selectAll().where('run_id', '=', id).orderBy('id').execute();
    this.clocks.set(
      id,
      changes.length
        ? changes.map((c) => ({ scenarioMs: c.scenario_ms, wallAt: c.wall_at, speed: c.speed, running: c.running === 1 }))
        : [{ scenarioMs: r.clock_scenario_ms, wallAt: r.clock_wall_at, speed: r.speed, running: r.state === 'running' }],
    );
  }

  /** Is this session a training run's, and whose (trainee username)? */
  traineeOf(sessionId: string): string | null {
    const id = this.bySession.get(sessionId);
    return id ? (this.live.get(id)?.trainee ?? null) : null;
  }

  /** The trainee of a session's run, ended or not (null: not a training run's session). */
  async traineeOfStored(sessionId: string): Promise<string | null> {
    const live = this.traineeOf(sessionId);
    if (live) return live;
    const r = await this.d.store.db.selectFrom('training_runs').select('trainee').where('session_id', '=', sessionId).executeTakeFirst();
    return r?.trainee ?? null;
  }

  /** Session ids of the runs (not ended) this user is the trainee of. */
  sessionsOfTrainee(username: string): string[] {
    return [...this.live.values()].filter((r) => r.trainee === username).map((r) => r.sessionId);
  }

  /** The runs a host device simulates (not ended). */
  runsOfDevice(deviceId: number): TrainingRun[] {
    return [...this.live.values()].filter((r) => r.deviceId === deviceId);
  }

  /** The runs of one host device go to another (the demo's host gets a fresh key each start); audited. */
  async moveRuns(from: number, to: number, actor: Actor): Promise<number> {
    const runs = this.runsOfDevice(from);
    for (const run of runs) {
      await this.d.assignments.assign(to, { id: run.sessionId, simulated: true }, null, actor, () => true);
      const now = this.d.clock.now();
      await this.d.store.transaction(async (trx) => {
        await trx.updateTable('training_runs').set({ device_id: to, updated_at: now }).where('id', '=', run.id).execute();
        await insertAudit(trx, { at: now, actor: actor.id, action: 'training.move_host', entity: 'training_run', entityId: run.id, before: { deviceId: from }, after: { deviceId: to }, requestId: null });
      });
      this.keep({ ...run, deviceId: to, updatedAt: now });
    }
    return runs.length;
  }

  hostConnected(deviceId: number, scenarios: TrainingScenarioSummary[], documents: readonly Scenario[] = []): void {
    this.hosts.set(deviceId, { deviceId, scenarios, documents: new Map(documents.map((d) => [d.name, d])) });
    this.hostsChanged();
  }

  hostDisconnected(deviceId: number): void {
    this.hosts.delete(deviceId);
    this.hostsChanged();
  }

  /** The training hosts connected to this node. */
  hostsHere(): HostOffer[] {
    return [...this.hosts.values()];
  }

  /** Another node changed a run: read it again from storage and tell this node's listeners (screens, hosts). */
  follow(id: string): Promise<void> {
    return this.inTurn(id, async () => {
      const run = await this.readById(id);
      if (!run) return;
      if (run.state === 'ended') this.forget(run);
      else {
        // The other node's clock changes too: this node may evaluate the run's session (its lease).
        await this.loadClocks(id, { clock_scenario_ms: run.clock.scenarioMs, clock_wall_at: run.clock.wallAt, speed: run.speed, state: run.state });
        this.keep(run);
      }
      this.notify(run);
    });
  }

  /** This node's hosts first, then the other nodes'. */
  private offers(): HostOffer[] {
    return [...this.hosts.values(), ...this.hostsElsewhere()];
  }

  /** Scenarios offered by the connected training hosts (the console's list). */
  scenarios(): TrainingScenarioSummary[] {
    const seen = new Map<string, TrainingScenarioSummary>();
    for (const h of this.offers()) for (const s of h.scenarios) if (!seen.has(s.name)) seen.set(s.name, s);
    return [...seen.values()];
  }

  /** Who may see a run: the trainers of its unit, and its trainee. */
  canSee(u: PublicUser, r: Pick<TrainingRun, 'unit' | 'trainee'>): boolean {
    if (u.role === 'trainer') return u.units.includes(ALL_UNITS) || u.units.includes(r.unit);
    return r.trainee === u.username;
  }

  async list(u: PublicUser): Promise<TrainingRun[]> {
    let q = this.d.store.db.selectFrom('training_runs').select(RUN_COLUMNS).orderBy('created_at', 'desc').limit(200);
    if (u.role !== 'trainer') q = q.where('trainee', '=', u.username);
    else if (!u.units.includes(ALL_UNITS)) q = q.where('unit', 'in', u.units.length ? u.units : ['\u0000']);
    const rows = await q.execute();
    return Promise.all(rows.map((r) => this.live.get(r.id) ?? this.read(r)));
  }

  async get(u: PublicUser, id: string): Promise<TrainingRun> {
    const run = this.live.get(id) ?? (await this.readById(id));
    // Runs of other units answer as if they did not exist.
    if (!run || !this.canSee(u, run)) throw notFound(`training run ${id}`);
    return run;
  }

  /**
   * The clinicians a trainer may make a run's trainee in one of their training units: the same test as
   * `create` applies (active, not an admin, assigned to the unit), so the console offers only names it accepts.
   */
  async trainees(u: PublicUser, unit: unknown): Promise<TrainingTraineeOption[]> {
    if (typeof unit !== 'string' || !unit) throw badRequest('unit required', [{ field: 'unit', reason: 'required: the training unit the run is for' }]);
    if (!this.d.isTrainingUnit(unit)) throw badRequest(`unit ${unit} is not a training unit`, [{ field: 'unit', reason: 'not a training unit (TRAINING_UNITS)' }]);
    if (!u.units.includes(ALL_UNITS) && !u.units.includes(unit)) throw forbidden(`not assigned to unit ${unit}`);
    const rows = await this.d.store.db.selectFrom('users').select(['username', 'display_name', 'role', 'units']).where('disabled', '=', 0).where('role', '!=', 'admin').orderBy('username').execute();
    return rows
      .filter((r) => {
        const units = JSON.parse(r.units) as string[];
        return units.includes(unit) || units.includes(ALL_UNITS);
      })
      .map((r) => ({ username: r.username, displayName: r.display_name, role: r.role as Role }));
  }

  async create(u: PublicUser, input: unknown, actor: Actor): Promise<TrainingRun> {
    const parsed = trainingRunCreateSchema.safeParse(input);
    if (!parsed.success) throw badRequest('invalid training run', fieldErrors(parsed.error));
    const p = parsed.data;
    if (!this.d.isTrainingUnit(p.unit)) throw badRequest(`unit ${p.unit} is not a training unit`, [{ field: 'unit', reason: 'not a training unit (TRAINING_UNITS)' }]);
    if (!u.units.includes(ALL_UNITS) && !u.units.includes(p.unit)) throw forbidden(`not assigned to unit ${p.unit}`);
    const trainee = await this.d.store.db.selectFrom('users').select(['username', 'role', 'units', 'disabled']).where('username', '=', p.trainee).executeTakeFirst();
    const traineeUnits = trainee ? (JSON.parse(trainee.units) as string[]) : [];
    if (!trainee || trainee.disabled || trainee.role === 'admin' || !(traineeUnits.includes(p.unit) || traineeUnits.includes(ALL_UNITS)))
      throw badRequest(`no active clinician ${p.trainee} in unit ${p.unit}`, [{ field: 'trainee', reason: 'not an active clinician of the training unit' }]);
    const host = this.offers().find((h) => h.scenarios.some((s) => s.name === p.scenario));
    const scenario = host?.scenarios.find((s) => s.name === p.scenario);
    if (!host || !scenario) throw conflict(`no training host connected offers scenario ${p.scenario}`);
    const id = randomUUID();
    const weightKg = p.weightKg ?? Math.round((scenario.weightKg[0] + scenario.weightKg[1]) / 2);
    const session = await this.d.sessions.create(
      {
        // Unique per run: two runs never show two tiles with one name.
        patientLabel: p.patientLabel ?? `TRN-${id.slice(0, 6).toUpperCase()}`,
        weightKg,
        ageYears: Math.round((scenario.ageYears[0] + scenario.ageYears[1]) / 2),
        setting: scenario.setting,
        indication: scenario.indication,
        supervisingPhysician: u.displayName,
        nurse: p.trainee,
        location: p.location ?? `Training ${id.slice(0, 6).toUpperCase()}`,
        unit: p.unit,
        simulated: true,
      },
      actor,
    );
    try {
      await this.d.assignments.assign(host.deviceId, session, null, actor, () => true);
    } catch (err) {
      await this.d.sessions.end(session.id, { outcome: 'ended_early', reason: 'training run not created: its device could not be bound' }, actor).catch(() => {});
      throw err;
    }
    const now = this.d.clock.now();
    const row: RunRow = {
      id,
      unit: p.unit,
      trainer: u.username,
      trainee: p.trainee,
      scenario: p.scenario,
      seed: p.seed,
      session_id: session.id,
      device_id: host.deviceId,
      weight_kg: weightKg,
      state: 'created',
      speed: 1,
      clock_scenario_ms: 0,
      clock_wall_at: now,
      created_at: now,
      updated_at: now,
      ended_at: null,
      scripted_nurse: p.scriptedNurse ? 1 : 0,
      scenario_title: scenario.title,
    };
    const doc = host.documents.get(p.scenario);
    await this.d.store.transaction(async (trx) => {
      await trx.insertInto('training_runs').values({ ...row, scenario_doc: doc ? JSON.stringify(doc) : null }).execute();
      await insertClock(trx, id, { scenarioMs: 0, wallAt: now, speed: 1, running: false });
      await insertAudit(trx, { at: now, actor: actor.id, action: 'training.create', entity: 'training_run', entityId: id, after: { scenario: p.scenario, seed: p.seed, trainee: p.trainee, unit: p.unit, sessionId: session.id, deviceId: host.deviceId }, requestId: actor.requestId ?? null });
    });
    const run = toRun(row, []);
    this.clocks.set(id, [run.clock]);
    this.keep(run);
    this.emit(run);
    return run;
  }

  async transition(u: PublicUser, id: string, what: TrainingTransition, actor: Actor): Promise<TrainingRun> {
    await this.owned(u, id);
    return this.inTurn(id, () => this.transitionNow(id, what, actor));
  }

  private async transitionNow(id: string, what: TrainingTransition, actor: Actor): Promise<TrainingRun> {
    const run = this.live.get(id);
    if (!run) throw conflict('training run is ended');
    const next = NEXT[what];
    if (!next.from.includes(run.state)) throw conflict(`training run is ${run.state}: cannot ${what}`);
    const updated = await this.update(run, { state: next.to }, actor, `training.${what}`);
    if (what === 'end') {
      await this.endSession(updated, actor);
      await this.afterEnd(updated);
    }
    return updated;
  }

  async setSpeed(u: PublicUser, id: string, body: unknown, actor: Actor): Promise<TrainingRun> {
    const parsed = trainingSpeedSchema.safeParse(body);
    if (!parsed.success) throw badRequest('speed must be 1, 10 or 60', fieldErrors(parsed.error));
    await this.owned(u, id);
    return this.inTurn(id, () => {
      const run = this.live.get(id);
      if (!run) throw conflict('training run is ended');
      return this.update(run, { speed: parsed.data.speed }, actor, 'training.speed');
    });
  }

  /** An event injected live: at the current scenario time unless a later `atMin` is given; validated by the scenario event schema. */
  async inject(u: PublicUser, id: string, body: unknown, actor: Actor): Promise<TrainingRun> {
    const outer = trainingInjectSchema.safeParse(body);
    if (!outer.success) throw badRequest('invalid injected event', fieldErrors(outer.error));
    await this.owned(u, id);
    return this.inTurn(id, () => this.injectNow(id, outer.data.event, actor));
  }

  private async injectNow(id: string, raw: Record<string, unknown>, actor: Actor): Promise<TrainingRun> {
    const run = this.live.get(id);
    if (!run) throw conflict('training run is ended');
    const nowMs = scenarioMsAt(run.clock, this.d.clock.now());
    const nowMin = Math.ceil(nowMs / 1000) / 60;
    const atMin = typeof raw.atMin === 'number' ? raw.atMin : nowMin;
    const ev = scenarioEventSchema.safeParse({ ...raw, atMin });
    if (!ev.success) throw badRequest('invalid injected event', fieldErrors(ev.error).map((f) => ({ ...f, field: `event.${f.field}` })));
    if (ev.data.atMin < nowMin - 1e-9) throw badRequest('an injected event cannot be in the scenario\'s past', [{ field: 'event.atMin', reason: `before the current scenario minute ${nowMin.toFixed(2)}` }]);
    return this.append(run, { kind: 'inject', event: ev.data }, ev.data.atMin * 60_000, actor.id, actor.requestId ?? null);
  }

  private onInfusionEvent(e: InfusionEvent): void {
    const action: TrainingAction = { type: 'infusion', event: { type: e.type, ...(e.rateMgKgH === null ? {} : { rateMgKgH: e.rateMgKgH }), ...(e.doseMg === null ? {} : { doseMg: e.doseMg }) } };
    this.onAction(e.sessionId, action, e.by);
  }

  private onRescueDose(r: RescueDose): void {
    const drug = simDrugOfFormularyId(r.drugId);
    if (drug) this.onAction(r.sessionId, { type: 'drug', drug, doseMg: r.doseMg }, r.by);
  }

  /** A trainee's action on a running (or paused) run, stamped with the scenario time it happened at. */
  private onAction(sessionId: string, action: TrainingAction, by: string): void {
    // What the scenario itself documented is already in the patient's scenario: never given twice.
    if (isScenarioActor(by)) return;
    const id = this.bySession.get(sessionId);
    const run = id ? this.live.get(id) : undefined;
    if (!run || run.state === 'ended') return;
    // Stamped now (when it happened), recorded in the run's turn.
    const at = scenarioMsAt(run.clock, this.d.clock.now());
    this.inTurn(run.id, () => this.append(this.live.get(run.id) ?? run, { kind: 'action', action }, at, by, null)).catch((err: unknown) => this.d.log.error({ err, runId: run.id }, 'training action could not be recorded'));
  }

  /**
   * The trainee scored the patient: the virtual assessor's score at that scenario time goes on the
   * run's timeline beside it (the debrief compares them). The patient model is not changed by it.
   */
  private onObservation(o: Observation): void {
    if (isScenarioActor(o.by)) return;
    const id = this.bySession.get(o.sessionId);
    const run = id ? this.live.get(id) : undefined;
    if (!run || run.state === 'ended') return;
    const at = scenarioMsAt(run.clock, this.d.clock.now());
    this.assessor(run, o.scale)
      .catch((err: unknown) => {
        this.d.log.warn({ err, runId: run.id }, 'virtual assessor did not answer');
        return null;
      })
      .then((assessorScore) => {
        const assessment: TrainingAssessment = { observationId: o.id, scale: o.scale, traineeScore: o.score, assessorScore };
        return this.inTurn(run.id, () => {
          const cur = this.live.get(run.id);
          return cur ? this.append(cur, { kind: 'assessment', assessment }, at, o.by, null) : Promise.resolve(null);
        });
      })
      .catch((err: unknown) => this.d.log.error({ err, runId: run.id }, 'training assessment could not be recorded'));
  }

  private async append(run: TrainingRun, body: { kind: 'inject'; event: ScenarioEvent } | { kind: 'action'; action: TrainingAction } | { kind: 'assessment'; assessment: TrainingAssessment }, scenarioMs: number, by: string, requestId: string | null): Promise<TrainingRun> {
    const now = this.d.clock.now();
    const json = JSON.stringify(body.kind === 'inject' ? body.event : body.kind === 'action' ? body.action : body.assessment);
    const ms = Math.round(scenarioMs);
    const inserted = await this.d.store.transaction(async (trx) => {
      const r = await trx.insertInto('training_run_events').values({ run_id: run.id, scenario_ms: ms, kind: body.kind, body: json, actor: by, at: now }).returning('id').executeTakeFirstOrThrow();
      await trx.updateTable('training_runs').set({ updated_at: now }).where('id', '=', run.id).execute();
      if (body.kind === 'inject') await insertAudit(trx, { at: now, actor: by, action: 'training.inject', entity: 'training_run', entityId: run.id, after: { scenarioMs: ms, event: body.event }, requestId });
      return r.id;
    });
    const cur = this.live.get(run.id) ?? run;
    const ev: TrainingRunEvent =
      body.kind === 'inject'
        ? { id: inserted, scenarioMs: ms, kind: 'inject', event: body.event, by, at: now }
        : body.kind === 'action'
          ? { id: inserted, scenarioMs: ms, kind: 'action', action: body.action, by, at: now }
          : { id: inserted, scenarioMs: ms, kind: 'assessment', assessment: body.assessment, by, at: now };
    const updated: TrainingRun = { ...cur, events: [...cur.events, ev], updatedAt: now };
    if (updated.state !== 'ended') this.keep(updated);
    this.emit(updated);
    return updated;
  }

  private async update(run: TrainingRun, change: { state?: TrainingState; speed?: TrainingSpeed }, actor: Actor, action: string): Promise<TrainingRun> {
    const now = this.d.clock.now();
    const state = change.state ?? run.state;
    const speed = change.speed ?? run.speed;
    // The clock is re-based at every change: scenario time so far, from now on at the new speed.
    const scenarioMs = run.state === 'created' ? 0 : Math.round(scenarioMsAt(run.clock, now));
    const set = { state, speed, clock_scenario_ms: scenarioMs, clock_wall_at: now, updated_at: now, ended_at: state === 'ended' ? now : null };
    const written = await this.d.store.transaction(async (trx) => {
      // Only over the state this change was judged on: another node may have changed it meanwhile.
      const r = await trx.updateTable('training_runs').set(set).where('id', '=', run.id).where('state', '=', run.state).where('speed', '=', run.speed).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await insertClock(trx, run.id, { scenarioMs, wallAt: now, speed, running: state === 'running' });
      await insertAudit(trx, { at: now, actor: actor.id, action, entity: 'training_run', entityId: run.id, before: { state: run.state, speed: run.speed }, after: { state, speed, scenarioMs }, requestId: actor.requestId ?? null });
      return true;
    });
    if (!written) throw await this.changedElsewhere(run.id);
    // Built on the run as it is now in memory: a trainee's action recorded meanwhile stays on its timeline.
    const cur = this.live.get(run.id) ?? run;
    const updated: TrainingRun = { ...cur, state, speed, clock: { scenarioMs, wallAt: now, speed, running: state === 'running' }, updatedAt: now, endedAt: set.ended_at };
    this.clocks.get(run.id)?.push(updated.clock);
    if (state === 'ended') this.forget(updated);
    else this.keep(updated);
    this.emit(updated);
    return updated;
  }

  /** A change refused because the stored run moved on: this node reads it again; the caller is told to reload. */
  private async changedElsewhere(id: string): Promise<DomainError> {
    const stored = await this.readById(id);
    if (stored) {
      if (stored.state === 'ended') this.forget(stored);
      else this.keep(stored);
      this.notify(stored);
    }
    return conflict(`training run ${id} was changed meanwhile on another node${stored ? ` (now ${stored.state}, x${stored.speed})` : ''}: reload it and try again`);
  }

  private endForSession(sessionId: string): void {
    const id = this.bySession.get(sessionId);
    if (!id) return;
    this.inTurn(id, async () => {
      const run = this.live.get(id);
      if (run) await this.afterEnd(await this.update(run, { state: 'ended' }, { id: 'system:session-end' }, 'training.end'));
    }).catch((err: unknown) => this.d.log.error({ err, runId: id }, 'training run of an ended session could not be ended'));
  }

  private async endSession(run: TrainingRun, actor: Actor): Promise<void> {
    if (!this.d.sessions.getLive(run.sessionId)) return;
    await this.d.sessions.stopAndEnd(run.sessionId, 'training run ended by the trainer', actor).catch((err: unknown) => this.d.log.warn({ err, runId: run.id }, 'session of an ended training run not ended'));
  }

  /** The end's listeners; one that fails is logged and never undoes the end. */
  private async afterEnd(run: TrainingRun): Promise<void> {
    for (const fn of this.ended) await fn(run).catch((err: unknown) => this.d.log.error({ err, runId: run.id }, 'training run end listener failed'));
  }

  /** A run the trainer may drive: of one of their units. */
  private async owned(u: PublicUser, id: string): Promise<TrainingRun> {
    const run = await this.get(u, id);
    if (u.role !== 'trainer') throw forbidden('only a trainer drives a training run');
    // A run another node created whose news has not arrived here yet.
    if (!this.live.has(id) && run.state !== 'ended') this.keep(run);
    return this.live.get(id) ?? run;
  }

  private inTurn<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.turns.get(id) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => {});
    this.turns.set(id, settled);
    void settled.then(() => {
      if (this.turns.get(id) === settled) this.turns.delete(id);
    });
    return next;
  }

  private keep(run: TrainingRun): void {
    this.live.set(run.id, run);
    this.bySession.set(run.sessionId, run.id);
  }

  private forget(run: TrainingRun): void {
    this.live.delete(run.id);
    this.clocks.delete(run.id);
    this.bySession.delete(run.sessionId);
  }

  private emit(run: TrainingRun): void {
    this.notify(run);
    this.changedHere(run);
  }

  private notify(run: TrainingRun): void {
    for (const fn of this.changed) {
      try {
        fn(run);
      } catch (err) {
        this.d.log.error({ err, runId: run.id }, 'training run listener failed');
      }
    }
  }

  private async readById(id: string): Promise<TrainingRun | null> {
    const r = await this.d.store.db.selectFrom('training_runs').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
    return r ? this.read(r) : null;
  }

  private async read(r: RunRow): Promise<TrainingRun> {
    const events = await this.d.store.db.selectFrom('training_run_events').selectAll().where('run_id', '=', r.id).orderBy('id').execute();
    return toRun(r, events);
  }
}

/** One clock of the run's history (training_run_clocks), with the change it belongs to. */
async function insertClock(trx: Tx, runId: string, c: ScenarioClock): Promise<void> {
  await trx.insertInto('training_run_clocks').values({ run_id: runId, wall_at: c.wallAt, scenario_ms: c.scenarioMs, speed: c.speed, running: c.running ? 1 : 0 }).execute();
}

function toEvent(e: EventRow): TrainingRunEvent {
  const body = JSON.parse(e.body) as unknown;
  if (e.kind === 'inject') return { id: e.id, scenarioMs: e.scenario_ms, kind: 'inject', event: body as ScenarioEvent, by: e.actor, at: e.at };
  if (e.kind === 'assessment') return { id: e.id, scenarioMs: e.scenario_ms, kind: 'assessment', assessment: body as TrainingAssessment, by: e.actor, at: e.at };
  return { id: e.id, scenarioMs: e.scenario_ms, kind: 'action', action: body as TrainingAction, by: e.actor, at: e.at };
}

function toRun(r: RunRow, events: EventRow[]): TrainingRun {
  const state = r.state as TrainingState;
  return {
    id: r.id,
    unit: r.unit,
    trainer: r.trainer,
    trainee: r.trainee,
    scenario: r.scenario,
    scenarioTitle: r.scenario_title ?? r.scenario,
    seed: r.seed,
    sessionId: r.session_id,
    deviceId: r.device_id,
    weightKg: r.weight_kg,
    state,
    speed: r.speed as TrainingSpeed,
    clock: { scenarioMs: r.clock_scenario_ms, wallAt: r.clock_wall_at, speed: r.speed, running: state === 'running' },
    events: events.map(toEvent),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    endedAt: r.ended_at,
    scriptedNurse: r.scripted_nurse === 1,
    simulated: true,
  };
}
