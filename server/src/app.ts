import { defaultRuleSet, INGEST_NAMESPACE, TRAINING_HOST_NAMESPACE, modifiersFromRescue, restoreEngineState, serializeEngineState, type DashboardClientToServer, type DashboardServerToClient, type EngineState, type RuleSet } from '@infusion/shared';
import express from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Server, type ServerOptions } from 'socket.io';
import { LEASE_TTL_MS, LeasedOwnership, leaseRoundMs, soleOwnership, type SessionOwnership } from './cluster/sessionOwnership';
import type { RedisClient } from './cluster/redisHub';
import { RedisLoginThrottle } from './cluster/redisThrottle';
import { AlarmManager } from './alarms/alarmManager';
import { EscalationService } from './alarms/escalationService';
import { OutboxSender } from './alarms/outboxSender';
import { DeviceKeys } from './auth/deviceKeys';
import { authenticate } from './auth/httpAuth';
import { LoginSessions } from './auth/loginSessions';
import { LoginThrottle } from './auth/loginThrottle';
import { UserService } from './auth/userService';
import { readTls, type Config } from './config';
import { handleHl7, startHl7Listener, type Hl7ListenerDeps } from './hl7/listener';
import { Hl7MessageLog } from './hl7/messageLog';
import { DeviceAssignments } from './ingest/deviceAssignments';
import { CareService } from './care/careService';
import { DischargeService } from './care/dischargeService';
import { DoseGuard } from './care/doseGuard';
import { IngestService } from './ingest/ingestService';
import { attachIngest } from './ingest/ingestSocket';
import { AlarmRepo } from './persistence/alarmRepo';
import { AuditRepo } from './persistence/auditRepo';
import { openDatabase, type Db } from './persistence/db';
import { MIGRATIONS } from './persistence/migrations';
import { ObservationRepo } from './persistence/observationRepo';
import { createRepositories, type Repositories } from './persistence/repositories';
import { SessionRepo } from './persistence/sessionRepo';
import { StorageHealth } from './persistence/storageHealth';
import { sqliteStore, type SqliteStore, type Store } from './persistence/store';
import { VitalsRepo } from './persistence/vitalsRepo';
import { WriteQueue } from './persistence/writeQueue';
import { attachDashboard } from './realtime/dashboardSocket';
import { auditRoutes, deviceRoutes, userRoutes } from './routes/adminRoutes';
import { authRoutes } from './routes/authRoutes';
import { careRoutes, formularyRoutes } from './routes/careRoutes';
import { responseRoutes } from './routes/responseRoutes';
import { PhysicianResponses } from './care/physicianResponses';
import { orderRoutes } from './routes/orderRoutes';
import { errorHandler, ok } from './routes/http';
import { exportRoutes } from './routes/exportRoutes';
import { escalationReadRepo } from './persistence/escalationReadRepo';
import { ingestRoutes } from './routes/ingestRoutes';
import { requestId } from './routes/requestContext';
import { loadSession } from './routes/visibleSession';
import { notFound } from './util/errors';
import { reportRoutes } from './routes/reportRoutes';
import { ruleSetRoutes } from './routes/ruleSetRoutes';
import { RuleSetStore } from './rules/ruleSetStore';
import { SessionRules } from './rules/sessionRules';
import { sessionRoutes } from './routes/sessionRoutes';
import { courseRoutes } from './routes/courseRoutes';
import { patientRoutes } from './routes/patientRoutes';
import { AdverseEffects } from './care/adverseEffects';
import { SessionResponses } from './care/sessionResponse';
import { CourseRecords } from './patients/courseRecords';
import { PatientRepo } from './patients/patientRepo';
import { PatientService } from './patients/patientService';
import { trainingRoutes } from './routes/trainingRoutes';
import { attachTrainingHosts } from './training/hostSocket';
import { DebriefRepo } from './training/debriefRepo';
import { DebriefService } from './training/debriefService';
import { TrainingService } from './training/trainingService';
import { followTrainingAcrossNodes } from './training/trainingAcrossNodes';
import { elapsedOn } from './sessions/sessionTime';
import { SessionLifecycle } from './sessions/lifecycle';
import { SessionService, type LiveSession } from './sessions/sessionService';
import { readRuleInputs } from './persistence/ruleInputsRepo';
import { systemClock, type Clock } from './util/clock';
import { Hub } from './util/hub';
import { createLogger, type Logger } from './util/logger';

