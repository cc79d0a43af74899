import { Router, type Request } from 'express';
import type { PublicUser } from '@infusion/shared';
import { actorOf, userOf } from '../auth/httpAuth';
import type { CareService } from '../care/careService';
import type { SessionService } from '../sessions/sessionService';
import { ok } from './http';
import { visibleSession } from './visibleSession';

/** Bedside documentation on a session: /api/sessions/:id/{observations,checklist,rescue}. */
export function careRoutes(sessions: SessionService, care: CareService): Router {
  const r = Router({ mergeParams: true });
  const visible = (req: Request, u: PublicUser) => visibleSession(sessions, req, u);
  r.post('/:id/observations', async (req, res) => {
    const s = visible(req, userOf(req, 'observation.record'));
    ok(res, await care.recordObservation(s.id, req.body, actorOf(req)), 201);
  });
  r.get('/:id/observations', async (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    ok(res, await care.observations(s.id));
  });
  r.put('/:id/checklist', async (req, res) => {
    const s = visible(req, userOf(req, 'checklist.submit'));
    ok(res, await care.submitChecklist(s.id, req.body, actorOf(req)));
  });
  r.get('/:id/checklist', (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    ok(res, care.checklist(s.id));
  });
  r.post('/:id/checklist/override', (req, res) => {
    const s = visible(req, userOf(req, 'checklist.override'));
    ok(res, care.overrideChecklist(s.id, req.body, actorOf(req)));
  });
  r.post('/:id/rescue', (req, res) => {
    const s = visible(req, userOf(req, 'rescue.document'));
    ok(res, care.documentRescue(s.id, req.body, actorOf(req)), 201);
  });
  return r;
}

export function formularyRoutes(care: CareService): Router {
  const r = Router();
  r.get('/', (req, res) => {
    userOf(req, 'formulary.view');
    ok(res, care.getFormulary());
  });
  r.put('/', (req, res) => {
    userOf(req, 'formulary.manage');
    ok(res, care.updateFormulary(req.body, actorOf(req)));
  });
  return r;
}
