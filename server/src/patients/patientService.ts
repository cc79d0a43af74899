import { fieldErrors, followUpInputSchema, patientCreateSchema, patientUpdateSchema, type FollowUp, type Patient, type PatientCursor, type Sex } from '@infusion/shared';
import { randomBytes } from 'node:crypto';
import { insertAudit } from '../persistence/auditRepo';
import { isKeyViolation } from '../persistence/storageErrors';
import type { Tx } from '../persistence/store';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest, DomainError, notFound } from '../util/errors';
import type { PatientRepo } from './patientRepo';

/** What a new session says about its patient (sessionCreateSchema's fields). */
export interface SessionPatientInput {
  patientId?: number | undefined;
  patientRef?: string | undefined;
  ageYears: number;
  sex?: Sex | undefined;
  weightKg: number;
  heightCm?: number | undefined;
  simulated: boolean;
}

/** The patient a session belongs to, as the session stores it. */
export interface SessionPatient {
  id: number;
  sitePatientId: string;
  /** The id was made up here (no patientRef or patientId given): no device or HL7 feed can know it. */
  generated: boolean;
}

const yearOf = (t: number) => new Date(t).getUTCFullYear();
/** A site id for a patient admitted without one: pseudonymous by construction. */
const generatedId = (simulated: boolean) => `${simulated ? 'SIM-P' : 'P'}-${randomBytes(5).toString('hex').toUpperCase()}`;

/**
 * Pseudonymous patient records: created, read, their weight/height history and what is on file
 * changed, follow-ups added. Every change is audited in its own transaction (entity `patient`).
 */
export class PatientService {
  constructor(
    private readonly repo: PatientRepo,
    private readonly clock: Clock,
  ) {}

  get(id: number): Promise<Patient | null> {
    return this.repo.get(id);
  }

  search(q: string, limit: number, simulatedOnly: boolean, after?: PatientCursor): Promise<Patient[]> {
    return this.repo.search(q, limit, simulatedOnly, after);
  }

  followUps(patientId: number): Promise<FollowUp[]> {
    return this.repo.followUps(patientId);
  }

  async create(input: unknown, actor: Actor): Promise<Patient> {
    const p = patientCreateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid patient', fieldErrors(p.error));
    const now = this.clock.now();
    const d = p.data;
    const taken = () => new DomainError(409, `site patient id ${d.sitePatientId} is already on file`, [{ field: 'sitePatientId', reason: 'already on file' }]);
    // The look-up answers the common case; two creates of the same id at once both pass it, and the
    // unique index refuses the second one's insert: the same conflict, not a storage failure.
    const id = await this.repo
      .transaction(async (trx) => {
        if (await this.repo.bySiteId(d.sitePatientId, trx)) throw taken();
        const id = await this.repo.insert({ sitePatientId: d.sitePatientId, yearOfBirth: d.yearOfBirth, sex: d.sex ?? null, allergies: d.allergies, contraindications: d.contraindications, simulated: d.simulated, createdAt: now, createdBy: actor.id }, trx);
        if (d.weightKg !== undefined || d.heightCm !== undefined) await this.repo.addMeasurement(id, { t: now, weightKg: d.weightKg ?? null, heightCm: d.heightCm ?? null, by: actor.id }, trx);
        await insertAudit(trx, { at: now, actor: actor.id, action: 'patient.create', entity: 'patient', entityId: String(id), after: d, requestId: actor.requestId ?? null });
        return id;
      })
      .catch((err: unknown) => {
        throw isKeyViolation(err) ? taken() : err;
      });
    return (await this.repo.get(id))!;
  }

  /** A new weight or height joins the dated history; allergies and contraindications are replaced as given. */
  async update(patient: Patient, input: unknown, actor: Actor): Promise<Patient> {
    const p = patientUpdateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid patient change', fieldErrors(p.error));
    const now = this.clock.now();
    const d = p.data;
    await this.repo.transaction(async (trx) => {
      if (d.weightKg !== undefined || d.heightCm !== undefined) await this.repo.addMeasurement(patient.id, { t: now, weightKg: d.weightKg ?? null, heightCm: d.heightCm ?? null, by: actor.id }, trx);
      await this.repo.setOnFile(patient.id, d, trx);
      await insertAudit(trx, { at: now, actor: actor.id, action: 'patient.update', entity: 'patient', entityId: String(patient.id), before: { allergies: patient.allergies, contraindications: patient.contraindications }, after: d, requestId: actor.requestId ?? null });
    });
    return (await this.repo.get(patient.id))!;
  }

