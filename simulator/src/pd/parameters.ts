/**
 * Pharmacodynamic parameters of the simulated patient, as data with where each value comes from.
 * Concentrations are effect-site, ng/mL. Values marked `teaching` are not published for this use:
 * they are calibrated so that a teaching scenario looks as a clinician expects, and are editable.
 */
export interface PdValue {
  value: number;
  basis: string;
  /** Not a published parameter: chosen for the simulation, labelled as such. */
  teaching: boolean;
}

const t = (value: number, basis: string): PdValue => ({ value, basis, teaching: true });
const cited = (value: number, basis: string): PdValue => ({ value, basis, teaching: false });

export const PD = {
  /**
   * Sedation: Greco response surface with no interaction term. Ketamine and midazolam are additive
   * for hypnosis (Hong W, Short TG, Hui TW, Anesthesiology 1993;79:1227-32, isobolographic study).
   */
  sedation: {
    interaction: cited(0, 'Ketamine + midazolam additive for hypnosis: Hong, Short & Hui, Anesthesiology 1993;79:1227-32'),
    ketamineC50: t(1000, 'Drowsiness (RASS -1) in some patients at 0.5 mg/kg/h, light sedation at 2 mg/kg/h'),
    midazolamC50: t(300, 'Light to moderate sedation at the peak of 0.05 mg/kg IV (the formulary example, Green 2011)'),
    clonidineC50: t(4, 'Mild sedation only at the concentrations of a single IV dose'),
    fentanylC50: t(8, 'Opioids sedate little at analgesic concentrations'),
    gamma: t(2, 'Steepness of the sedation curve'),
  },
  /**
   * Ventilatory drive: Greco response surface U = Uk + Um + alpha Uk Um, depression = U^g / (1 + U^g)
   * (Greco WR, Bravo G, Parsons JC, Pharmacol Rev 1995;47:331-385; the form Minto et al. use for
   * anaesthetic interactions, Anesthesiology 2000;92:1603-16). No ketamine-midazolam interaction
   * parameter for respiration is published: alpha is a teaching default (synergy, as the guideline's
   * Q6 caution "midazolam may enhance certain effects" implies).
   */
  respiration: {
    interaction: t(2, 'Synergy of ketamine and a benzodiazepine on ventilation; no published value (guideline Q6 caution)'),
    ketamineC50: t(2500, 'Ketamine alone barely depresses breathing at analgesic concentrations (ASRA/AAPM/ASA 2018 pharmacology background: respiratory function mostly preserved in subanesthetic infusions, more risk with a bolus); clear depression only at anaesthetic concentrations'),
    midazolamC50: t(600, 'Midazolam 0.05 mg/kg alone: mild hypoventilation at its peak'),
    fentanylC50: t(2.5, 'Opioid ventilatory depression: clear at a few ng/mL of fentanyl'),
    /** Benzodiazepine with opioid: strongly synergistic (Bailey PL et al., Anesthesiology 1990;73:826-30: hypoxaemia and apnoea with midazolam plus fentanyl, not with either alone). */
    benzoOpioidInteraction: t(3, 'Synergy of midazolam and fentanyl on ventilation (Bailey 1990, qualitative; no published Greco term used)'),
    gamma: t(2, 'Steepness of the ventilatory depression curve'),
    maxDepression: t(0.9, 'Alveolar ventilation never falls below a tenth of baseline (no full apnoea)'),
    /** How the fall in alveolar ventilation splits between rate and depth: RR falls as (1 - d)^this. */
    rateShare: t(0.6, 'Opioid-like pattern: rate falls more than tidal volume'),
  },
  /** Ketamine's small respiratory stimulation at low concentrations (the pre-existing model). */
  ketamineRrRise: t(2, 'ASRA/AAPM/ASA 2018 pharmacology background: minimal effects on respiratory rate at clinical doses; at most +2/min'),
  /**
   * Gas exchange: alveolar gas equation PAO2 = FiO2 (Pb - 47) - PaCO2 / 0.8, oxygen saturation from
   * the Severinghaus equation (J Appl Physiol 1979;46:599-602).
   */
  gas: {
    fio2: cited(0.21, 'Room air'),
    barometricMmHg: cited(760, 'Sea level'),
    respiratoryQuotient: cited(0.8, 'Alveolar gas equation'),
    paco2Baseline: cited(40, 'Normal arterial PCO2'),
    co2TimeConstantMin: t(3, 'Body CO2 stores: PaCO2 moves towards its new level over minutes after a change in ventilation'),
    /** Oxygen stores: the oximeter follows arterial saturation with this lag (smaller stores, faster fall). */
    o2TimeConstantMin: t(0.8, 'Lung oxygen stores and circulation delay to the finger probe (cf. Farmery & Roe, Br J Anaesth 1996;76:284-91)'),
  },
  /** Dissociation/psychotomimetic effect of ketamine, 0-1 (Table 4: psychomimetic effects). */
  dissociation: { c50: t(300, 'Dissociative symptoms common above about 200-300 ng/mL'), gamma: t(2, 'Steepness') },
  /** Agitation (RASS above 0) = 4 x susceptibility x dissociation, calmed by midazolam and clonidine (Q2). */
  calming: {
    midazolamC50: t(30, 'Midazolam 0.03 mg/kg calms an emergence reaction within minutes (Green 2011; guideline Q2)'),
    clonidineC50: t(0.6, 'Clonidine, the guideline Q2 alternative to a benzodiazepine, calms over tens of minutes'),
  },
  /** Sympathetic response to agitation, per RASS point above 0. */
  agitationHaemodynamics: { hr: t(6, 'per RASS point'), sbp: t(6, 'per RASS point'), dbp: t(4, 'per RASS point') },
  /**
   * Pain (NRS): analgesic Emax model on ketamine, EC50 100 ng/mL (the guideline: "analgesia when
   * plasma concentration approaches 100 ng/mL", Table 1 (pharmacokinetic data) and text).
   */
  analgesia: { c50: cited(100, 'ASRA/AAPM/ASA 2018, Table 1 (pharmacokinetic data): analgesia as plasma approaches 100 ng/mL'), maxRelief: t(0.5, 'Half the pain at saturation') },
  /**
   * Nausea (Table 4): a hazard per minute rising with ketamine, lowered by ondansetron (the hazard of
   * emesis halves for each 1.4 ng/mL, Cox EH et al., J Pharmacokinet Biopharm 1999;27:625-44) and by
   * midazolam (guideline Q7: benzodiazepines for nausea).
   */
  nausea: {
    hazardPerMin: t(0.01, 'At saturating ketamine in a typical patient: nausea in roughly one in ten 2-hour infusions'),
    ketamineC50: t(300, 'Nausea more likely at higher concentrations'),
    ondansetronHalving: cited(1.4, 'Cox et al. 1999: hazard halves per 1.4 ng/mL of ondansetron (orientation only)'),
    midazolamC50: t(100, 'Benzodiazepine as an antiemetic (Q7)'),
    resolvePerMin: t(0.1, 'Nausea lasts about 10 min untreated'),
  },
  /** Haemodynamic effects of the rescue drugs (Emax on effect-site concentration). */
  clonidine: { c50: t(1, 'Hypotensive effect over about 0.2-2 ng/mL'), sbp: t(-30, 'mmHg at saturation'), dbp: t(-18, 'mmHg'), hr: t(-12, '/min') },
  metoprolol: { c50: t(30, 'Beta-blockade on heart rate'), sbp: t(-12, 'mmHg at saturation'), dbp: t(-6, 'mmHg'), hr: t(-25, '/min') },
  midazolamHaemodynamics: { c50: t(200, 'Small fall in blood pressure with sedation'), sbp: t(-8, 'mmHg at saturation'), dbp: t(-5, 'mmHg'), hr: t(0, '/min') },
  /** Hypercapnia raises heart rate a little (per mmHg of PaCO2 above baseline). */
  hypercapniaHr: t(0.3, '/min per mmHg PaCO2 above baseline'),
} as const;
