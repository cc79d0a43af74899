import {
  alarmAcknowledgeRequestSchema,
  alarmAudioPauseRequestSchema,
  ALL_UNITS,
  can,
  canSeeSession,
  escalationAcknowledgeRequestSchema,
  physicianResponseRequestSchema,
  fieldErrors,
  sessionDetailRequestSchema,
  subscribeRequestSchema,
  type DashboardClientToServer,
  type Escalation,
  type DashboardServerToClient,
  type AlarmUpdate,
  type LiveVitals,
  type Permission,
  type PublicUser,
  type Snapshot,
  type StorageStatus,
} from '@infusion/shared';
import type { Namespace, Socket } from 'socket.io';
import type { AlarmManager } from '../alarms/alarmManager';
import type { EscalationService } from '../alarms/escalationService';
import type { AdverseEffects } from '../care/adverseEffects';
import type { CareService } from '../care/careService';
import type { DischargeService } from '../care/dischargeService';
import type { PhysicianResponses } from '../care/physicianResponses';
import { assertCanSee, cookieToken } from '../auth/httpAuth';
import type { LoginSessions } from '../auth/loginSessions';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { DomainError } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import type { z } from 'zod';
import { handler } from './ack';
import { LiveVitalsCoalescer } from './liveVitals';
import { RateLimiter, type LimitedEvent } from './rateLimit';
import { SnapshotTrends } from './snapshotTrends';
import { cutOff, DEFAULT_QUEUE_BOUNDS, pendingPackets, type QueueBounds } from './sendQueue';

interface SocketData {
  token: string;
  user: PublicUser;
  /** The session whose page this screen shows (the last session:detail it asked for). */
  viewing?: string;
}
type DashNs = Namespace<DashboardClientToServer, DashboardServerToClient, Record<string, never>, SocketData>;
type DashSocket = Socket<DashboardClientToServer, DashboardServerToClient, Record<string, never>, SocketData>;

const TREND_WINDOW_MS = 15 * 60_000;
/** Per-session trend points in a snapshot: at most this many, fewer when many sessions share the budget. */
const SNAPSHOT_POINTS = 180;
const SNAPSHOT_MIN_POINTS = 8;
/** Trend points in a whole snapshot (a 200-session snapshot gets 45 points, 20 s buckets, per session). */
const SNAPSHOT_TOTAL_POINTS = 9_000;
const DETAIL_POINTS = 900;
/** Sessions whose trends are read before the snapshot yields to other work. */
const TREND_SLICE = 25;
/** Alarm updates replayed to a reconnecting screen; beyond this it relies on the snapshot's unresolved list. */
const MAX_MISSED_UPDATES = 2_000;
/** Rate-limit refusals held back per connection before further ones are answered at once. */
const MAX_HELD_REFUSALS = 10;
/** Packets waiting to go out to one screen beyond which its live vitals are skipped. */
const SLOW_SCREEN_BUFFER = 20;

/** Per-session trend points in a snapshot of n sessions (see SNAPSHOT_TOTAL_POINTS). */
export const snapshotPointsPerSession = (n: number) => Math.max(SNAPSHOT_MIN_POINTS, Math.min(SNAPSHOT_POINTS, Math.floor(SNAPSHOT_TOTAL_POINTS / Math.max(1, n))));

/**
 * Rooms. Real sessions: clinicians join `unit:<name>` for each assigned unit (or `unit:*`), physicians
 * also `phys:<name>`. Simulated sessions: `sim:<name>`, joined by trainers and by clinicians, whose
 * screens show the simulated sessions of their units. Trainers never join a real session's room.
 * Escalations of simulated sessions go only to trainers (`trainer:<name>`) and to screens showing that
 * session's page (`view:<sessionId>`): never to the physicians or the whole unit, never to a pager.
 */
const roomsForUser = (u: PublicUser) =>
  u.units.flatMap((unit) =>
    u.role === 'trainer' ? [`sim:${unit}`, `trainer:${unit}`] : u.role === 'physician' ? [`unit:${unit}`, `phys:${unit}`, `sim:${unit}`] : [`unit:${unit}`, `sim:${unit}`],
  );
