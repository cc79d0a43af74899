import { Router } from 'express';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { ok } from './http';
import { actorOf } from './requestContext';

export function sessionRoutes(sessions: SessionService, vitals: VitalsRepo, alarms: AlarmRepo, clock: Clock): Router {
  const r = Router();
  r.post('/', (req, res) => {
    ok(res, sessions.create(req.body, actorOf(req)), 201);
  });
  r.get('/', (_req, res) => {
    ok(res, sessions.listActive());
  });
  r.get('/:id', (req, res) => {
    const session = sessions.get(req.params.id);
    const to = session.endedAt ?? clock.now();
    ok(res, {
      session,
      trend: vitals.window(session.id, Math.max(session.createdAt - 60_000, to - 15 * 60_000), to + 60_000, 900),
      infusionEvents: sessions.events(session.id),
      alarms: alarms.forSession(session.id),
    });
  });
  r.post('/:id/infusion', (req, res) => {
    ok(res, sessions.addInfusionEvent(req.params.id, req.body, actorOf(req)), 201);
  });
  r.post('/:id/end', (req, res) => {
    ok(res, sessions.end(req.params.id, actorOf(req)));
  });
  return r;
}
