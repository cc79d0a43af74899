import { describe, expect, it } from 'vitest';
import { fieldErrors } from './errors';
import { engineContextSchema } from './rules/context';
import { BASELINE_FIELDS, VITAL_BY_HL7_CODE, VITAL_CHARTS, VITAL_FIELDS, VITAL_META, sampleOf, vitalsFrameSchema } from './vitals';

const ok = { sessionId: 's_1', seq: 1, t: 1_700_000_000_000, hr: 70, sbp: 120, dbp: 80, spo2: 98 };

describe('vitals frame schema', () => {
  it('accepts a plausible frame and null for "no valid value"', () => {
    expect(vitalsFrameSchema.safeParse(ok).success).toBe(true);
    expect(vitalsFrameSchema.safeParse({ ...ok, spo2: null }).success).toBe(true);
  });

  it.each(VITAL_FIELDS)('refuses %s outside its physiological range, naming the field', (f) => {
    const r = vitalsFrameSchema.safeParse({ ...ok, sbp: undefined, dbp: undefined, [f]: VITAL_META[f].max + 1 });
    expect(r.success).toBe(false);
    expect(fieldErrors(r.error!)).toEqual([{ field: f, reason: expect.stringContaining('above the physiological range') }]);
  });

  it('refuses NaN-like and wrong types, unknown fields, and a missing seq', () => {
    expect(fieldErrors(vitalsFrameSchema.safeParse({ ...ok, hr: '70' }).error!)[0]).toEqual({ field: 'hr', reason: 'must be a number (got string)' });
    expect(fieldErrors(vitalsFrameSchema.safeParse({ ...ok, temp: 37 }).error!)[0]!.reason).toBe('unknown field(s): temp');
    expect(fieldErrors(vitalsFrameSchema.safeParse({ ...ok, seq: undefined }).error!)[0]!.field).toBe('seq');
    expect(vitalsFrameSchema.safeParse({ ...ok, t: 1.5 }).success).toBe(false);
  });

  it('keeps only the measured fields in a stored sample', () => {
    expect(sampleOf(vitalsFrameSchema.parse({ ...ok, rr: null }))).toEqual({ t: ok.t, hr: 70, sbp: 120, dbp: 80, spo2: 98, rr: null });
  });
});

describe('the vital-sign table', () => {
  it('gives every field its codes from the clinical reference, each OBX-3 code naming one field only', () => {
    expect(VITAL_FIELDS).toEqual(['hr', 'sbp', 'dbp', 'map', 'spo2', 'etco2', 'rr']);
    for (const f of VITAL_FIELDS) {
      const m = VITAL_META[f];
      expect(m.hl7Codes).toEqual(expect.arrayContaining([m.loinc, m.mdc, m.mdcCode]));
      for (const c of m.hl7Codes) expect(VITAL_BY_HL7_CODE.get(c)).toBe(f);
      expect(m.min).toBeLessThan(m.max);
    }
    const all = VITAL_FIELDS.flatMap((f) => VITAL_META[f].hl7Codes);
    expect(new Set(all).size).toBe(all.length);
    // Alternates from clinical-reference.md section 5: the oximeter's pulse rate, SpO2 2708-6, CO2 respiratory rate, expired CO2.
    expect(['8889-8', '2708-6', '151594', '151712'].map((c) => VITAL_BY_HL7_CODE.get(c))).toEqual(['hr', 'spo2', 'rr', 'etco2']);
  });

  it('puts every field in one chart group whose fields share a unit, with the group axis covering their ranges', () => {
    expect(VITAL_CHARTS.flatMap((g) => g.fields.map((x) => x.field)).sort()).toEqual([...VITAL_FIELDS].sort());
    for (const g of VITAL_CHARTS) {
      expect(g.fields.length).toBeGreaterThan(0);
      for (const { field } of g.fields) {
        expect(VITAL_META[field].displayUnit).toBe(g.unit);
        expect(VITAL_META[field].min).toBeGreaterThanOrEqual(g.min);
        expect(VITAL_META[field].max).toBeLessThanOrEqual(g.max);
      }
    }
    expect(VITAL_CHARTS.find((g) => g.id === 'bp')).toMatchObject({ title: 'Blood pressure (NIBP)', unit: 'mmHg', fields: [{ field: 'sbp' }, { field: 'dbp' }, { field: 'map' }] });
  });

  it('derives the frame schema from the table: each field accepted at its range limits, null accepted', () => {
    for (const f of VITAL_FIELDS) {
      const other = { ...ok, sbp: undefined, dbp: undefined };
      for (const v of [VITAL_META[f].min, VITAL_META[f].max, null]) expect(vitalsFrameSchema.safeParse({ ...other, [f]: v }).success, `${f} ${v}`).toBe(true);
      expect(fieldErrors(vitalsFrameSchema.safeParse({ ...other, [f]: VITAL_META[f].min - 1 }).error!)).toEqual([{ field: f, reason: expect.stringContaining('below the physiological range') }]);
    }
  });

  it('takes the fields marked baseline into the engine baseline schema and no other', () => {
    const full = Object.fromEntries(BASELINE_FIELDS.map((f) => [f, VITAL_META[f].min]));
    expect(engineContextSchema.shape.baseline.safeParse(full).success).toBe(true);
    expect(engineContextSchema.shape.baseline.safeParse({ ...full, temp: 37 }).success).toBe(false);
    expect(BASELINE_FIELDS).toEqual(VITAL_FIELDS.filter((f) => VITAL_META[f].baseline));
  });
});
