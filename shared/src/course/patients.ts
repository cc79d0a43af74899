import { z } from 'zod';
import { SEXES, type Sex } from '../dosingWeight';

/**
 * A pseudonymous patient record: the site's own patient id (no names, no MRNs in this product), year
 * of birth, sex (for the pregnancy item), weight and height over time, and what is on file (allergies,
 * contraindications). Sessions belong to a patient, so a course of infusions can be judged as a whole.
 */
const text = (max: number) => z.string().trim().min(1, { error: 'must not be empty' }).max(max);
const weight = z.number({ error: 'must be a number of kg' }).min(2, { error: 'must be 2 to 400 kg' }).max(400, { error: 'must be 2 to 400 kg' });
const height = z.number({ error: 'must be a number of cm' }).min(40, { error: 'must be 40 to 250 cm' }).max(250, { error: 'must be 40 to 250 cm' });
const onFile = z.array(text(120)).max(30, { error: 'at most 30 entries' });
/** Pseudonymous id as the site issues it: letters, digits and `-_.:/`, so it can never carry a name with spaces. */
export const sitePatientIdSchema = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, { error: 'letters, digits and . _ : / - only (a pseudonymous id, never a name)' });

export const patientCreateSchema = z.strictObject({
  sitePatientId: sitePatientIdSchema,
  yearOfBirth: z.number({ error: 'must be a year' }).int({ error: 'must be a year' }).min(1900, { error: 'must be 1900 or later' }).max(2100, { error: 'must be a year of birth' }),
  sex: z.enum(SEXES).optional(),
  weightKg: weight.optional(),
  heightCm: height.optional(),
  allergies: onFile.default([]),
  contraindications: onFile.default([]),
  simulated: z.boolean().default(false),
});
export type PatientCreate = z.input<typeof patientCreateSchema>;

/** What may change on file: a new weight or height is added to the history (dated), never overwrites it. */
export const patientUpdateSchema = z
  .strictObject({
    weightKg: weight.optional(),
    heightCm: height.optional(),
    allergies: onFile.optional(),
    contraindications: onFile.optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), { error: 'nothing to change: give weightKg, heightCm, allergies or contraindications' });
export type PatientUpdate = z.input<typeof patientUpdateSchema>;

/** Where a page of the patients list ends: the last patient's creation time and id (the list's order). */
export interface PatientCursor {
  createdAt: number;
  id: number;
}
/** The cursor that asks for the patients after `p` (newest first): `<createdAt>.<id>`. */
export const patientCursor = (p: Pick<Patient, 'createdAt' | 'id'>): string => `${p.createdAt}.${p.id}`;

/** Where a page of a patient's sessions ends: the last session's creation time and id (newest first). */
export interface SessionCursor {
  createdAt: number;
  id: string;
}
/** The cursor that asks for the sessions after (older than) `s`: `<createdAt>.<sessionId>`. */
export const sessionCursor = (s: { createdAt: number; sessionId: string }): string => `${s.createdAt}.${s.sessionId}`;

/** The patient page: a page of the patient's sessions, newest first. */
export const patientRecordQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,16}\.[A-Za-z0-9_-]{1,64}$/, { error: 'a cursor from a previous page (<createdAt>.<sessionId>)' })
    .transform((c): SessionCursor => {
      const dot = c.indexOf('.');
      return { createdAt: Number(c.slice(0, dot)), id: c.slice(dot + 1) };
    })
    .optional(),
});

export const patientSearchSchema = z.strictObject({
  q: z.string().trim().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Keyset paging: the `patientCursor` of the previous page's last patient; absent: the first page. */
  cursor: z
    .string()
    .regex(/^\d{1,16}\.\d{1,16}$/, { error: 'a cursor from a previous page (<createdAt>.<id>)' })
    .transform((c): PatientCursor => {
      const [createdAt, id] = c.split('.').map(Number) as [number, number];
      return { createdAt, id };
    })
    .optional(),
});

export interface PatientMeasurement {
  t: number;
  weightKg: number | null;
  heightCm: number | null;
  by: string;
}

export interface Patient {
  id: number;
  sitePatientId: string;
  yearOfBirth: number | null;
  sex: Sex | null;
  allergies: string[];
  contraindications: string[];
  simulated: boolean;
  createdAt: number;
  createdBy: string;
  /** Weight and height as documented, oldest first. */
  measurements: PatientMeasurement[];
}

/** The newest documented weight and height (each from the newest entry that has it). */
export function latestMeasures(p: Pick<Patient, 'measurements'>): { weightKg: number | null; heightCm: number | null } {
  const newest = [...p.measurements].sort((a, b) => b.t - a.t);
  return { weightKg: newest.find((m) => m.weightKg !== null)?.weightKg ?? null, heightCm: newest.find((m) => m.heightCm !== null)?.heightCm ?? null };
}
