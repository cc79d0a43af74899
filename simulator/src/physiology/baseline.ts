import type { Rng } from '../random';

/** One set of vital signs in the product's units (see VITAL_META): integers, as monitors report them. */
export interface VitalSigns {
  hr: number;
  sbp: number;
  dbp: number;
  map: number;
  spo2: number;
  etco2: number;
  rr: number;
}

/** Resting values before any drug; MAP is always derived from SBP and DBP. */
export type Baseline = Omit<VitalSigns, 'map'>;

export const meanArterialPressure = (sbp: number, dbp: number) => dbp + (sbp - dbp) / 3;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * A plausible resting adult for an outpatient infusion chair: normal ranges, no value that would
 * itself raise a default alarm. Scenario overrides win over the random draw.
 */
export function drawBaseline(rng: Rng, overrides: Partial<Baseline> = {}): Baseline {
  const sbp = overrides.sbp ?? Math.round(clamp(rng.normal(124, 9), 105, 142));
  const dbp = overrides.dbp ?? Math.round(clamp(rng.normal(77, 6), 62, Math.min(90, sbp - 30)));
  return {
    hr: overrides.hr ?? Math.round(clamp(rng.normal(74, 8), 60, 95)),
    sbp,
    dbp,
    spo2: overrides.spo2 ?? Math.round(clamp(rng.normal(97.5, 0.8), 96, 99)),
    etco2: overrides.etco2 ?? Math.round(clamp(rng.normal(37, 2), 33, 42)),
    rr: overrides.rr ?? Math.round(clamp(rng.normal(15, 2), 13, 19)),
  };
}