/** Real: level 1 to the unit's physicians, level 2 also to every clinician. Simulated: trainers and the session's open pages. */
const roomsForEscalation = (e: { unit: string; simulated: boolean; level: number; sessionId: string }) =>
  e.simulated
    ? [`trainer:${e.unit}`, `trainer:${ALL_UNITS}`, `view:${e.sessionId}`]
    : [`phys:${e.unit}`, `phys:${ALL_UNITS}`, ...(e.level >= 2 ? [`unit:${e.unit}`, `unit:${ALL_UNITS}`] : [])];
const clinicalRooms = (s: { unit: string; simulated: boolean }) =>
  s.simulated ? [`sim:${s.unit}`, `sim:${ALL_UNITS}`] : [`unit:${s.unit}`, `unit:${ALL_UNITS}`];
/** A training unit's sessions (training runs): only its trainers and the run's trainee, never a clinical screen. */
const trainingRooms = (unit: string, sessionId: string) => [`trainer:${unit}`, `trainer:${ALL_UNITS}`, `trainee:${sessionId}`];
/** Whether a user's screen lists an escalation in its snapshot (the same people the rooms above reach). */
/** The inbox's "acknowledged" list after a reload: the last 12 hours (a shift), at most 20 (display only). */
const RECENT_ESCALATIONS_MS = 12 * 3600_000;
const MAX_RECENT_ESCALATIONS = 20;

const receivesEscalation = (u: PublicUser, e: Escalation, viewing: string | undefined) =>
  canSeeSession(u, e) && (e.simulated ? u.role === 'trainer' || viewing === e.sessionId : e.level >= 2 || u.role !== 'nurse');

export interface DashboardDeps {
  sessions: SessionService;
  /** Adverse effects of a session, sent with its detail. */
  adverseEffects?: Pick<AdverseEffects, 'list'>;
  alarms: AlarmManager;
  escalations: EscalationService;
  care: CareService;
  /** Discharge records (recovery → discharged); absent in tools that build a dashboard without them. */
  discharges?: Pick<DischargeService, 'record'>;
  responses: PhysicianResponses;
  alarmRepo: AlarmRepo;
  vitals: VitalsRepo;
  loginSessions: LoginSessions;
  hub: Hub;
  clock: Clock;
  log: Logger;
  ruleSet: () => { id: string; version: number; name: string };
  livePushMs: number;
  /** The fixed, disclosed duration of an audio pause (AUDIO_PAUSE_MS). */
  audioPauseMs: number;
  /** Recording state: a failure is a technical alarm for every screen. */
  storage: () => StorageStatus;
  /** Origins allowed to open a dashboard socket besides the server's own host. */
  allowedOrigins?: string[];
  /** How far a screen may fall behind before it is disconnected (default DEFAULT_QUEUE_BOUNDS). */
  queueBounds?: QueueBounds;
  /** Training units and runs: their sessions' events reach only trainers and the run's trainee. */
  training?: { isTrainingUnit: (unit: string) => boolean; traineeOf: (sessionId: string) => string | null; sessionsOfTrainee: (username: string) => string[] };
}

