import { z } from 'zod';

/**
 * The vital signs the product knows: ONE table, from which the frame schema, the engine's sample and
 * baseline schemas, the HL7 OBX mapping, the pre-infusion baseline, and the dashboard's numerics and
 * chart groups are derived. Adding a vital sign means a row here plus a migration adding its column
 * (`column`) to the vitals table. Order is display order. Codes from clinical-reference.md section 5
 * (LOINC, IEEE 11073 MDC with its numeric code, UCUM).
 */
export interface VitalMeta {
  /** Short label (numerics, messages), e.g. "SpO2". */
  label: string;
  /** Long name for headings and exports, e.g. "Oxygen saturation (SpO2)". */
  name: string;
  /** Unit as stored and exchanged (UCUM). */
  unit: string;
  /** Unit as shown to clinicians. */
  displayUnit: string;
  loinc: string;
  /** IEEE 11073 MDC reference id and its numeric code. */
  mdc: string;
  mdcCode: string;
  /** Every OBX-3 identifier (MDC numeric or name, LOINC) an HL7 v2 ORU^R01 may carry for it. */
  hl7Codes: readonly string[];
  /** Physiologically possible range; a value outside it is refused as an input error, not charted. */
  min: number;
  max: number;
  /** The frame's field is the key; this is its column in the SQLite vitals table (literal in persistence/). */
  column: string;
  /** Which trend chart shows it (see VITAL_CHART_GROUPS). */
  chart: VitalChartGroupId;
  /** Part of the pre-infusion baseline (mean of the readings before the start) that baseline rules judge against. */
  baseline: boolean;
  /** How a monitor reports it: continuous numerics (about every second) or an intermittent measurement (NIBP cycle). */
  sampling: 'continuous' | 'intermittent';
}

/** Trend charts, in display order: one per group, the fields of a group share a unit and an axis. */
export const VITAL_CHART_GROUPS = {
  hr: { title: 'Heart rate' },
  bp: { title: 'Blood pressure (NIBP)' },
  spo2: { title: 'SpO2' },
  etco2: { title: 'EtCO2' },
  rr: { title: 'Respiratory rate' },
} as const;
export type VitalChartGroupId = keyof typeof VITAL_CHART_GROUPS;