  async addFollowUp(patient: Patient, input: unknown, sessionIds: string[], actor: Actor): Promise<FollowUp> {
    const p = followUpInputSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid follow-up', fieldErrors(p.error));
    const now = this.clock.now();
    if (p.data.t > now + 60_000) throw badRequest('invalid follow-up', [{ field: 't', reason: 'in the future' }]);
    if (p.data.sessionId !== undefined && !sessionIds.includes(p.data.sessionId)) throw badRequest('invalid follow-up', [{ field: 'sessionId', reason: 'not a session of this patient' }]);
    const d = p.data;
    return this.repo.transaction(async (trx) => {
      const f = await this.repo.insertFollowUp({ patientId: patient.id, sessionId: d.sessionId ?? null, t: d.t, pain: d.pain ?? null, satisfaction: d.satisfaction ?? null, opioidMmePerDay: d.opioidMmePerDay ?? null, note: d.note ?? null, by: actor.id, at: now }, trx);
      await insertAudit(trx, { at: now, actor: actor.id, action: 'patient.follow_up', entity: 'patient', entityId: String(patient.id), after: f, requestId: actor.requestId ?? null });
      return f;
    });
  }

  /**
   * The patient a new session belongs to, in the session's transaction: the one named by `patientId`
   * or by `patientRef` (the site patient id), else a new one made from the session's data. The
   * session's weight and height join the patient's dated history. A simulated session belongs to a
   * simulated patient and a real one to a real patient.
   */
  async forSession(input: SessionPatientInput, actor: Actor, trx: Tx): Promise<SessionPatient> {
    const now = this.clock.now();
    let patient: Patient | null = null;
    let generated = false;
    if (input.patientId !== undefined) {
      patient = await this.repo.get(input.patientId, trx);
      if (!patient) throw badRequest('invalid session', [{ field: 'patientId', reason: `no patient ${input.patientId}` }]);
      if (input.patientRef !== undefined && input.patientRef !== patient.sitePatientId)
        throw badRequest('invalid session', [{ field: 'patientRef', reason: `patient ${input.patientId} has site patient id ${patient.sitePatientId}` }]);
    } else if (input.patientRef !== undefined) {
      patient = await this.repo.bySiteId(input.patientRef, trx);
    }
    if (patient && patient.simulated !== input.simulated)
      throw badRequest('invalid session', [{ field: input.patientId !== undefined ? 'patientId' : 'patientRef', reason: input.simulated ? 'a simulated session needs a simulated patient' : 'a simulated patient cannot have a real session' }]);
    if (!patient) {
      generated = input.patientRef === undefined;
      const sitePatientId = input.patientRef ?? generatedId(input.simulated);
      const fields = { sitePatientId, yearOfBirth: yearOf(now) - input.ageYears, sex: input.sex ?? null, allergies: [], contraindications: [], simulated: input.simulated };
      const id = await this.repo.insert({ ...fields, createdAt: now, createdBy: actor.id }, trx);
      await insertAudit(trx, { at: now, actor: actor.id, action: 'patient.create', entity: 'patient', entityId: String(id), after: { ...fields, from: 'session admission' }, requestId: actor.requestId ?? null });
      patient = { id, ...fields, createdAt: now, createdBy: actor.id, measurements: [] };
    }
    await this.repo.addMeasurement(patient.id, { t: now, weightKg: input.weightKg, heightCm: input.heightCm ?? null, by: actor.id }, trx);
    return { id: patient.id, sitePatientId: patient.sitePatientId, generated };
  }

  /** 404 for a patient the user may not see (trainers: simulated patients only), as for sessions. */
  async visible(id: number, simulatedOnly: boolean): Promise<Patient> {
    const p = Number.isSafeInteger(id) && id > 0 ? await this.repo.get(id) : null;
    if (!p || (simulatedOnly && !p.simulated)) throw notFound(`patient ${id}`);
    return p;
  }
}
