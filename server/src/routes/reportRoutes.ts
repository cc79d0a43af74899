import { ALL_UNITS } from '@infusion/shared';
import { Router } from 'express';
import { forbidden, userOf } from '../auth/httpAuth';
import type { ReportRepo } from '../persistence/reportRepo';
import { alarmReport } from '../reports/alarmReport';
import { guardrailReport } from '../reports/guardrailReport';
import type { Clock } from '../util/clock';
import { ok } from './http';

export function reportRoutes(reports: ReportRepo, clock: Clock): Router {
  const r = Router();
  r.get('/alarms', async (req, res) => {
    const u = userOf(req, 'report.view');
    const unit = typeof req.query.unit === 'string' ? req.query.unit : '';
    if (u.role !== 'admin' && !u.units.includes(ALL_UNITS) && !u.units.includes(unit)) throw forbidden(`not assigned to unit ${unit}`);
    ok(res, await alarmReport(reports, req.query, clock.now()));
  });
  /** Guardrail compliance: soft-limit alerts, overrides with reasons, hard-limit refusals, per limit. */
  r.get('/guardrails', async (req, res) => {
    const u = userOf(req, 'report.view');
    const unit = typeof req.query.unit === 'string' ? req.query.unit : '';
    if (u.role !== 'admin' && !u.units.includes(ALL_UNITS) && !u.units.includes(unit)) throw forbidden(`not assigned to unit ${unit}`);
    ok(res, await guardrailReport(reports, req.query));
  });
  return r;
}
