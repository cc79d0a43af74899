import {
  ALL_UNITS,
  can,
  canSeeSession,
  type DashboardClientToServer,
  type DashboardServerToClient,
  type LiveVitals,
  type Permission,
  type PublicUser,
  type Snapshot,
  type StorageStatus,
} from '@infusion/shared';
import type { Namespace, Socket } from 'socket.io';
import type { AlarmManager } from '../alarms/alarmManager';
import type { EscalationService } from '../alarms/escalationService';
import type { CareService } from '../care/careService';
import { assertCanSee, cookieToken } from '../auth/httpAuth';
import type { LoginSessions } from '../auth/loginSessions';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { DomainError } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import { handler } from './ack';
import { LiveVitalsCoalescer } from './liveVitals';

interface SocketData {
  token: string;
  user: PublicUser;
}
type DashNs = Namespace<DashboardClientToServer, DashboardServerToClient, Record<string, never>, SocketData>;
type DashSocket = Socket<DashboardClientToServer, DashboardServerToClient, Record<string, never>, SocketData>;

const TREND_WINDOW_MS = 15 * 60_000;
const SNAPSHOT_POINTS = 180;
const DETAIL_POINTS = 900;
const MAX_MISSED_UPDATES = 5000;
/** Packets waiting to go out to one screen beyond which its live vitals are skipped. */
const SLOW_SCREEN_BUFFER = 20;

/**
 * Rooms: clinicians join `unit:<name>` for each assigned unit (or `unit:*`); trainers join
 * `sim:<name>` and so only ever receive simulated sessions. A session's events go to the rooms
 * of its unit; a simulated session's also to the trainers' rooms.
 */
const roomsForUser = (u: PublicUser) =>
  u.units.flatMap((unit) => (u.role === 'trainer' ? [`sim:${unit}`] : u.role === 'physician' ? [`unit:${unit}`, `phys:${unit}`] : [`unit:${unit}`]));
/** Level 1 goes to the unit's physicians (trainers stand in for them in simulated sessions); level 2 to every clinician. */
const roomsForEscalation = (e: { unit: string; simulated: boolean; level: number }) => [
  `phys:${e.unit}`,
  `phys:${ALL_UNITS}`,
  ...(e.level >= 2 ? [`unit:${e.unit}`, `unit:${ALL_UNITS}`] : []),
  ...(e.simulated ? [`sim:${e.unit}`, `sim:${ALL_UNITS}`] : []),
];
const roomsForSession = (s: { unit: string; simulated: boolean }) => [
  `unit:${s.unit}`,
  `unit:${ALL_UNITS}`,
  ...(s.simulated ? [`sim:${s.unit}`, `sim:${ALL_UNITS}`] : []),
];