export interface AppDeps {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  ruleSet?: RuleSet;
  /** Built dashboard to serve at `/`; null serves the API only. */
  clientDist?: string | null;
  /** Run the one-second tick on a timer (default). Tests driving a manual clock call `tick()` themselves. */
  autoTick?: boolean;
  /** The store (default: the SQLite database at `config.DB_PATH`). */
  store?: Store;
  /** The repositories over it (default: built from the store). */
  repos?: Repositories;
  /** An already opened SQLite database, wrapped as the store when none is given. */
  db?: Db;
  /** This server process's name in shared state (outbox claims); default a random UUID. */
  nodeId?: string;
  /** While recording fails, a probe write every this many ms (default 2000) detects that storage is back. */
  storageProbeMs?: number;
  /**
   * Several nodes sharing one database (`cluster/connect.ts` builds this from REDIS_URL): the hub that
   * reaches the other nodes, this node's id, the Socket.IO adapter, and the lease time of a session.
   */
  cluster?: { hub: Hub; nodeId: string; adapter?: ServerOptions['adapter']; leaseTtlMs?: number; redis?: RedisClient };
}

export interface App {
  /** HTTPS when TLS_CERT and TLS_KEY are set, else plain HTTP; Socket.IO shares it. */
  http: HttpServer | HttpsServer;
  protocol: 'http' | 'https';
  io: Server<DashboardClientToServer, DashboardServerToClient>;
  /**
   * The SQLite database under the store, for tests and tools that read it directly; throws on any
   * other store (no server module uses it: they all go through `store`).
   */
  readonly db: Db;
  store: Store;
  repos: Repositories;
  nodeId: string;
  sessions: SessionService;
  ingest: IngestService;
  alarms: AlarmManager;
  escalations: EscalationService;
  outbox: OutboxSender;
  care: CareService;
  discharges: DischargeService;
  ruleSets: RuleSetStore;
  rules: SessionRules;
  queue: WriteQueue;
  storage: StorageHealth;
  users: UserService;
  devices: DeviceKeys;
  /** Which device may feed which session (binding and assignment are one concept). */
  assignments: DeviceAssignments;
  /** Training runs (trainer console API, training hosts). */
  training: TrainingService;
  audit: AuditRepo;
  hub: Hub;
  /** Which sessions this node evaluates (all of them on one node). */
  ownership: SessionOwnership;
  log: Logger;
  listen(port?: number, host?: string): Promise<number>;
  /** One tick now (what the timer does every second). */
  tick(): void;
  /** Starts the HL7 MLLP listener (HL7_PORT / HL7_HOST unless given); resolves with its port. */
  startHl7(port?: number, host?: string): Promise<number>;
  /** Handles one HL7 message as the MLLP listener does and resolves with its ACK. */
  handleHl7(text: string): Promise<string>;
  /** Where the HL7 listener is bound, or null when it is off. */
  hl7Address(): AddressInfo | null;
  close(): Promise<void>;
}

/** Frames judged per session on a takeover, at most (a lease expires within seconds: seconds of frames). */
const TAKEOVER_FRAMES = 3600;

export const DEFAULT_CLIENT_DIST = join(import.meta.dirname, '..', '..', 'client', 'dist');

