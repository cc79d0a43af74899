import { Router } from 'express';
import { actorOf, userOf } from '../auth/httpAuth';
import type { TrainingService, TrainingTransition } from '../training/trainingService';
import { ok } from './http';

/**
 * Training runs (docs/api.md): trainers create and drive runs in their training units; a trainee
 * reads their own runs. Every change is audited with the run.
 */
export function trainingRoutes(training: TrainingService): Router {
  const r = Router();
  r.get('/scenarios', (req, res) => {
    userOf(req, 'training.run');
    ok(res, training.scenarios());
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
  return r;
}