/** engine.io keeps unsent packets in a field it does not type as public (pinned version; read defensively). */
const pendingPackets = (socket: { conn: unknown }): number => (socket.conn as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;

export interface DashboardDeps {
  sessions: SessionService;
  alarms: AlarmManager;
  escalations: EscalationService;
  care: CareService;
  alarmRepo: AlarmRepo;
  vitals: VitalsRepo;
  loginSessions: LoginSessions;
  hub: Hub;
  clock: Clock;
  log: Logger;
  ruleSet: () => { id: string; version: number; name: string };
  livePushMs: number;
  /** Recording state: a failure is a technical alarm for every screen. */
  storage: () => StorageStatus;
  /** Origins allowed to open a dashboard socket besides the server's own host. */
  allowedOrigins?: string[];
}

export function attachDashboard(ns: DashNs, d: DashboardDeps): () => void {
  const scopeOf = (sessionId: string) => {
    const l = d.sessions.getLive(sessionId);
    return l ? l.stored : d.sessions.get(sessionId);
  };
  const coalescer = new LiveVitalsCoalescer(d.livePushMs, (batch) => {
    const byRoom = new Map<string, LiveVitals[]>();
    for (const lv of batch) {
      const l = d.sessions.getLive(lv.sessionId);
      if (!l) continue;
      for (const room of roomsForSession(l.stored)) {
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
  d.hub.on('vitals', (id, s) => coalescer.add(id, s));
  // Alarms are never volatile: a dashboard either gets them now or on its next subscribe.
  d.hub.on('alarm', (u) => ns.to(roomsForSession(u.alarm)).emit('alarm', u));
  d.hub.on('session', (s) => ns.to(roomsForSession(s)).emit('session', s));
  d.hub.on('infusionEvent', (e) => ns.to(roomsForSession(scopeOf(e.sessionId))).emit('infusionEvent', e));
  d.hub.on('escalation', (e) => ns.to(roomsForEscalation(e)).emit('escalation', e));
  d.hub.on('observation', (o) => ns.to(roomsForSession(scopeOf(o.sessionId))).emit('observation', o));
  d.hub.on('rescueDose', (x) => ns.to(roomsForSession(scopeOf(x.sessionId))).emit('rescueDose', x));
  // Recording failed or came back: every connected screen, whatever its unit or role.
  d.hub.on('storage', (st) => ns.emit('storage', st));

  // Only logged-in users, from the dashboard's own origin (no cross-site WebSocket hijacking).
  ns.use((socket, next) => {
    const origin = socket.handshake.headers.origin;
    const host = socket.handshake.headers.host;
    if (origin && host && new URL(origin).host !== host && !(d.allowedOrigins ?? []).includes(origin)) return next(new Error('forbidden origin'));
    const token = cookieToken(socket.handshake.headers.cookie);
    const s = d.loginSessions.resolve(token);
    if (!s || !token) return next(new Error('not logged in'));
    if (s.user.mustChangePassword) return next(new Error('password change required'));
    if (!can(s.user.role, 'session.view')) return next(new Error(`role ${s.user.role} has no dashboard`));
    socket.data.token = token;
    socket.data.user = s.user;
    next();
  });

  /** Each event re-checks the login session, so logout, expiry and disabling take effect at once. */
  const userFor = (socket: DashSocket, p: Permission): PublicUser => {
    const s = d.loginSessions.resolve(socket.data.token);
    if (!s) {
      setImmediate(() => socket.disconnect(true));
      throw new DomainError(401, 'not logged in');
    }
    if (!can(s.user.role, p)) throw new DomainError(403, `role ${s.user.role} may not ${p}`);
    socket.data.user = s.user;
    return s.user;
  };

  const snapshot = (u: PublicUser, lastAlarmEventId: number | undefined): Snapshot => {
    const now = d.clock.now();
    const sessions = d.sessions.listActive().filter((s) => canSeeSession(u, s));
    const trends: Snapshot['trends'] = {};
    for (const s of sessions) trends[s.id] = d.vitals.window(s.id, now - TREND_WINDOW_MS, now + 60_000, SNAPSHOT_POINTS);
    const missed = lastAlarmEventId === undefined ? [] : d.alarmRepo.updatesSince(lastAlarmEventId, MAX_MISSED_UPDATES).filter((x) => canSeeSession(u, x.alarm));
    const rs = d.ruleSet();
    return {
      serverTime: now,
      ruleSet: { id: rs.id, version: rs.version, name: rs.name },
      sessions,
      alarms: d.alarms.unresolved().filter((a) => canSeeSession(u, a)),
      escalations: d.escalations.list().filter((e) => canSeeSession(u, e) && (e.level >= 2 || u.role !== 'nurse')),
      missedAlarmUpdates: missed,
      lastAlarmEventId: d.alarmRepo.maxIds().eventId,
      trends,
      storage: d.storage(),
    };
  };

  ns.on('connection', (socket: DashSocket) => {
    socket.on(
      'subscribe',
      handler(d.log, async (req: { lastAlarmEventId?: number }) => {
        const u = userFor(socket, 'session.view');
        const last = req && typeof req.lastAlarmEventId === 'number' && req.lastAlarmEventId >= 0 ? req.lastAlarmEventId : undefined;
        // Join before building the snapshot so nothing emitted in between is missed (duplicates are ignored by eventId).
        await socket.join(roomsForUser(u));
        return snapshot(u, last);
      }),
    );
    socket.on(
      'alarm:acknowledge',
      handler(d.log, (req: { alarmId: number }) => {
        const u = userFor(socket, 'alarm.acknowledge');
        if (!req || !Number.isInteger(req.alarmId)) throw new DomainError(400, 'invalid request', [{ field: 'alarmId', reason: 'must be an integer' }]);
        const alarm = d.alarms.unresolved().find((a) => a.id === req.alarmId);
        if (alarm && !canSeeSession(u, alarm)) throw new DomainError(404, `alarm ${req.alarmId} not found`);
        return d.alarms.acknowledge(req.alarmId, `user:${u.username}`);
      }),
    );
    socket.on(
      'escalation:acknowledge',
      handler(d.log, (req: { escalationId: number }) => {
        const u = userFor(socket, 'escalation.acknowledge');
        if (!req || !Number.isInteger(req.escalationId)) throw new DomainError(400, 'invalid request', [{ field: 'escalationId', reason: 'must be an integer' }]);
        const e = d.escalations.list().find((x) => x.id === req.escalationId);
        if (e && !canSeeSession(u, e)) throw new DomainError(404, `escalation ${req.escalationId} not found`);
        return d.escalations.acknowledge(req.escalationId, `user:${u.username}`);
      }),
    );
    socket.on(
      'session:detail',
      handler(d.log, (req: { sessionId: string; sinceT?: number }) => {
        const u = userFor(socket, 'session.view');
        if (!req || typeof req.sessionId !== 'string') throw new DomainError(400, 'invalid request', [{ field: 'sessionId', reason: 'must be a string' }]);
        const session = d.sessions.get(req.sessionId);
        assertCanSee(u, session);
        const now = d.clock.now();
        const to = session.endedAt ?? now;
        const from = typeof req.sinceT === 'number' ? req.sinceT : Math.max(session.createdAt - 60_000, to - 60 * 60_000);
        return {
          session,
          trend: d.vitals.window(session.id, from, to + 60_000, DETAIL_POINTS),
          infusionEvents: d.sessions.events(session.id),
          alarms: d.alarmRepo.forSession(session.id),
          observations: d.care.observations(session.id),
          checklist: d.care.checklist(session.id),
          rescueDoses: d.care.rescueDoses(session.id),
          order: d.care.order(session.id),
        };
      }),
    );
  });

  // A screen that only watches sends no events: every 30 s each socket's login is re-checked (which also
  // counts as activity, so a connected monitor stays logged in until the absolute lifetime, a shift).
  const recheck = setInterval(() => {
    for (const socket of ns.sockets.values()) {
      if (!d.loginSessions.resolve(socket.data.token)) socket.disconnect(true);
    }
  }, 30_000);
  recheck.unref();

  return () => {
    coalescer.close();
    clearInterval(recheck);
  };
}
