import { describe, expect, it } from 'vitest';
import { fieldErrors } from './errors';
import { VITAL_FIELDS, VITAL_META, sampleOf, vitalsFrameSchema } from './vitals';

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
