/**
 * Ketamine's sympathomimetic effect on vital signs, driven by effect-site concentration through a
 * saturating Emax model: effect = Emax * Ce / (EC50 + Ce), scaled by the patient's sensitivity.
 *
 * Calibration (simulator values, not clinical claims): the Yale series (2,342 infusions of
 * 0.5 mg/kg over 40 min) reports a mean peak rise of SBP +16 and DBP +11 mmHg at 40 min. With the
 * Domino model the effect site reaches about 238 ng/mL at 40 min. EC50 300 ng/mL keeps the response
 * graded across the guideline's 0.5-2 mg/kg/h (Ce about 150-650 ng/mL) while still saturating after
 * a bolus; occupancy at 238 ng/mL is then 0.44, hence Emax SBP 36 and DBP 25 mmHg for a typical
 * (sensitivity 1) patient. Heart rate rises moderately (+11/min at that point). The guideline reports
 * minimal effect on respiratory rate at clinical doses: this stimulation is at most +2/min RR and
 * -1.5 mmHg EtCO2. Respiratory depression at high concentrations and with a benzodiazepine on board
 * is modelled separately (pd/effects.ts, physiology/respiration.ts).
 */
export const KETAMINE_EFFECT = {
  ec50NgMl: 300,
  emax: { hr: 24, sbp: 36, dbp: 25, rr: 2, etco2: -1.5 },
} as const;

/** Multipliers of the typical response: 1 = typical, 2 = an exaggerated responder. */
export interface KetamineSensitivity {
  hr: number;
  bp: number;
  rr: number;
}

export const TYPICAL_SENSITIVITY: KetamineSensitivity = { hr: 1, bp: 1, rr: 1 };

export interface VitalDeltas {
  hr: number;
  sbp: number;
  dbp: number;
  rr: number;
  etco2: number;
}

export function occupancy(ceNgMl: number): number {
  const ce = Math.max(0, ceNgMl);
  return ce / (KETAMINE_EFFECT.ec50NgMl + ce);
}

export function ketamineEffect(ceNgMl: number, s: KetamineSensitivity = TYPICAL_SENSITIVITY): VitalDeltas {
  const f = occupancy(ceNgMl);
  const e = KETAMINE_EFFECT.emax;
  return { hr: e.hr * s.hr * f, sbp: e.sbp * s.bp * f, dbp: e.dbp * s.bp * f, rr: e.rr * s.rr * f, etco2: e.etco2 * s.rr * f };
}
