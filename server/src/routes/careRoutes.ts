import { Router, type Request } from 'express';
import type { PublicUser } from '@infusion/shared';
import { actorOf, userOf } from '../auth/httpAuth';
import type { CareService } from '../care/careService';
import type { DischargeService } from '../care/dischargeService';
import type { SessionService } from '../sessions/sessionService';
import { ok } from './http';
import { visibleSession } from './visibleSession';

/** Bedside documentation on a session: /api/sessions/:id/{observations,checklist,rescue}. */
export function careRoutes(sessions: SessionService, care: CareService, discharges: DischargeService): Router {
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
  r.get('/:id/checklist', async (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    ok(res, await care.checklist(s.id));
  });
  r.post('/:id/checklist/override', async (req, res) => {
    const s = visible(req, userOf(req, 'checklist.override'));
    ok(res, await care.overrideChecklist(s.id, req.body, actorOf(req)));
  });
  /** The discharge criteria for these answers as they stand now (nothing stored). */
  r.post('/:id/discharge/assess', async (req, res) => {
    const s = visible(req, userOf(req, 'session.discharge'));
    ok(res, await discharges.assess(s.id, req.body));
  });
  /** Discharge from recovery: criteria met, or a physician's override with a reason. */
  r.post('/:id/discharge', async (req, res) => {
    const s = visible(req, userOf(req, 'session.discharge'));
    ok(res, await discharges.discharge(s.id, req.body, actorOf(req)));
  });
  r.post('/:id/rescue', async (req, res) => {
    const s = visible(req, userOf(req, 'rescue.document'));
    ok(res, await care.documentRescue(s.id, req.body, actorOf(req)), 201);
  });
  return r;
}

export function formularyRoutes(care: CareService): Router {
  const r = Router();
  r.get('/', (req, res) => {
    userOf(req, 'formulary.view');
    ok(res, care.getFormulary());
  });
  r.put('/', async (req, res) => {
    userOf(req, 'formulary.manage');
    ok(res, await care.updateFormulary(req.body, actorOf(req)));
  });
  return r;
}
