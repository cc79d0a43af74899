import { OBSERVATION_SCALES, type ObservationScale } from '@infusion/shared';
import type { Rng } from '../random';

/**
 * The virtual assessor: scores the patient on the scale the trainee asks for, from the patient's
 * sedation depth (0-1) and agitation (RASS points above 0), with the spread of a real bedside
 * assessment (a normal error of 0.4 points before rounding: about one score in five is one off).
 */
const ASSESSOR_SD = 0.4;

/** The patient's level on a continuous RASS line: +agitation, or -5 x sedation depth. */
export function rassLevel(sedation: number, agitation: number): number {
  return agitation > 0 ? agitation - 5 * sedation : -5 * sedation;
}

// `|| 0` turns a rounded -0 into 0.
const clampScale = (scale: ObservationScale, x: number) => Math.min(OBSERVATION_SCALES[scale].max, Math.max(OBSERVATION_SCALES[scale].min, Math.round(x) || 0));

/** RASS (Sessler 2002) to MOAA/S (Chernik 1990): 5 responds readily, 0 no response; agitation scores 5. */
const moaasOf = (rass: number) => (rass >= 0 ? 5 : 5 + rass);
/** RASS to Ramsay (1974): 1 anxious or agitated, 2 cooperative and calm, 3 responds to commands, 4-6 deeper. */
const ramsayOf = (rass: number) => (rass > 0 ? 1 : rass === 0 ? 2 : rass >= -2 ? 3 : rass === -3 ? 4 : rass === -4 ? 5 : 6);

export function assess(rng: Rng, scale: ObservationScale, state: { sedation: number; agitation: number; pain: number }): number {
  if (scale === 'NRS_PAIN') return clampScale(scale, state.pain + rng.normal(0, ASSESSOR_SD * 2));
  const rass = clampScale('RASS', rassLevel(state.sedation, state.agitation) + rng.normal(0, ASSESSOR_SD));
  if (scale === 'RASS') return rass;
  return clampScale(scale, scale === 'MOAAS' ? moaasOf(rass) : ramsayOf(rass));
}