const VITAL_TABLE = {
  hr: {
    label: 'HR', name: 'Heart rate', unit: '/min', displayUnit: '/min', loinc: '8867-4', mdc: 'MDC_ECG_HEART_RATE', mdcCode: '147842',
    // The oximeter's pulse rate stands in for the ECG heart rate (same field).
    hl7Codes: ['147842', 'MDC_ECG_HEART_RATE', '8867-4', '149530', 'MDC_PULS_OXIM_PULS_RATE', '8889-8'],
    min: 0, max: 300, column: 'hr', chart: 'hr', baseline: true, sampling: 'continuous',
  },
  sbp: {
    label: 'SBP', name: 'Systolic blood pressure', unit: 'mm[Hg]', displayUnit: 'mmHg', loinc: '8480-6', mdc: 'MDC_PRESS_BLD_NONINV_SYS', mdcCode: '150021',
    hl7Codes: ['150021', 'MDC_PRESS_BLD_NONINV_SYS', '8480-6'],
    min: 0, max: 300, column: 'sbp', chart: 'bp', baseline: true, sampling: 'intermittent',
  },
  dbp: {
    label: 'DBP', name: 'Diastolic blood pressure', unit: 'mm[Hg]', displayUnit: 'mmHg', loinc: '8462-4', mdc: 'MDC_PRESS_BLD_NONINV_DIA', mdcCode: '150022',
    hl7Codes: ['150022', 'MDC_PRESS_BLD_NONINV_DIA', '8462-4'],
    min: 0, max: 250, column: 'dbp', chart: 'bp', baseline: true, sampling: 'intermittent',
  },
  map: {
    label: 'MAP', name: 'Mean arterial pressure', unit: 'mm[Hg]', displayUnit: 'mmHg', loinc: '8478-0', mdc: 'MDC_PRESS_BLD_NONINV_MEAN', mdcCode: '150023',
    hl7Codes: ['150023', 'MDC_PRESS_BLD_NONINV_MEAN', '8478-0'],
    min: 0, max: 300, column: 'map', chart: 'bp', baseline: true, sampling: 'intermittent',
  },
  spo2: {
    label: 'SpO2', name: 'Oxygen saturation (SpO2)', unit: '%', displayUnit: '%', loinc: '59408-5', mdc: 'MDC_PULS_OXIM_SAT_O2', mdcCode: '150456',
    hl7Codes: ['150456', 'MDC_PULS_OXIM_SAT_O2', '59408-5', '2708-6'],
    min: 0, max: 100, column: 'spo2', chart: 'spo2', baseline: true, sampling: 'continuous',
  },
  etco2: {
    label: 'EtCO2', name: 'End-tidal CO2', unit: 'mm[Hg]', displayUnit: 'mmHg', loinc: '19889-5', mdc: 'MDC_AWAY_CO2_ET', mdcCode: '151708',
    hl7Codes: ['151708', 'MDC_AWAY_CO2_ET', '151712', 'MDC_CONC_AWAY_CO2_EXP', '19889-5'],
    min: 0, max: 150, column: 'etco2', chart: 'etco2', baseline: true, sampling: 'continuous',
  },
  rr: {
    label: 'RR', name: 'Respiratory rate', unit: '/min', displayUnit: '/min', loinc: '9279-1', mdc: 'MDC_RESP_RATE', mdcCode: '151562',
    hl7Codes: ['151562', 'MDC_RESP_RATE', '151594', 'MDC_CO2_RESP_RATE', '9279-1'],
    min: 0, max: 120, column: 'rr', chart: 'rr', baseline: true, sampling: 'continuous',
  },
} as const satisfies Record<string, VitalMeta>;

/** Numeric vital signs carried in a frame, in the units the product stores (UCUM). */
export type VitalField = keyof typeof VITAL_TABLE;
export const VITAL_FIELDS = Object.keys(VITAL_TABLE) as [VitalField, ...VitalField[]];
export const VITAL_META: Record<VitalField, VitalMeta> = VITAL_TABLE;

/** The fields the pre-infusion baseline takes. */
export const BASELINE_FIELDS: readonly VitalField[] = VITAL_FIELDS.filter((f) => VITAL_META[f].baseline);

/** What a trend chart needs per group: title, display unit, axis range (the union of its fields' ranges) and its fields with labels. */
export interface VitalChartGroup {
  id: VitalChartGroupId;
  title: string;
  unit: string;
  min: number;
  max: number;
  fields: { field: VitalField; label: string }[];
}
export const VITAL_CHARTS: readonly VitalChartGroup[] = (Object.keys(VITAL_CHART_GROUPS) as VitalChartGroupId[]).map((id) => {
  const fields = VITAL_FIELDS.filter((f) => VITAL_META[f].chart === id);
  return {
    id,
    title: VITAL_CHART_GROUPS[id].title,
    unit: VITAL_META[fields[0]!].displayUnit,
    min: Math.min(...fields.map((f) => VITAL_META[f].min)),
    max: Math.max(...fields.map((f) => VITAL_META[f].max)),
    fields: fields.map((f) => ({ field: f, label: VITAL_META[f].label })),
  };
});

/** OBX-3 identifier → field, from the table (HL7 v2 ORU^R01 reader). */
export const VITAL_BY_HL7_CODE: ReadonlyMap<string, VitalField> = new Map(VITAL_FIELDS.flatMap((f) => VITAL_META[f].hl7Codes.map((c) => [c, f] as const)));

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
    ...(Object.fromEntries(VITAL_FIELDS.map((f) => [f, vital(f)])) as Record<VitalField, ReturnType<typeof vital>>),
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
