import { DEBRIEF_EXPORT_FORMATS, type DebriefExportFormat } from '@infusion/shared';
import { Router } from 'express';
import { actorOf, userOf } from '../auth/httpAuth';
import type { DebriefService } from '../training/debriefService';
import type { TrainingService, TrainingTransition } from '../training/trainingService';
import { badRequest } from '../util/errors';
import { ok } from './http';

const isDebriefFormat = (f: unknown): f is DebriefExportFormat => typeof f === 'string' && (DEBRIEF_EXPORT_FORMATS as readonly string[]).includes(f);

/**
 * Training runs (docs/api.md): trainers create and drive runs in their training units; a trainee
 * reads their own runs. Every change is audited with the run.
 */
export function trainingRoutes(training: TrainingService, debriefs: DebriefService): Router {
  const r = Router();
  r.get('/scenarios', (req, res) => {
    userOf(req, 'training.run');
    ok(res, training.scenarios());
  });
  // The unit's clinicians the create form offers as trainees (the user directory is the admin's otherwise).
  r.get('/trainees', async (req, res) => {
    ok(res, await training.trainees(userOf(req, 'training.run'), req.query.unit));
  });
  r.get('/runs', async (req, res) => {
    ok(res, await training.list(userOf(req, 'training.view')));
  });
  r.post('/runs', async (req, res) => {
    ok(res, await training.create(userOf(req, 'training.run'), req.body, actorOf(req)), 201);
  });
  r.get('/runs/:id', async (req, res) => {
    ok(res, await training.get(userOf(req, 'training.view'), req.params.id));
  });
  for (const what of ['start', 'pause', 'resume', 'end'] as const satisfies readonly TrainingTransition[]) {
    r.post(`/runs/:id/${what}`, async (req, res) => {
      ok(res, await training.transition(userOf(req, 'training.run'), req.params.id, what, actorOf(req)));
    });
  }
  r.post('/runs/:id/speed', async (req, res) => {
    ok(res, await training.setSpeed(userOf(req, 'training.run'), req.params.id, req.body, actorOf(req)));
  });
  r.post('/runs/:id/events', async (req, res) => {
    ok(res, await training.inject(userOf(req, 'training.run'), req.params.id, req.body, actorOf(req)));
  });
  // The debrief (shared/src/trainingDebrief.ts): read by who reads the run, each read and export audited.
  r.get('/runs/:id/debrief', async (req, res) => {
    ok(res, await debriefs.read(userOf(req, 'training.view'), req.params.id, actorOf(req)));
  });
  r.get('/runs/:id/debrief/export', async (req, res) => {
    const u = userOf(req, 'training.view');
    const format = req.query.format;
    if (!isDebriefFormat(format)) throw badRequest('invalid export format', [{ field: 'format', reason: 'must be one of pdf, csv' }]);
    const f = await debriefs.export(u, req.params.id, format, actorOf(req));
    res.status(200).type(f.type).setHeader('Content-Disposition', `attachment; filename="${f.fileName}"`).setHeader('Cache-Control', 'no-store').send(f.body);
  });
  r.get('/trainees/:username/progress', async (req, res) => {
    ok(res, await debriefs.progress(userOf(req, 'training.view'), req.params.username, actorOf(req)));
  });
  return r;
}