/**
 * Builds a complete server from its dependencies; tests start real instances on ephemeral ports.
 * Asynchronous: what the modules keep in memory (rule sets, formulary, device assignments, open
 * escalations, care records) is read from the store before anything is served.
 */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const clock = deps.clock ?? systemClock;
  const log = deps.logger ?? createLogger(config.LOG_LEVEL);
  const startedAt = clock.now();

  const store = deps.store ?? sqliteStore(deps.db ?? openDatabase(config.DB_PATH, startedAt));
  const repos = deps.repos ?? createRepositories(store);
  const nodeId = deps.cluster?.nodeId ?? deps.nodeId ?? config.NODE_ID ?? randomUUID();
  const hub = deps.cluster?.hub ?? new Hub((err, event) => log.error({ err, event }, 'event listener failed'));
  const leaseTtlMs = deps.cluster?.leaseTtlMs ?? LEASE_TTL_MS;
  const ownership: SessionOwnership = deps.cluster ? new LeasedOwnership(repos.leases, nodeId, clock, log, leaseTtlMs) : soleOwnership(nodeId);
  const owns = (id: string) => ownership.owns(id);
  const auditRepo = new AuditRepo(store);
  const storage = new StorageHealth(store, auditRepo, hub, clock, log, deps.storageProbeMs ?? 2000);
  const queue = new WriteQueue({ store, log, flushMs: config.WRITE_FLUSH_MS, onStorageError: (err) => storage.report(err) });
  const sessionRepo = new SessionRepo(store);
  const vitalsRepo = new VitalsRepo(store);
  const alarmRepo = new AlarmRepo(store);
  const ruleSets = await RuleSetStore.open(store, clock, deps.ruleSet ?? defaultRuleSet);
  const getRuleSet = () => ruleSets.current();
  // Rules, care and the dose guard need the session service and it needs them at a session's steps:
  // they meet in the lifecycle, attached below once all exist.
  const lifecycle = new SessionLifecycle(ruleSets);
  const alarms = new AlarmManager(alarmRepo, queue, hub, clock, log, { reArmMs: config.ALARM_REARM_MS, reminderMs: config.ALARM_REMINDER_MS }, storage);
  storage.held = () => alarms.heldInfo();
  storage.onRecover(() => alarms.flushHeld());
  // Screens show how much is held: a transition shown but not written updates the recording status.
  hub.on('alarm', (u) => {
    if (u.recorded === false) hub.emit('storage', storage.status());
  });
  const patients = new PatientService(new PatientRepo(store), clock);
  const sessions = new SessionService({ repo: sessionRepo, vitals: vitalsRepo, audit: auditRepo, clock, hub, ruleSet: getRuleSet, lifecycle, patients });
  hub.on('session', (s) => {
    if (s.status === 'ended') alarms.resolveSession(s.id);
  });
  const escalations = new EscalationService(
    store,
    hub,
    clock,
    log,
    { mediumMs: config.ESCALATE_MEDIUM_MS, unitMs: config.ESCALATE_UNIT_MS, webhooks: config.WEBHOOK_URLS },
    // Escalations open on the node evaluating the session, where it is live.
    (id) => sessions.getLive(id)?.stored.location ?? 'location not known on this server',
  );
  hub.on('alarm', (u) => {
    escalations.onAlarm(u);
    if (u.transition === 'raised' && u.alarm.priority === 'high') sessions.endAudioPause(u.alarm.sessionId);
    if (u.transition === 'resolved') sessions.dropAlarmAudioPause(u.alarm.sessionId, u.alarm.id);
  });
  const outbox = new OutboxSender({ outbox: repos.outbox, clock, log, nodeId });
  // One server-time tick drives no-data and observation-due rules, alarm re-arm and reminders,
  // escalation timers and webhook retries.
  const tick = () => {
    try {
      const now = clock.now();
      // Lease rounds run on their own timer; without timers (a test's manual clock) with the tick.
      if (deps.cluster && !leaseTimer) leaseRound();
      trainingNodes?.tick(now);
      for (const l of sessions.liveSessions()) if (owns(l.stored.id)) sessionRules.onTick(l, now);
      alarms.tick(now, owns);
      escalations.tick(now, owns);
      // Every node runs the outbox: rows are claimed before they are sent, so a page goes out once.
      outbox.tick().catch((err: unknown) => log.error({ err }, 'webhook outbox round failed'));
    } catch (err) {
      log.error({ err }, 'tick failed');
    }
  };
  /**
   * Several nodes: renew this node's session leases, take over those whose node stopped renewing. One
   * round at a time, four per lease time (`leaseRoundMs`); the rules run on the holdings of the last
   * finished round.
   */
  let leaseTimer: NodeJS.Timeout | null = null;
  let leaseRoundRunning = false;
  const leaseRound = () => {
    if (leaseRoundRunning) return;
    leaseRoundRunning = true;
    ownership
      .round(
        [...sessions.liveSessions()].map((l) => l.stored.id),
        (id) => {
          const l = sessions.getLive(id);
          return l ? serializeEngineState(l.engine) : null;
        },
      )
      .then(({ taken, lost, resumeFrom }) => {
        if (closed) return;
        if (taken.length) takeOver(taken, clock.now(), resumeFrom).catch((err: unknown) => log.error({ err, sessionIds: taken }, 'session takeover failed'));
        for (const id of lost) sessionRules.forget(id);
      })
      .catch((err: unknown) => log.error({ err }, 'session lease round failed'))
      .finally(() => {
        leaseRoundRunning = false;
      });
  };
  /**
   * This node now evaluates sessions another node did (a round's `taken`, all at once): their state as
   * that node committed it, rules resumed without re-raising.
   */
  const takeOver = async (ids: readonly string[], now: number, storedEngines: ReadonlyMap<string, string>) => {
    // Each session taken may raise at once (its condition may have begun while nobody judged it): their alarm ids are reserved meanwhile.
    alarms.reserveAhead(ids.length);
    // Everything is read first, one statement per table for all the sessions (a node taking 100 over
    // made some 800 queries one session at a time, competing with the live ingest), and the switch
    // below runs in one turn, so no tick or frame meets a half-taken session. (A frame stored in the
    // moment between the read and the switch is not judged again: the same as one stored just before
    // the lease was taken.)
    const reading = Promise.all([
      sessions.readStoredAll(ids),
      alarms.readSessions(ids),
      // The care record (checklist, order, rescue doses) the dose gate and rule modifiers read from memory.
      care.refreshAll(ids),
    ]);
    // The previous holder's engine state resumes each rule in its phase; without one (or a damaged
    // one) the rules start from the alarms on record, as after a restart. Checked against its schema
    // while the reads above are under way (about 1 ms a session on a loaded machine).
    const resumed = new Map(ids.map((id) => [id, storedEngines.has(id) ? restoreEngineState(storedEngines.get(id)!) : null] as const));
    const states = new Map<string, EngineState>();
    for (const [id, r] of resumed) if (r?.ok) states.set(id, r.state);
    const [[reads, open], frames] = await Promise.all([reading, sessionRules.framesSince(states)]);
    if (closed) return;
    const live: LiveSession[] = [];
    for (const id of ids) {
      const l = sessions.applyStored(id, reads.get(id)!);
      if (l) live.push(l);
      else void ownership.release(id);
    }
    const liveIds = live.map((l) => l.stored.id);
    alarms.adoptSessions(liveIds, open);
    escalations.adoptSessions(liveIds, alarms.unresolved()).catch((err: unknown) => log.error({ err, sessionIds: liveIds }, 'open escalations of taken-over sessions could not be read'));
    for (const id of ids) sessionRules.forget(id);
    // The rules' other inputs (scores, last NIBP, device clock, treatments) in one batch too: the
    // frames judged below and the first ticks wait for it, in order.
    sessionRules.readInputs(live);
    for (const l of live) {
      const r = resumed.get(l.stored.id);
      if (r?.ok) sessionRules.resume(l, r.state, now, frames.get(l.stored.id) ?? []);
      else {
        if (r) log.warn({ sessionId: l.stored.id, fields: r.fields }, 'stored engine state refused; rules restart from the alarms on record');
        sessionRules.restoreState(l, now);
      }
    }
  };
  const observationRepo = new ObservationRepo(store);
  const care = new CareService(store, observationRepo, sessions, vitalsRepo, clock, hub);
  const discharges = new DischargeService(store, sessions, care, vitalsRepo, clock);
  care.onLoadError = (err, sessionId) => log.error({ err, sessionId }, 'care record could not be read');
  care.guardrails.onRefusalError = (err) => {
    storage.report(err);
    log.error({ err }, 'guardrail entry could not be written');
  };
  hub.on('session', (s) => {
    if (s.status === 'active') care.track(s.id);
    else care.ended(s.id);
  });
  hub.onOther('session', (s) => {
    if (s.status === 'active') care.track(s.id);
    else care.ended(s.id);
  });
  hub.onOther('checklist', (c) => care.applyRemote({ checklist: c }));
  hub.onOther('order', (o) => care.applyRemote({ order: o }));
  hub.onOther('rescueDose', (d) => care.applyRemote({ rescueDose: d }));
  const responses = new PhysicianResponses({ repo: repos.responses, escalations, clock, hub });
  const adverseEffects = new AdverseEffects(store, care, alarmRepo, (s) => ruleSets.get(s.ruleSetVersion), clock, hub);
  const sessionResponses = new SessionResponses(store, clock);
  const courseRecords = new CourseRecords({ patients, sessionRepo, sessions, care, alarms: alarmRepo, adverseEffects, responses: sessionResponses, clock });
  const sessionRules = new SessionRules({
    ruleSets,
    sessionRepo,
    sessions,
    alarms,
    log,
    lastObservations: (id) => care.observations(id),
    lastNibp: (id) => vitalsRepo.lastNibpAt(id),
    lastFrame: (id) => vitalsRepo.lastFrame(id),
    modifiersOf: (s) => modifiersFromRescue(ruleSets.get(s.ruleSetVersion), care.getFormulary(), care.heldRescueDoses(s.id)),
    // Bounded: a lease expires within seconds, so a takeover has seconds of frames to judge.
    framesAfter: (id, t) => vitalsRepo.framesAfter(id, t, TAKEOVER_FRAMES),
    framesAfterEach: (after) => vitalsRepo.framesAfterEach(after, TAKEOVER_FRAMES),
    inputsOf: (ss, withEvents) => readRuleInputs({ sessions: sessionRepo, vitals: vitalsRepo, observations: observationRepo }, ss, withEvents),
    // A training run's session is judged on its scenario clock; every other session on wall time.
    times: (id) => training.timeOf(id),
    infusionEvents: (id) => sessions.events(id),
  });
  const doseGuard = new DoseGuard(care, sessionRepo, sessionRules, ruleSets, clock);
  lifecycle.attach({
    limitChanges: (s) => sessionRules.configured(s).changes.map((c) => c.text),
    startBlockers: (id) => care.startBlockers(id),
    doseGate: (l, ev, t, actor) => doseGuard.gate(l, ev, t, actor),
    forget: (id) => {
      sessionRules.forget(id);
      void ownership.release(id);
    },
  });
  care.ruleSetOf = (s) => sessionRules.configured(s).ruleSet;
  // A session opened here is evaluated here until this node stops: its first frame has an owner.
  hub.on('session', (s) => {
    if (s.status === 'active' && !owns(s.id)) void ownership.claim(s.id);
  });
  hub.on('infusionEvent', (e) => {
    const l = sessions.getLive(e.sessionId);
    if (l && owns(e.sessionId)) sessionRules.onInfusion(l, e);
  });
  hub.on('observation', (o) => {
    const l = sessions.getLive(o.sessionId);
    if (l && owns(o.sessionId)) sessionRules.onObservation(l, o);
  });
  // Several nodes: this node's copies follow what the others committed; the session's owner runs its rules.
  // (Refreshes of one session run one after another, so its events keep their order.)
  const refreshFailed = (sessionId: string) => (err: unknown) => log.error({ err, sessionId }, 'session could not be read again after another node changed it');
  hub.onOther('session', (s) => {
    sessions.refresh(s.id, s.audioPausedUntil).then((l) => {
      if (!l) void ownership.release(s.id);
    }, refreshFailed(s.id));
  });
  hub.onOther('infusionEvent', (e) => {
    sessions.refresh(e.sessionId).then((l) => {
      if (l && owns(e.sessionId)) sessionRules.onInfusion(l, e);
    }, refreshFailed(e.sessionId));
  });
  hub.onOther('observation', (o) => {
    const l = sessions.getLive(o.sessionId);
    if (l && owns(o.sessionId)) sessionRules.onObservation(l, o);
  });
  hub.onOther('rescueDose', (d) => {
    const l = sessions.getLive(d.sessionId);
    if (l) sessionRules.onRescueDose(l.stored);
  });
  hub.onOther('frame', (id, sample, receivedAt) => {
    const l = sessions.getLive(id);
    if (!l || !owns(id)) return;
    sessionRules.onVitals(l, sample, receivedAt);
    sessions.noteFrame(id, sample);
  });
  hub.onOther('alarm', (u) => alarms.applyRemote(u));
  hub.onOther('escalation', (e) => escalations.applyRemote(e));
  // A sedative documented tightens the session's respiratory limits: every screen shows the changed limits.
  hub.on('rescueDose', (d) => {
    const l = sessions.getLive(d.sessionId);
    if (!l) return;
    const before = sessionRules.configured(l.stored).changes.length;
    sessionRules.onRescueDose(l.stored);
    if (sessionRules.configured(l.stored).changes.length !== before) hub.emit('session', sessions.view(l));
  });
  const users = new UserService(store, clock);
  const loginSessions = new LoginSessions({ repo: repos.loginSessions, users, clock, ttlMs: config.SESSION_TTL_MS, idleMs: config.SESSION_IDLE_MS });
  // Several nodes: failed logins count across all of them (an attacker cannot spread attempts over nodes).
  const throttle = deps.cluster?.redis ? new RedisLoginThrottle(deps.cluster.redis, new LoginThrottle(clock), log) : new LoginThrottle(clock);
  const devices = new DeviceKeys(store, clock);
  const assignments = new DeviceAssignments(store, devices, clock, (id) => sessions.getLive(id)?.stored);
  hub.on('session', (s) => {
    if (s.status === 'ended') assignments.endForSession(s.id, { id: 'system:session-end' }).catch((err: unknown) => log.error({ err, sessionId: s.id }, 'devices of an ended session could not be released'));
  });
  // Caches that another node's change makes stale: that node says so over the hub, this one reads again.
  ruleSets.changed = () => hub.emit('invalidate', 'ruleSets');
  care.formularyChanged = () => hub.emit('invalidate', 'formulary');
  assignments.changed = () => hub.emit('invalidate', 'assignments');
  devices.revokedHere = (id) => hub.emit('deviceRevoked', id);
  hub.onOther('invalidate', (what) => {
    const reload = what === 'ruleSets' ? ruleSets.reload() : what === 'formulary' ? care.reloadFormulary() : assignments.reload();
    reload.catch((err: unknown) => log.error({ err, what }, 'reload after another node\'s change failed'));
  });
  hub.onOther('deviceRevoked', (id) => devices.revoked(id));
  const ingest = new IngestService(sessions, sessionRepo, vitalsRepo, queue, sessionRules, hub, clock, config.MAX_FUTURE_SKEW_MS, assignments, log);
  ingest.evaluatesHere = owns;
  const isTrainingUnit = (unit: string) => config.TRAINING_UNITS.includes(unit);
  const training = new TrainingService({ store, sessions, assignments, clock, hub, log, isTrainingUnit });
  const trainingNodes = deps.cluster ? followTrainingAcrossNodes(training, hub, nodeId, clock, log) : null;
  const debriefs = new DebriefService({ training, repo: new DebriefRepo(store), sessions, alarms: alarmRepo, care, users, audit: auditRepo, clock, log });
  // Re-arm, reminders and escalation of a training run's alarms run on its scenario clock too.
  alarms.elapsed = escalations.elapsed = (id, from, to) => elapsedOn((sid) => training.timeOf(sid), id, from, to);
  const hl7Deps: Hl7ListenerDeps = { devices, assignments, ingest, alarms, sessions, messages: new Hl7MessageLog({ repo: repos.hl7Messages, queue }), clock, log };

  const tls = readTls(config);
  // Served over HTTPS here or behind a TLS-terminating proxy (COOKIE_SECURE): then, and only then,
  // the cookie is Secure, HSTS is sent and the browser is told to upgrade insecure requests.
  const https = tls !== null || config.COOKIE_SECURE;

  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For is believed only from configured proxies: otherwise any client could pick the
  // address the login throttle counts.
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(requestId);
  // Request logs carry the request id, method, path, status and time: never bodies, cookies or patient data.
  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req) => (req as express.Request).id,
      serializers: { req: (r: { id: string; method: string; url: string }) => ({ id: r.id, method: r.method, path: r.url.split('?')[0] }), res: (r: { statusCode: number }) => ({ status: r.statusCode }) },
      autoLogging: { ignore: (req) => req.url === '/api/health' },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'connect-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          // Over plain HTTP an upgrade would send the dashboard's scripts to an HTTPS port nobody serves: a blank page.
          'upgrade-insecure-requests': https ? [] : null,
        },
      },
      strictTransportSecurity: https,
    }),
  );
  app.use(express.json({ limit: '1mb' }));
  app.use(authenticate(loginSessions));
  app.get('/api/health', (_req, res) => {
    const recording = storage.status();
    const data = {
      status: recording.recording === 'ok' ? 'ok' : 'recording_failed',
      uptimeS: Math.round((clock.now() - startedAt) / 1000),
      activeSessions: sessions.listActive().length,
      node: ownership.nodeId,
      writeQueuePending: queue.pending,
      schemaVersion: MIGRATIONS.at(-1)?.version ?? 0,
      ruleSet: { id: ruleSets.current().id, version: ruleSets.current().version },
      storage: recording,
    };
    if (recording.recording === 'ok') return ok(res, data);
    // Monitoring goes on, but nothing new is stored: not healthy for a load balancer or an operator.
    res.status(503).json({ ok: false, error: `recording failed since ${new Date(recording.since ?? 0).toISOString()}: ${recording.reason}`, data });
  });
  app.use('/api/auth', authRoutes({ users, sessions: loginSessions, throttle, audit: auditRepo, clock, cookieSecure: https, ttlMs: config.SESSION_TTL_MS }));
  // The session a /api/sessions/:id… route names, read once before the routes (they check it synchronously).
  app.use('/api/sessions/:id', loadSession(sessions));
  // A training unit's session is the run's trainee's and its trainers' only: anyone else gets 404, as for another unit.
  app.use('/api/sessions/:id', (req, _res, next) => {
    const u = req.auth?.user;
    const s = req.namedSession;
    if (!u || !s || u.role === 'trainer' || !isTrainingUnit(s.unit)) return next();
    training.traineeOfStored(s.id).then(
      (trainee) => next(trainee === u.username ? undefined : notFound(`session ${s.id}`)),
      (err: unknown) => next(err),
    );
  });
  app.use('/api/sessions', careRoutes(sessions, care, discharges));
  app.use('/api/sessions', responseRoutes(sessions, responses));
  app.use('/api/sessions', courseRoutes(sessions, adverseEffects, sessionResponses, courseRecords));
  app.use('/api/patients', patientRoutes(patients, courseRecords));
  app.use('/api/sessions', exportRoutes({ sessions, vitals: vitalsRepo, alarms: alarmRepo, care, discharges, responses, escalations: escalationReadRepo(store), users, clock, course: { patients, adverseEffects, responses: sessionResponses, records: courseRecords } }, auditRepo));
  app.use('/api/sessions', orderRoutes(sessions, care, doseGuard));
  app.use('/api/formulary', formularyRoutes(care));
  app.use('/api/rulesets', ruleSetRoutes(ruleSets));
  app.use('/api/reports', reportRoutes(repos.reports, clock));
  app.use('/api/sessions', sessionRoutes(sessions, vitalsRepo, alarmRepo, care, discharges, clock, config.AUDIO_PAUSE_MS, sessionRules, ruleSets, assignments, (u, s) => !isTrainingUnit(s.unit) || u.role === 'trainer' || training.traineeOf(s.id) === u.username));
  app.use('/api/ingest', ingestRoutes(ingest, devices));
  app.use('/api/training', trainingRoutes(training, debriefs));
  app.use('/api/users', userRoutes(users, loginSessions));
  app.use('/api/devices', deviceRoutes(devices, assignments, sessions));
  app.use('/api/audit', auditRoutes(auditRepo, clock));
  app.use('/api', (req, res) => {
    res.status(404).json({ ok: false, error: `no route ${req.method} ${req.originalUrl}` });
  });
  const dist = deps.clientDist === undefined ? DEFAULT_CLIENT_DIST : deps.clientDist;
  if (dist && existsSync(join(dist, 'index.html'))) {
    app.use(express.static(dist, { index: 'index.html', maxAge: '1h' }));
  } else if (dist) {
    app.get('/', (_req, res) => {
      res.status(503).type('text').send('The dashboard is not built: run `npm run build`.');
    });
  }
  app.use(errorHandler(log, (err) => storage.report(err)));

  const http = tls ? createHttpsServer(tls, app) : createServer(app);
  // A short ping lets dashboards notice a lost server within seconds (the banner must show within 5 s).
  const io = new Server<DashboardClientToServer, DashboardServerToClient>(http, {
    pingInterval: 2000,
    pingTimeout: 2500,
    maxHttpBufferSize: 1e6,
    serveClient: false,
    ...(deps.cluster?.adapter ? { adapter: deps.cluster.adapter } : {}),
  });
  const stopDashboard = attachDashboard(io.of('/'), {
    sessions,
    adverseEffects,
    alarms,
    escalations,
    care,
    discharges,
    responses,
    alarmRepo,
    vitals: vitalsRepo,
    loginSessions,
    hub,
    clock,
    log,
    ruleSet: getRuleSet,
    livePushMs: config.LIVE_PUSH_MS,
    audioPauseMs: config.AUDIO_PAUSE_MS,
    storage: () => storage.status(),
    training: { isTrainingUnit, traineeOf: (id) => training.traineeOf(id), sessionsOfTrainee: (u) => training.sessionsOfTrainee(u) },
  });
  training.changed.push((run) => {
    // The run's state to its trainers and its trainee only; a new run's trainee screens join its session's room.
    io.of('/').in(`user:${run.trainee}`).socketsJoin(`trainee:${run.sessionId}`);
    io.of('/').local.to([`trainer:${run.unit}`, `trainer:*`, `user:${run.trainee}`]).emit('trainingRun', run);
  });
  attachTrainingHosts(io.of(TRAINING_HOST_NAMESPACE) as unknown as Parameters<typeof attachTrainingHosts>[0], training, ingest, devices, log, { sessions, care });
  attachIngest(io.of(INGEST_NAMESPACE) as unknown as Parameters<typeof attachIngest>[0], ingest, devices, log);

  // What the modules keep in memory is read back before anything is served: open alarms, active
  // sessions, open escalations, formulary and care records, device assignments, and the rules resumed
  // from them. A start on a full disk comes up in the failed-recording state (and recovers by itself)
  // instead of exiting.
  await alarms.restore();
  const resumed = await sessions.restore();
  await escalations.restore(alarms.unresolved());
  await care.reloadFormulary();
  // The care records of the sessions resumed here (dose gate, start check, rule modifiers read them).
  await care.load([...sessions.liveSessions()].map((l) => l.stored.id));
  await assignments.reload();
  await training.restore();
  for (const l of sessions.liveSessions()) sessionRules.restoreState(l, clock.now());
  if (resumed) log.info({ sessions: resumed }, 'resumed active sessions');
  if (!(await storage.probe())) log.error({ reason: storage.status().reason }, 'started with recording failed');
  // Ticks start once every module exists and has read what it keeps in memory.
  const ticker = deps.autoTick === false ? null : setInterval(tick, 1000);
  ticker?.unref();
  if (deps.cluster && deps.autoTick !== false) {
    leaseTimer = setInterval(leaseRound, leaseRoundMs(leaseTtlMs));
    leaseTimer.unref();
  }

  let closed = false;
  let hl7: Awaited<ReturnType<typeof startHl7Listener>> | null = null;
  return {
    http,
    protocol: tls ? 'https' : 'http',
    io,
    get db(): Db {
      if (!isSqlite(store)) throw new Error(`app.db is the SQLite database; this server runs on ${store.kind}`);
      return store.raw;
    },
    store,
    repos,
    nodeId,
    sessions,
    ingest,
    alarms,
    escalations,
    outbox,
    care,
    discharges,
    ruleSets,
    rules: sessionRules,
    queue,
    storage,
    users,
    devices,
    assignments,
    training,
    audit: auditRepo,
    hub,
    ownership,
    log,
    tick,
    listen(port = config.PORT, host?: string) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => resolve((http.address() as AddressInfo).port));
      });
    },
    async startHl7(port = config.HL7_PORT, host = config.HL7_HOST) {
      hl7 = await startHl7Listener(port, host, hl7Deps);
      return hl7.port;
    },
    handleHl7: (text) => handleHl7(text, hl7Deps),
    hl7Address() {
      return hl7 ? (hl7.server.address() as AddressInfo) : null;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (ticker) clearInterval(ticker);
      if (leaseTimer) clearInterval(leaseTimer);
      // A node that stops hands its sessions over at once instead of when their leases expire.
      await ownership.releaseAll();
      storage.close();
      const held = alarms.heldInfo().count;
      if (held > 0) log.error({ held }, 'stopping with alarm transitions that storage never took: they were shown but are not stored');
      outbox.close();
      await hl7?.close();
      stopDashboard();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      await queue.close();
      // Escalation steps already started are written before the store closes.
      await escalations.idle();
      // Let the last commits' follow-ups (alarm emits and what listens to them) run before the database closes.
      await new Promise((r) => setImmediate(r));
      await hub.close();
      await store.close();
    },
  };
}

const isSqlite = (store: Store): store is SqliteStore => store.kind === 'sqlite' && 'raw' in store;
