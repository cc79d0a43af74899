import { Router } from 'express';
import { canSeeSession, type PublicUser } from '@infusion/shared';
import { actorOf, assertCanSee, requirePermission, userOf } from '../auth/httpAuth';
import type { DeviceKeys } from '../auth/deviceKeys';
import type { DeviceAssignments } from '../ingest/deviceAssignments';
import type { LoginSessions } from '../auth/loginSessions';
import type { UserService } from '../auth/userService';
import { redactAudit, type AuditRow } from '../persistence/auditPrivacy';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Clock } from '../util/clock';
import type { SessionService } from '../sessions/sessionService';
import { badRequest, DomainError } from '../util/errors';
import { ok } from './http';

const intParam = (v: unknown, name: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid ${name}`, [{ field: name, reason: 'must be a non-negative integer' }]);
  return n;
};

export function userRoutes(users: UserService, sessions: LoginSessions): Router {
  const r = Router();
  r.use(requirePermission('users.manage'));
  r.get('/', (_req, res) => {
    ok(res, users.list());
  });
  r.post('/', async (req, res) => {
    ok(res, await users.create(req.body, actorOf(req)), 201);
  });
  r.patch('/:id', async (req, res) => {
    const id = intParam(req.params.id, 'id');
    const before = users.get(id);
    const after = await users.update(id, req.body, actorOf(req));
    // Changed powers or a disabled account take effect at once: end that user's sessions.
    if (after.role !== before.role || after.disabled || JSON.stringify(after.units) !== JSON.stringify(before.units) || after.mustChangePassword) await sessions.destroyAllFor(id);
    ok(res, after);
  });
  return r;
}

export function deviceRoutes(keys: DeviceKeys, assignments: DeviceAssignments, sessions: SessionService): Router {
  const r = Router();
  /** Whether the user has rights over a session (an ended or unknown one holds nothing to protect). */
  const maySee = (u: PublicUser) => (sessionId: string) => {
    const l = sessions.getLive(sessionId);
    return !l || canSeeSession(u, l.stored);
  };
  // Binding a device to a patient is a bedside act: clinicians, within the sessions they may see,
  // and only for a device not feeding a session outside their rights. Binding = assignment.
  r.post('/:id/bind', async (req, res) => {
    const u = userOf(req, 'device.bind');
    const body = (req.body ?? {}) as { sessionId?: unknown; bed?: unknown };
    if (typeof body.sessionId !== 'string') throw badRequest('invalid binding', [{ field: 'sessionId', reason: 'must be a session id' }]);
    const s = await sessions.get(body.sessionId);
    assertCanSee(u, s);
    if (s.status !== 'active') throw new DomainError(409, `session ${s.id} has ended`);
    const id = intParam(req.params.id, 'id');
    const a = assignments.assign(id, s, body.bed, actorOf(req), maySee(u));
    ok(res, { ...keys.get(id), assignments: [a, ...assignments.forDevice(id).filter((x) => x.id !== a.id)] });
  });
  r.post('/:id/unbind', (req, res) => {
    const u = userOf(req, 'device.bind');
    const id = intParam(req.params.id, 'id');
    const sessionId = (req.body as { sessionId?: unknown } | undefined)?.sessionId;
    if (sessionId !== undefined && typeof sessionId !== 'string') throw badRequest('invalid unbinding', [{ field: 'sessionId', reason: 'must be a session id' }]);
    keys.get(id);
    const targets = assignments.allOpen(id).filter((a) => sessionId === undefined || a.sessionId === sessionId);
    for (const a of targets) if (!maySee(u)(a.sessionId)) throw new DomainError(404, `session ${a.sessionId} not found`);
    assignments.unassign(id, sessionId ?? null, actorOf(req));
    ok(res, { ...keys.get(id), assignments: assignments.forDevice(id) });
  });
  r.use(requirePermission('devices.manage'));
  r.get('/', (_req, res) => {
    ok(res, keys.list().map((d) => ({ ...d, assignments: assignments.forDevice(d.id) })));
  });
  r.post('/', (req, res) => {
    ok(res, keys.create(req.body, actorOf(req)), 201);
  });
  r.post('/:id/revoke', (req, res) => {
    const id = intParam(req.params.id, 'id');
    const d = keys.revoke(id, actorOf(req));
    assignments.unassign(id, null, actorOf(req));
    ok(res, d);
  });
  return r;
}

const CSV_COLUMNS = ['id', 'at', 'actor', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id'] as const;
const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote everything; neutralise spreadsheet formulas (a cell starting = + - @ is data, not code).
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replaceAll('"', '""')}"`;
};

export function auditRoutes(audit: AuditRepo, clock: Clock): Router {
  const r = Router();
  r.use(requirePermission('audit.view'));
  // Patient fields are shown only to a reader who may see the session (docs/roles.md, audit log).
  const forReader = (req: Parameters<typeof userOf>[0], rows: AuditRow[]) => redactAudit(rows, userOf(req), (id) => audit.sessionScope(id));
  r.get('/', (req, res) => {
    const limit = Math.min(1000, req.query.limit === undefined ? 200 : intParam(req.query.limit, 'limit'));
    if (req.query.order === 'desc') {
      ok(res, forReader(req, audit.listNewest(req.query.beforeId === undefined ? undefined : intParam(req.query.beforeId, 'beforeId'), limit)));
      return;
    }
    const afterId = req.query.afterId === undefined ? 0 : intParam(req.query.afterId, 'afterId');
    ok(res, forReader(req, audit.list(afterId, limit)));
  });
  r.get('/export', (req, res) => {
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest('invalid format', [{ field: 'format', reason: 'must be json or csv' }]);
    const rows = forReader(req, audit.list(0, 1_000_000));
    audit.record({ at: clock.now(), actor: actorOf(req).id, action: 'audit.export', entity: 'audit_log', entityId: null, after: { format, rows: rows.length }, requestId: req.id });
    res.attachment(`audit-log.${format}`);
    if (format === 'json') {
      res.json(rows);
      return;
    }
    res.type('text/csv').send([CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c])).join(','))].join('\n') + '\n');
  });
  return r;
}