export function attachDashboard(ns: DashNs, d: DashboardDeps): () => void {
  const bounds = d.queueBounds ?? DEFAULT_QUEUE_BOUNDS;
  const isTrainingUnit = (unit: string) => d.training?.isTrainingUnit(unit) ?? false;
  const roomsForSession = (s: { unit: string; simulated: boolean }, sessionId: string) => (isTrainingUnit(s.unit) ? trainingRooms(s.unit, sessionId) : clinicalRooms(s));
  /** Whether a screen shows a session: as canSeeSession, and a training unit's sessions only to trainers and the run's trainee. */
  const shows = (u: PublicUser, s: { unit: string; simulated: boolean }, sessionId: string) =>
    canSeeSession(u, s) && (!isTrainingUnit(s.unit) || u.role === 'trainer' || d.training?.traineeOf(sessionId) === u.username);
  /** Scopes of sessions this node does not hold (opened on another node), kept from their session events. */
  const otherScopes = new Map<string, { unit: string; simulated: boolean }>();
  /** Sessions whose scope is being read from storage (one read each). */
  const readingScope = new Set<string>();
  const readScope = (sessionId: string) => {
    if (readingScope.has(sessionId)) return;
    readingScope.add(sessionId);
    d.sessions
      .get(sessionId)
      .then(
        (s) => {
          if (s.status !== 'ended' && !d.sessions.getLive(sessionId)) otherScopes.set(sessionId, { unit: s.unit, simulated: s.simulated });
        },
        () => {},
      )
      .finally(() => readingScope.delete(sessionId));
  };
  /** A live session's scope (rooms of its live vitals) from memory; ended or not known yet: null (then read for the next push). */
  const scopeOrNull = (sessionId: string) => {
    const l = d.sessions.getLive(sessionId);
    if (l) return l.stored;
    const scope = otherScopes.get(sessionId);
    if (scope) return scope;
    readScope(sessionId);
    return null;
  };
  /** An event of a session to its screens: at once when the session is known here, else once it is read from storage. */
  const reliableFor = <E extends keyof DashboardServerToClient>(sessionId: string, event: E, ...args: Parameters<DashboardServerToClient[E]>) => {
    const scope = scopeOrNull(sessionId);
    if (scope) return reliable(roomsForSession(scope, sessionId), event, ...args);
    d.sessions.get(sessionId).then(
      (s) => reliable(roomsForSession(s, sessionId), event, ...args),
      (err: unknown) => d.log.error({ err, sessionId, event }, 'event of an unknown session not sent'),
    );
  };
  d.hub.onEvery('session', (s) => {
    if (s.status === 'ended' || d.sessions.getLive(s.id)) otherScopes.delete(s.id);
    else otherScopes.set(s.id, { unit: s.unit, simulated: s.simulated });
  });

  // Every node pushes live vitals and events to its own screens only (`ns.local`), whichever node the
  // event came from (the hub's `onEvery`): each screen gets each event once, and each node applies the
  // slow-screen rules to the sockets whose buffers it can see.
  const coalescer = new LiveVitalsCoalescer(d.livePushMs, (batch) => {
    const byRoom = new Map<string, LiveVitals[]>();
    for (const lv of batch) {
      const scope = scopeOrNull(lv.sessionId);
      if (!scope) continue;
      for (const room of roomsForSession(scope, lv.sessionId)) {
        let list = byRoom.get(room);
        if (!list) byRoom.set(room, (list = []));
        list.push(lv);
      }
    }
    for (const [room, list] of byRoom) {
      for (const id of ns.adapter.rooms.get(room) ?? []) {
        const socket = ns.sockets.get(id);
        // Live vitals may be dropped for a slow screen, alarms never: skip a screen whose send buffer is backed up.
        if (!socket || pendingPackets(socket) > SLOW_SCREEN_BUFFER) continue;
        socket.emit('vitals', list);
      }
    }
  });

  /** Events that are never dropped; a screen whose queue they push past the hard bound is cut off (it catches up on reconnect). */
  const reliable = <E extends keyof DashboardServerToClient>(rooms: string[], event: E, ...args: Parameters<DashboardServerToClient[E]>) => {
    ns.local.to(rooms).emit(event, ...args);
    for (const room of rooms) {
      for (const id of ns.adapter.rooms.get(room) ?? []) {
        const socket = ns.sockets.get(id);
        if (socket && pendingPackets(socket) > bounds.hard) cut(socket, 'hard');
      }
    }
  };
  const cut = (socket: DashSocket, why: 'hard' | 'behind') => {
    d.log.warn({ user: socket.data.user?.username, queued: pendingPackets(socket), why }, 'dashboard stopped reading: disconnected, it catches up on reconnect');
    cutOff(socket);
  };

  /** The newest alarm event this node has passed to its screens: where a catch-up starts. */
  let lastAlarmEventId = 0;
  d.alarmRepo.maxIds().then(
    (m) => void (lastAlarmEventId = Math.max(lastAlarmEventId, m.eventId)),
    (err: unknown) => d.log.error({ err }, 'last alarm event id could not be read'),
  );
  const sendAlarm = (u: AlarmUpdate) => {
    if (u.eventId > lastAlarmEventId) lastAlarmEventId = u.eventId;
    reliable(roomsForSession(u.alarm, u.alarm.sessionId), 'alarm', u);
  };
  d.hub.onEvery('vitals', (id, s) => coalescer.add(id, s));
  // Alarms are never volatile: a dashboard either gets them now or on its next subscribe.
  d.hub.onEvery('alarm', sendAlarm);
  d.hub.onEvery('session', (s) => reliable(roomsForSession(s, s.id), 'session', s));
  d.hub.onEvery('infusionEvent', (e) => reliableFor(e.sessionId, 'infusionEvent', e));
  d.hub.onEvery('escalation', (e) => reliable(isTrainingUnit(e.unit) ? trainingRooms(e.unit, e.sessionId) : roomsForEscalation(e), 'escalation', e));
  d.hub.onEvery('observation', (o) => reliableFor(o.sessionId, 'observation', o));
  d.hub.onEvery('response', (r) => reliableFor(r.sessionId, 'response', r));
  d.hub.onEvery('rescueDose', (x) => reliableFor(x.sessionId, 'rescueDose', x));
  d.hub.onEvery('adverseEffect', (x) => reliableFor(x.sessionId, 'adverseEffect', x));
  d.hub.onEvery('order', (o) => reliableFor(o.sessionId, 'order', o));
  d.hub.onEvery('checklist', (c) => reliableFor(c.sessionId, 'checklist', c));
  // Recording failed or came back: every connected screen, whatever its unit or role.
  // This node's own status only, as its snapshot and /api/health say: another node's would raise or
  // clear the banner of screens whose recording is not the one that changed (a node that fails is taken
  // out by the load balancer's health check; its screens reconnect to a healthy node).
  d.hub.on('storage', (st) => ns.local.emit('storage', st));
  // The link between nodes was down: alarm changes other nodes committed meanwhile are read back from
  // storage and sent (screens ignore an event id they already have).
  d.hub.onResume(() => {
    d.alarmRepo.updatesSince(lastAlarmEventId, MAX_MISSED_UPDATES).then(
      (missed) => missed.forEach(sendAlarm),
      (err: unknown) => d.log.error({ err }, 'alarm changes missed while the hub was down could not be read'),
    );
  });

  // Only logged-in users, from the dashboard's own origin (no cross-site WebSocket hijacking).
  // Handshake headers come from the network: anything malformed is refused, never thrown.
  ns.use((socket, next) => void admit(socket, next));
  const admit = async (socket: DashSocket, next: (err?: Error) => void) => {
    try {
      const refused = originRefusal(socket.handshake.headers.origin, socket.handshake.headers.host, d.allowedOrigins ?? []);
      if (refused) return next(new Error(refused));
      const token = cookieToken(typeof socket.handshake.headers.cookie === 'string' ? socket.handshake.headers.cookie : undefined);
      const s = await d.loginSessions.resolve(token);
      if (!s || !token) return next(new Error('not logged in'));
      if (s.user.mustChangePassword) return next(new Error('password change required'));
      if (!can(s.user.role, 'session.view')) return next(new Error(`role ${s.user.role} has no dashboard`));
      socket.data.token = token;
      socket.data.user = s.user;
      next();
    } catch (err) {
      d.log.warn({ err }, 'dashboard handshake refused');
      next(new Error('invalid handshake'));
    }
  };

  /** Each event re-checks the login session, so logout, expiry and disabling take effect at once. */
  const userFor = async (socket: DashSocket, p: Permission): Promise<PublicUser> => {
    const s = await d.loginSessions.resolve(socket.data.token);
    if (!s) {
      setImmediate(() => socket.disconnect(true));
      throw new DomainError(401, 'not logged in');
    }
    if (!can(s.user.role, p)) throw new DomainError(403, `role ${s.user.role} may not ${p}`);
    socket.data.user = s.user;
    return s.user;
  };

  const trendCache = new SnapshotTrends(d.vitals);
  const snapshot = async (u: PublicUser, lastAlarmEventId: number | undefined, viewing: string | undefined): Promise<Snapshot> => {
    trendCache.prune();
    const visible = d.sessions.listActive().filter((s) => shows(u, s, s.id));
    const trends: Snapshot['trends'] = {};
    const points = snapshotPointsPerSession(visible.length);
    for (let i = 0; i < visible.length; i++) {
      // Trends are read in slices so ingest and other screens are served in between.
      if (i > 0 && i % TREND_SLICE === 0) await new Promise((r) => setImmediate(r));
      const now = d.clock.now();
      trends[visible[i]!.id] = await trendCache.get(visible[i]!.id, now - TREND_WINDOW_MS, now + 60_000, points);
    }
    const latestResponses = new Map((await d.responses.latestOf(visible.map((s) => s.id))).map((r) => [r.sessionId, r]));
    const now0 = d.clock.now();
    const late = d.sessions.listActive().filter((s) => shows(u, s, s.id) && !trends[s.id]);
    for (const s of late) trends[s.id] = await trendCache.get(s.id, now0 - TREND_WINDOW_MS, now0 + 60_000, points);
    // The stored event id is read before the in-memory alarms: those already include every committed
    // change (an alarm changes in memory before its write), and anything committed after the read
    // reaches this screen live (it joined its rooms first), so a catch-up from this id misses nothing.
    const [missedAll, maxIds, recentAll] = await Promise.all([
      lastAlarmEventId === undefined ? [] : d.alarmRepo.updatesSince(lastAlarmEventId, MAX_MISSED_UPDATES),
      d.alarmRepo.maxIds(),
      d.escalations.recentlyAcknowledged(d.clock.now() - RECENT_ESCALATIONS_MS, MAX_RECENT_ESCALATIONS),
    ]);
    // Everything else in one synchronous step, so sessions and alarms agree with each other.
    const now = d.clock.now();
    const sessions = d.sessions.listActive().filter((s) => shows(u, s, s.id));
    for (const s of sessions) trends[s.id] ??= [];
    for (const id of Object.keys(trends)) if (!sessions.some((s) => s.id === id)) delete trends[id];
    const missed = missedAll.filter((x) => shows(u, x.alarm, x.alarm.sessionId));
    const rs = d.ruleSet();
    return {
      serverTime: now,
      audioPauseMs: d.audioPauseMs,
      ruleSet: { id: rs.id, version: rs.version, name: rs.name },
      sessions,
      alarms: d.alarms.unresolved().filter((a) => shows(u, a, a.sessionId)),
      escalations: d.escalations.list().filter((e) => receivesEscalation(u, e, viewing) && shows(u, e, e.sessionId)),
      recentEscalations: recentAll.filter((e) => receivesEscalation(u, e, viewing) && shows(u, e, e.sessionId)),
      missedAlarmUpdates: missed,
      lastAlarmEventId: maxIds.eventId,
      trends,
      storage: d.storage(),
      responses: sessions.flatMap((s) => latestResponses.get(s.id) ?? []),
    };
  };

  ns.on('connection', (socket: DashSocket) => {
    const limiter = new RateLimiter();
    let held = 0;
    /** Every request: rate limit, then the payload checked against its schema, then the handler. */
    const on = <Req>(event: LimitedEvent, schema: z.ZodType<Req>, fn: (req: Req) => unknown) => {
      (socket as unknown as { on(ev: string, fn: (req: unknown, ack: unknown) => Promise<void>): void }).on(
        event,
        handler(d.log, async (raw: unknown) => {
          const refused = limiter.take(event);
          if (refused) {
            // A client that retries the moment it is refused would keep the server busy refusing it: the
            // refusal is answered when the next call could pass (at most 1 s; a few held per connection).
            if (held < MAX_HELD_REFUSALS) {
              held++;
              await new Promise((r) => setTimeout(r, Math.min(1_000, refused.retryMs)));
              held--;
            }
            throw new DomainError(429, refused.error);
          }
          const parsed = schema.safeParse(raw);
          if (!parsed.success) throw new DomainError(400, `invalid ${event} request`, fieldErrors(parsed.error));
          return fn(parsed.data);
        }),
      );
    };

    on('subscribe', subscribeRequestSchema, async (req) => {
      const u = await userFor(socket, 'session.view');
      // Join before building the snapshot so nothing emitted in between is missed (duplicates are ignored by eventId).
      // Its own room (a training run created later joins it to the run's session) and its training runs' sessions.
      await socket.join([...roomsForUser(u), `user:${u.username}`, ...(d.training?.sessionsOfTrainee(u.username) ?? []).map((id) => `trainee:${id}`)]);
      return await snapshot(u, req.lastAlarmEventId, socket.data.viewing);
    });
    on('alarm:acknowledge', alarmAcknowledgeRequestSchema, async (req) => {
      const u = await userFor(socket, 'alarm.acknowledge');
      const alarm = d.alarms.unresolved().find((a) => a.id === req.alarmId);
      if (alarm && !canSeeSession(u, alarm)) throw new DomainError(404, `alarm ${req.alarmId} not found`);
      return d.alarms.acknowledge(req.alarmId, `user:${u.username}`);
    });
    on('alarm:audioPause', alarmAudioPauseRequestSchema, async (req) => {
      const u = await userFor(socket, 'alarm.acknowledge');
      // Only an alarm still signalled, of a session this user sees: anything else is "not found", never a hint.
      const alarm = d.alarms.unresolved().find((a) => a.id === req.alarmId);
      if (!alarm || !canSeeSession(u, alarm)) throw new DomainError(404, `alarm ${req.alarmId} not found or already resolved`);
      return await d.sessions.pauseAlarmAudio(alarm.sessionId, alarm.id, d.audioPauseMs, { id: `user:${u.username}`, role: u.role });
    });
    on('escalation:acknowledge', escalationAcknowledgeRequestSchema, async (req) => {
      const u = await userFor(socket, 'escalation.acknowledge');
      const e = d.escalations.list().find((x) => x.id === req.escalationId);
      if (e && !canSeeSession(u, e)) throw new DomainError(404, `escalation ${req.escalationId} not found`);
      return await d.escalations.acknowledge(req.escalationId, `user:${u.username}`);
    });
    on('response:record', physicianResponseRequestSchema, async (req) => {
      const u = await userFor(socket, 'response.record');
      const session = await d.sessions.get(req.sessionId);
      assertCanSee(u, session);
      const { sessionId: _sessionId, ...input } = req;
      return d.responses.record(session, input, u);
    });
    on('session:detail', sessionDetailRequestSchema, async (req) => {
      const u = await userFor(socket, 'session.view');
      const session = await d.sessions.get(req.sessionId);
      assertCanSee(u, session);
      // This screen now shows the session's page (one page per screen): it gets its simulated escalations.
      if (socket.data.viewing !== session.id) {
        if (socket.data.viewing) await socket.leave(`view:${socket.data.viewing}`);
        await socket.join(`view:${session.id}`);
        socket.data.viewing = session.id;
      }
      const now = d.clock.now();
      const to = (session.endedAt ?? now) + 60_000;
      // Never before the session opened, whatever sinceT says; the point count is bounded by downsampling.
      const opened = session.createdAt - 60_000;
      const from = req.sinceT !== undefined ? Math.max(req.sinceT, opened) : Math.max(opened, to - 60_000 - 60 * 60_000);
      return {
        session,
        trend: await d.vitals.window(session.id, from, to, DETAIL_POINTS),
        infusionEvents: await d.sessions.events(session.id),
        alarms: await d.alarmRepo.forSession(session.id),
        observations: await d.care.observations(session.id),
        checklist: await d.care.checklist(session.id),
        rescueDoses: await d.care.rescueDoses(session.id),
        order: await d.care.order(session.id),
        responses: await d.responses.list(session.id),
        phases: await d.sessions.phases(session.id),
        discharge: d.discharges ? await d.discharges.record(session.id) : null,
        adverseEffects: (await d.adverseEffects?.list(session.id)) ?? [],
      };
    });
  });

  // A screen that only watches sends no events: every 30 s each socket's login is re-checked (which also
  // counts as activity, so a connected monitor stays logged in until the absolute lifetime, a shift).
  const recheck = setInterval(() => {
    for (const socket of ns.sockets.values()) {
      d.loginSessions.resolve(socket.data.token).then(
        (s) => {
          if (!s) socket.disconnect(true);
        },
        (err: unknown) => d.log.error({ err }, 'login re-check failed'),
      );
    }
  }, 30_000);
  recheck.unref();

  // A screen whose queue stayed over the bound from one sweep to the next is not reading: cut it off.
  const behind = new Set<string>();
  const sweep = setInterval(() => {
    for (const socket of ns.sockets.values()) {
      if (pendingPackets(socket) <= bounds.behind) behind.delete(socket.id);
      else if (behind.delete(socket.id)) cut(socket, 'behind');
      else behind.add(socket.id);
    }
  }, bounds.sweepMs);
  sweep.unref();

  return () => {
    coalescer.close();
    clearInterval(recheck);
    clearInterval(sweep);
  };
}

/** Why a handshake's Origin is refused, or null when it may connect (same host, or listed). */
export function originRefusal(origin: unknown, host: unknown, allowed: readonly string[]): string | null {
  if (origin === undefined) return null; // not a browser (devices, tests, tools): the cookie still decides
  if (typeof origin !== 'string') return 'invalid Origin header: must be a single value';
  if (allowed.includes(origin)) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return 'invalid Origin header: not a URL';
  }
  if (typeof host !== 'string' || host === '') return 'invalid Host header: missing';
  return originHost === host ? null : 'forbidden origin';
}
