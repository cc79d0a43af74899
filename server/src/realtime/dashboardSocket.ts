import type { DashboardClientToServer, DashboardServerToClient, Snapshot } from '@infusion/shared';
import type { Namespace, Socket } from 'socket.io';
import type { AlarmManager } from '../alarms/alarmManager';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { DomainError } from '../util/errors';
import type { Hub } from '../util/hub';
import type { Logger } from '../util/logger';
import { handler } from './ack';
import { LiveVitalsCoalescer } from './liveVitals';

type DashNs = Namespace<DashboardClientToServer, DashboardServerToClient>;
type DashSocket = Socket<DashboardClientToServer, DashboardServerToClient>;

const ROOM = 'dashboards';
const TREND_WINDOW_MS = 15 * 60_000;
const SNAPSHOT_POINTS = 180;
const DETAIL_POINTS = 900;
const MAX_MISSED_UPDATES = 5000;

export interface DashboardDeps {
  sessions: SessionService;
  alarms: AlarmManager;
  alarmRepo: AlarmRepo;
  vitals: VitalsRepo;
  hub: Hub;
  clock: Clock;
  log: Logger;
  ruleSet: () => { id: string; version: number; name: string };
  livePushMs: number;
}

export function attachDashboard(ns: DashNs, d: DashboardDeps): () => void {
  const coalescer = new LiveVitalsCoalescer(d.livePushMs, (batch) => ns.to(ROOM).volatile.emit('vitals', batch));
  d.hub.on('vitals', (id, s) => coalescer.add(id, s));
  // Alarms are never volatile: a dashboard either gets them now or on its next subscribe.
  d.hub.on('alarm', (u) => ns.to(ROOM).emit('alarm', u));
  d.hub.on('session', (s) => ns.to(ROOM).emit('session', s));
  d.hub.on('infusionEvent', (e) => ns.to(ROOM).emit('infusionEvent', e));

  const snapshot = (lastAlarmEventId: number | undefined): Snapshot => {
    const now = d.clock.now();
    const sessions = d.sessions.listActive();
    const trends: Snapshot['trends'] = {};
    for (const s of sessions) trends[s.id] = d.vitals.window(s.id, now - TREND_WINDOW_MS, now + 60_000, SNAPSHOT_POINTS);
    const missed = lastAlarmEventId === undefined ? [] : d.alarmRepo.updatesSince(lastAlarmEventId, MAX_MISSED_UPDATES);
    const rs = d.ruleSet();
    return {
      serverTime: now,
      ruleSet: { id: rs.id, version: rs.version, name: rs.name },
      sessions,
      alarms: d.alarms.unresolved(),
      missedAlarmUpdates: missed,
      lastAlarmEventId: d.alarmRepo.maxIds().eventId,
      trends,
    };
  };

  ns.on('connection', (socket: DashSocket) => {
    socket.on(
      'subscribe',
      handler(d.log, (req: { lastAlarmEventId?: number }) => {
        const last = req && typeof req.lastAlarmEventId === 'number' && req.lastAlarmEventId >= 0 ? req.lastAlarmEventId : undefined;
        // Join before building the snapshot so nothing emitted in between is missed (duplicates are ignored by eventId).
        void socket.join(ROOM);
        return snapshot(last);
      }),
    );
    socket.on(
      'alarm:acknowledge',
      handler(d.log, (req: { alarmId: number }) => {
        if (!req || !Number.isInteger(req.alarmId)) throw new DomainError(400, 'invalid request', [{ field: 'alarmId', reason: 'must be an integer' }]);
        return d.alarms.acknowledge(req.alarmId, 'dashboard');
      }),
    );
    socket.on(
      'session:detail',
      handler(d.log, (req: { sessionId: string; sinceT?: number }) => {
        if (!req || typeof req.sessionId !== 'string') throw new DomainError(400, 'invalid request', [{ field: 'sessionId', reason: 'must be a string' }]);
        const session = d.sessions.get(req.sessionId);
        const now = d.clock.now();
        const to = session.endedAt ?? now;
        const from = typeof req.sinceT === 'number' ? req.sinceT : Math.max(session.createdAt - 60_000, to - 60 * 60_000);
        return {
          session,
          trend: d.vitals.window(session.id, from, to + 60_000, DETAIL_POINTS),
          infusionEvents: d.sessions.events(session.id),
          alarms: d.alarmRepo.forSession(session.id),
        };
      }),
    );
  });

  return () => coalescer.close();
}
