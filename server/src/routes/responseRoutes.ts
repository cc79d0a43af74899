import { Router } from 'express';
import { userOf } from '../auth/httpAuth';
import type { PhysicianResponses } from '../care/physicianResponses';
import type { SessionService } from '../sessions/sessionService';
import { ok } from './http';
import { visibleSession } from './visibleSession';

/** Physician responses on a session: /api/sessions/:id/responses (physicians of its unit; trainers in simulated sessions). */
export function responseRoutes(sessions: SessionService, responses: PhysicianResponses): Router {
  const r = Router({ mergeParams: true });
  r.post('/:id/responses', async (req, res) => {
    const u = userOf(req, 'response.record');
    const s = visibleSession(sessions, req, u);
    ok(res, await responses.record(s, req.body, u, req.id), 201);
  });
  r.get('/:id/responses', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'session.view'));
    ok(res, await responses.list(s.id));
  });
  return r;
}
