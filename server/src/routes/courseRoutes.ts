import { Router } from 'express';
import { actorOf, userOf } from '../auth/httpAuth';
import type { AdverseEffects } from '../care/adverseEffects';
import type { SessionResponses } from '../care/sessionResponse';
import type { CourseRecords } from '../patients/courseRecords';
import type { SessionService } from '../sessions/sessionService';
import { ok } from './http';
import { visibleSession } from './visibleSession';

/** The course of care on a session: /api/sessions/:id/{adverse-effects,response,series}. */
export function courseRoutes(sessions: SessionService, effects: AdverseEffects, responses: SessionResponses, course: CourseRecords): Router {
  const r = Router({ mergeParams: true });
  r.post('/:id/adverse-effects', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'adverse.document'));
    ok(res, await effects.record(s, req.body, actorOf(req)), 201);
  });
  r.get('/:id/adverse-effects', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'session.view'));
    ok(res, await effects.list(s.id));
  });
  r.put('/:id/response', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'outcome.document'));
    await responses.set(s, req.body, actorOf(req));
    ok(res, { record: await responses.get(s.id), assessment: await course.response(s.id) });
  });
  r.get('/:id/response', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'session.view'));
    ok(res, { record: await responses.get(s.id), assessment: await course.response(s.id) });
  });
  /** At the start of the session: the patient's infusions in 12 months, first-course check and reassessment (Q3, Q8). */
  r.get('/:id/series', async (req, res) => {
    const s = visibleSession(sessions, req, userOf(req, 'session.view'));
    ok(res, s.patientId === null ? null : await course.series(s.patientId, s.id));
  });
  return r;
}
