import { Router, type Request } from 'express';
import { fieldErrors, infusionEventInputSchema, type PublicUser } from '@infusion/shared';
import { actorOf, userOf } from '../auth/httpAuth';
import type { CareService } from '../care/careService';
import type { DoseGuard } from '../care/doseGuard';
import type { SessionService } from '../sessions/sessionService';
import { badRequest, DomainError } from '../util/errors';
import { ok } from './http';
import { visibleSession } from './visibleSession';

/** The physician's order and the dose check: /api/sessions/:id/{order,dose-check}. */
export function orderRoutes(sessions: SessionService, care: CareService, guard: DoseGuard): Router {
  const r = Router({ mergeParams: true });
  const visible = (req: Request, u: PublicUser) => visibleSession(sessions, req, u);
  /** The current order (null: none written) and every version. */
  r.get('/:id/order', (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    ok(res, { order: care.order(s.id), history: care.orderHistory(s.id) });
  });
  r.put('/:id/order', (req, res) => {
    const s = visible(req, userOf(req, 'order.write'));
    ok(res, care.writeOrder(s.id, req.body, actorOf(req)));
  });
  /** What a start, rate change or bolus would meet (limits, crossings, outcome), storing nothing. */
  r.post('/:id/dose-check', async (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    const p = infusionEventInputSchema.safeParse(req.body);
    if (!p.success) throw badRequest('invalid dose action', fieldErrors(p.error));
    const ev = p.data;
    if (ev.type !== 'start' && ev.type !== 'rate_change' && ev.type !== 'bolus') throw badRequest('invalid dose action', [{ field: 'type', reason: 'start, rate_change or bolus' }]);
    const l = sessions.getLive(s.id);
    if (!l) throw new DomainError(409, `session ${s.id} has ended`);
    ok(res, await guard.preview(l, ev.type === 'bolus' ? { type: 'bolus', doseMg: ev.doseMg } : { type: ev.type, rateMgKgH: ev.rateMgKgH }, ev.t));
  });
  return r;
}
