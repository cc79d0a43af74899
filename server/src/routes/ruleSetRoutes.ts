import { Router } from 'express';
import { actorOf, userOf } from '../auth/httpAuth';
import type { RuleSetStore } from '../rules/ruleSetStore';
import { badRequest } from '../util/errors';
import { ok } from './http';

export function ruleSetRoutes(store: RuleSetStore): Router {
  const r = Router();
  r.get('/current', (req, res) => {
    userOf(req, 'ruleset.view');
    ok(res, store.current());
  });
  r.get('/versions', async (req, res) => {
    userOf(req, 'ruleset.view');
    ok(res, await store.list());
  });
  r.get('/versions/:version', (req, res) => {
    userOf(req, 'ruleset.view');
    const v = Number(req.params.version);
    if (!Number.isInteger(v) || v < 1) throw badRequest('invalid version', [{ field: 'version', reason: 'must be a positive integer' }]);
    ok(res, store.getStrict(v));
  });
  r.put('/current', async (req, res) => {
    userOf(req, 'ruleset.manage');
    ok(res, await store.update(req.body, actorOf(req)));
  });
  return r;
}
