import { z } from 'zod';

/** Numeric vital signs carried in a frame, in the units the product stores (UCUM). */
export const VITAL_FIELDS = ['hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr'] as const;
export type VitalField = (typeof VITAL_FIELDS)[number];

export interface VitalMeta {
  label: string;
  unit: string;
  loinc: string;
  mdc: string;
  /** Physiologically possible range; a value outside it is refused as an input error, not charted. */
  min: number;
  max: number;
}

/** Codes from clinical-reference.md section 5 (LOINC, IEEE 11073 MDC, UCUM). */
export const VITAL_META: Record<VitalField, VitalMeta> = {
  hr: { label: 'HR', unit: '/min', loinc: '8867-4', mdc: 'MDC_ECG_HEART_RATE', min: 0, max: 300 },
  sbp: { label: 'SBP', unit: 'mm[Hg]', loinc: '8480-6', mdc: 'MDC_PRESS_BLD_NONINV_SYS', min: 0, max: 300 },
  dbp: { label: 'DBP', unit: 'mm[Hg]', loinc: '8462-4', mdc: 'MDC_PRESS_BLD_NONINV_DIA', min: 0, max: 250 },
  map: { label: 'MAP', unit: 'mm[Hg]', loinc: '8478-0', mdc: 'MDC_PRESS_BLD_NONINV_MEAN', min: 0, max: 300 },
  spo2: { label: 'SpO2', unit: '%', loinc: '59408-5', mdc: 'MDC_PULS_OXIM_SAT_O2', min: 0, max: 100 },
  etco2: { label: 'EtCO2', unit: 'mm[Hg]', loinc: '19889-5', mdc: 'MDC_AWAY_CO2_ET', min: 0, max: 150 },
  rr: { label: 'RR', unit: '/min', loinc: '9279-1', mdc: 'MDC_RESP_RATE', min: 0, max: 120 },
};

const vital = (f: VitalField) =>
  z
    .number({ error: (iss) => (iss.input === undefined ? 'required' : `must be a number (got ${typeof iss.input})`) })
    .finite()
    .min(VITAL_META[f].min, { error: `below the physiological range (min ${VITAL_META[f].min} ${VITAL_META[f].unit})` })
    .max(VITAL_META[f].max, { error: `above the physiological range (max ${VITAL_META[f].max} ${VITAL_META[f].unit})` })
    // null = the device reports "no valid value" (sensor off, artifact): never a measurement.
    .nullable()
    .optional();

/** One vitals frame from a device: the ingest contract (HTTP batch and Socket.IO /ingest). */
export const vitalsFrameSchema = z
  .strictObject({
    sessionId: z.string().min(1).max(64),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    t: z.number().int().positive(),
    hr: vital('hr'),
    sbp: vital('sbp'),
    dbp: vital('dbp'),
    map: vital('map'),
    spo2: vital('spo2'),
    etco2: vital('etco2'),
    rr: vital('rr'),
  })
  .superRefine((f, ctx) => {
    if (f.sbp != null && f.dbp != null && f.dbp > f.sbp) {
      ctx.addIssue({ code: 'custom', path: ['dbp'], message: `diastolic ${f.dbp} exceeds systolic ${f.sbp}` });
    }
  });

export type VitalsFrame = z.infer<typeof vitalsFrameSchema>;

/** What the server stores and charts: a frame without its transport fields. */
export type VitalsSample = { t: number } & Partial<Record<VitalField, number | null>>;

export function sampleOf(frame: VitalsFrame): VitalsSample {
  const s: VitalsSample = { t: frame.t };
  for (const f of VITAL_FIELDS) if (frame[f] !== undefined) s[f] = frame[f];
  return s;
}
