import { fieldErrors, patientRecordQuerySchema, patientSearchSchema, type PublicUser } from '@infusion/shared';
import { Router, type Request } from 'express';
import { actorOf, forbidden, userOf } from '../auth/httpAuth';
import type { CourseRecords } from '../patients/courseRecords';
import type { PatientService } from '../patients/patientService';
import { badRequest } from '../util/errors';
import { ok } from './http';

/**
 * /api/patients: pseudonymous patient records. Nurses and physicians see every patient (and, on the
 * patient page, the sessions of their units); trainers only simulated patients (a real one is 404, as
 * if it did not exist); admins see no patient data (403). Every change is audited.
 */
export function patientRoutes(patients: PatientService, course: CourseRecords): Router {
  const r = Router();
  const simulatedOnly = (u: PublicUser) => u.role === 'trainer';
  const patientOf = (req: Request, u: PublicUser) => patients.visible(Number(req.params.pid), simulatedOnly(u));

  r.get('/', async (req, res) => {
    const u = userOf(req, 'patient.view');
    const q = patientSearchSchema.safeParse(req.query);
    if (!q.success) throw badRequest('invalid search', fieldErrors(q.error));
    ok(res, await patients.search(q.data.q ?? '', q.data.limit, simulatedOnly(u), q.data.cursor));
  });
  r.post('/', async (req, res) => {
    const u = userOf(req, 'patient.manage');
    if (u.role === 'trainer' && (req.body as { simulated?: unknown } | undefined)?.simulated !== true) throw forbidden('trainers may only create simulated patients ("simulated": true)');
    ok(res, await patients.create(req.body, actorOf(req)), 201);
  });
  r.get('/:pid', async (req, res) => {
    const u = userOf(req, 'patient.view');
    const q = patientRecordQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest('invalid page', fieldErrors(q.error));
    ok(res, await course.record(await patientOf(req, u), u, { limit: q.data.limit, after: q.data.cursor }));
  });
  r.patch('/:pid', async (req, res) => {
    const u = userOf(req, 'patient.manage');
    ok(res, await patients.update(await patientOf(req, u), req.body, actorOf(req)));
  });
  /** The series notice before a new session is opened (admission). */
  r.get('/:pid/series', async (req, res) => {
    const u = userOf(req, 'patient.view');
    const p = await patientOf(req, u);
    ok(res, await course.series(p.id, null));
  });
  r.post('/:pid/follow-ups', async (req, res) => {
    const u = userOf(req, 'outcome.document');
    const p = await patientOf(req, u);
    ok(res, await patients.addFollowUp(p, req.body, await course.sessionIds(p.id), actorOf(req)), 201);
  });
  return r;
}
