import { ALL_UNITS, bedsideIssues, canSeeSession, configureRuleSet, fieldErrors, overridesSchema, RuleSetConfigError, type PublicUser } from '@infusion/shared';
import { Router, type Request } from 'express';
import { actorOf, forbidden, userOf } from '../auth/httpAuth';
import type { CareService } from '../care/careService';
import type { DischargeService } from '../care/dischargeService';
import type { DeviceAssignments } from '../ingest/deviceAssignments';
import type { AlarmRepo } from '../persistence/alarmRepo';
import type { VitalsRepo } from '../persistence/vitalsRepo';
import type { RuleSetStore } from '../rules/ruleSetStore';
import type { SessionRules } from '../rules/sessionRules';
import { badRequest } from '../util/errors';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { ok } from './http';
import { visibleSession } from './visibleSession';

export function sessionRoutes(
  sessions: SessionService,
  vitals: VitalsRepo,
  alarms: AlarmRepo,
  care: CareService,
  discharges: DischargeService,
  clock: Clock,
  audioPauseMs: number,
  rules: SessionRules,
  ruleSets: RuleSetStore,
  assignments: DeviceAssignments,
  /** Whether a user's screens list a session beyond canSeeSession (a training run's: its trainers and trainee only). */
  lists: (u: PublicUser, s: { id: string; unit: string }) => boolean = () => true,
): Router {
  const r = Router();
  const visible = (req: Request, u: PublicUser) => visibleSession(sessions, req, u);

  r.post('/', async (req, res) => {
    const u = userOf(req, 'session.create');
    const body = (req.body ?? {}) as { unit?: unknown; simulated?: unknown };
    if (u.role === 'trainer' && body.simulated !== true) throw forbidden('trainers may only create simulated sessions ("simulated": true)');
    const unit = typeof body.unit === 'string' ? body.unit : 'infusion-suite';
    if (!u.units.includes(ALL_UNITS) && !u.units.includes(unit)) throw forbidden(`not assigned to unit ${unit}`);
    // Devices named at the start are checked before the session exists, so a refusal leaves nothing behind.
    const deviceIds = (req.body as { deviceIds?: unknown } | undefined)?.deviceIds;
    const ids = Array.isArray(deviceIds) ? deviceIds.filter((d): d is number => Number.isInteger(d) && d > 0) : [];
    const maySee = (sessionId: string) => {
      const l = sessions.getLive(sessionId);
      return !l || canSeeSession(u, l.stored);
    };
    const simulated = body.simulated === true;
    for (const d of ids) await assignments.check(d, { id: '(new)', simulated }, null, maySee);
    // The session and its device assignments commit together: 201 with both, or nothing stored.
    const created = ids.length ? await assignments.withCreation(ids, actorOf(req), maySee, (within) => sessions.create(req.body, actorOf(req), within)) : await sessions.create(req.body, actorOf(req));
    ok(res, created, 201);
  });
  r.get('/', (req, res) => {
    const u = userOf(req, 'session.view');
    ok(res, sessions.listActive().filter((s) => canSeeSession(u, s) && lists(u, s)));
  });
  r.get('/:id', async (req, res) => {
    const session = visible(req, userOf(req, 'session.view'));
    const to = session.endedAt ?? clock.now();
    const [trend, infusionEvents, sessionAlarms, observations, checklist, order, rescueDoses, phases, discharge] = await Promise.all([
      vitals.window(session.id, Math.max(session.createdAt - 60_000, to - 15 * 60_000), to + 60_000, 900),
      sessions.events(session.id),
      alarms.forSession(session.id),
      care.observations(session.id),
      care.checklist(session.id),
      care.order(session.id),
      care.rescueDoses(session.id),
      sessions.phases(session.id),
      discharges.record(session.id),
    ]);
    ok(res, {
      session,
      trend,
      infusionEvents,
      alarms: sessionAlarms,
      observations,
      checklist,
      order,
      rescueDoses,
      phases,
      discharge,
    });
  });
  r.post('/:id/infusion', async (req, res) => {
    const isBolus = (req.body as { type?: unknown } | undefined)?.type === 'bolus';
    const s = visible(req, userOf(req, isBolus ? 'infusion.bolus' : 'infusion.document'));
    // The dose gate reads the order and checklist from memory: as committed, whichever node wrote them.
    if (s.status === 'active') await care.refresh(s.id);
    ok(res, await sessions.addInfusionEvent(s.id, req.body, actorOf(req)), 201);
  });
  r.post('/:id/audio-pause', async (req, res) => {
    const s = visible(req, userOf(req, 'alarm.acknowledge'));
    ok(res, await sessions.pauseAudio(s.id, audioPauseMs, actorOf(req)));
  });
  /** The session's effective rules: the version it runs under, its profile and any physician overrides. */
  r.get('/:id/rules', (req, res) => {
    const s = visible(req, userOf(req, 'session.view'));
    const stored = sessions.requireActiveSession(s.id);
    const c = rules.configured(stored);
    ok(res, { ruleSetVersion: stored.ruleSetVersion, profile: stored.profile, changes: c.changes, ruleSet: c.ruleSet });
  });
  r.put('/:id/limits', async (req, res) => {
    const u = userOf(req, 'limits.override');
    const s = visible(req, u);
    const body = (req.body ?? {}) as { overrides?: unknown; reason?: unknown };
    const p = overridesSchema.safeParse(body.overrides);
    if (!p.success) throw badRequest('invalid limits', fieldErrors(p.error).map((f) => ({ ...f, field: `overrides.${f.field}` })));
    if (typeof body.reason !== 'string' || body.reason.trim().length < 5) throw badRequest('invalid limits', [{ field: 'reason', reason: 'a reason of at least 5 characters is required' }]);
    try {
      configureRuleSet(ruleSets.get(s.ruleSetVersion), { profile: s.profile, overrides: p.data });
      // Inside the site's floors and ceilings: apnea and dose rules stay on, dose limits are not raised, SpO2 not below the floor.
      const bounds = bedsideIssues(configureRuleSet(ruleSets.get(s.ruleSetVersion), { profile: s.profile }).ruleSet, p.data);
      if (bounds.length) throw new RuleSetConfigError(bounds);
    } catch (err) {
      if (err instanceof RuleSetConfigError) throw badRequest('invalid limits', err.issues.map((i) => ({ field: 'overrides', reason: i })));
      throw err;
    }
    ok(res, await sessions.setLimitOverrides(s.id, { overrides: p.data, reason: body.reason.trim().slice(0, 500), by: `user:${u.username}`, at: clock.now() }, actorOf(req)));
  });
  r.delete('/:id/limits', async (req, res) => {
    const s = visible(req, userOf(req, 'limits.override'));
    ok(res, await sessions.setLimitOverrides(s.id, null, actorOf(req)));
  });
  r.post('/:id/end', async (req, res) => {
    const s = visible(req, userOf(req, 'session.end'));
    ok(res, await sessions.end(s.id, req.body, actorOf(req)));
  });
  return r;
}
