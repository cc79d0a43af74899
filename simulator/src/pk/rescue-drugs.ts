import type { SimDrug } from '@infusion/shared';
import type { PkParameterSet } from './parameters';

/**
 * PK of the rescue drugs the simulated patient answers to, as data. Rate constants per minute.
 * One- and two-compartment sets leave the unused rate constants at 0. Where no effect-site rate
 * constant is published for the effect simulated, ke0 is a teaching default and says so.
 */

/**
 * Midazolam: three compartments, fixed (not per-kg) volumes V1 3.3 L, V2 17.6 L, V3 96.8 L,
 * CL 0.535, Q2 2.01, Q3 0.832 L/min (Zomorodi/Barr, as tabulated in S.L. Shafer's stanpumpR).
 * Terminal half-life of this set: about 3.7 h, inside the published 1.8-6.4 h range
 * (Greenblatt et al., Anesthesiology 1984;61:27-35 give about 2-3 h in young adults, longer in
 * the elderly and obese).
 */
export const MIDAZOLAM_ZOMORODI: PkParameterSet = {
  id: 'midazolam-zomorodi',
  name: 'Midazolam (Zomorodi/Barr, three compartments)',
  reference:
    'Zomorodi K et al., Anesthesiology 1998;89:1418-29 and Barr J et al., Anesthesiology 2001;95:286-98, parameters as tabulated in stanpumpR (Shafer SL): V1 3.3 L, V2 17.56 L, V3 96.76 L, CL 0.535, Q2 2.015, Q3 0.832 L/min',
  v1LPerKg: 3.3 / 70,
  v1LFixed: 3.3,
  k10: 0.5351973 / 3.3,
  k12: 2.014531 / 3.3,
  k13: 0.8321115 / 3.3,
  k21: 2.014531 / 17.56348,
  k31: 0.8321115 / 96.75715,
  ke0: 0.2,
  ke0Basis:
    'Teaching default: t1/2ke0 3.5 min; with this set the effect site peaks about 2.3 min after an IV bolus (onset within minutes, as commonly reported for midazolam); not a measured value for this parameter set.',
};

/**
 * Clonidine: one compartment, Vd 2.1 L/kg and elimination half-life 12 h (Lowenthal DT et al.,
 * Clinical pharmacokinetics of clonidine, Clin Pharmacokinet 1988;14:287-310: Vd about 2 L/kg,
 * half-life 12-16 h with normal renal function). The distribution phase after an IV dose is left
 * out: the slow effect site below smooths it.
 */
export const CLONIDINE_LOWENTHAL: PkParameterSet = {
  id: 'clonidine-lowenthal',
  name: 'Clonidine (one compartment, Lowenthal 1988)',
  reference: 'Lowenthal DT, Matzek KM, MacGregor TR. Clin Pharmacokinet 1988;14:287-310 (Vd about 2.1 L/kg; elimination half-life 12-16 h)',
  v1LPerKg: 2.1,
  k10: Math.LN2 / (12 * 60),
  k12: 0,
  k13: 0,
  k21: 0,
  k31: 0,
  ke0: 0.035,
  ke0Basis: 'Teaching default: t1/2ke0 20 min, so the fall in blood pressure after an IV dose builds over the first half hour; no published ke0 for this effect.',
};

/**
 * Metoprolol: one compartment, Vd 4.2 L/kg, elimination half-life 3.5 h (Regardh CG, Johnsson G.
 * Clinical pharmacokinetics of metoprolol. Clin Pharmacokinet 1980;5:557-569: Vd 3.2-5.6 L/kg,
 * half-life 3-4 h).
 */
export const METOPROLOL_REGARDH: PkParameterSet = {
  id: 'metoprolol-regardh',
  name: 'Metoprolol (one compartment, Regardh 1980)',
  reference: 'Regardh CG, Johnsson G. Clin Pharmacokinet 1980;5:557-569 (Vd 3.2-5.6 L/kg; half-life 3-4 h)',
  v1LPerKg: 4.2,
  k10: Math.LN2 / (3.5 * 60),
  k12: 0,
  k13: 0,
  k21: 0,
  k31: 0,
  ke0: 0.1,
  ke0Basis: 'Teaching default: t1/2ke0 7 min, heart-rate effect within minutes of an IV dose; no published ke0 used.',
};

/**
 * Ondansetron: two compartments with fixed volumes, CL 24.6 L/h, Vc 63.3 L, Q 211 L/h, Vp 107 L
 * (Chiang MD et al., Br J Clin Pharmacol 2021;87:516-526, reference adult without the age term,
 * as tabulated in stanpumpR).
 */
export const ONDANSETRON_CHIANG: PkParameterSet = {
  id: 'ondansetron-chiang',
  name: 'Ondansetron (Chiang 2021, two compartments)',
  reference: 'Chiang MD et al., Br J Clin Pharmacol 2021;87:516-526 (CL 24.6 L/h, Vc 63.3 L, Q 211 L/h, Vp 107 L)',
  v1LPerKg: 63.3 / 70,
  v1LFixed: 63.3,
  k10: 24.6 / 60 / 63.3,
  k12: 211 / 60 / 63.3,
  k13: 0,
  k21: 211 / 60 / 107,
  k31: 0,
  ke0: 1,
  ke0Basis: 'No equilibration delay is published for the antiemetic effect: the effect site follows plasma within about a minute (teaching default).',
};

/**
 * Fentanyl, an opioid on board (a chronic-pain patient's own opioid, or one given during the
 * session): three compartments for a 70 kg adult, V1 12.1 L, V2 35.7 L, V3 224 L, CL 0.632,
 * Q2 2.8, Q3 1.55 L/min (Shafer SL et al., Anesthesiology 1990;73:1091-102, as tabulated in
 * stanpumpR), volumes taken as fixed.
 */
export const FENTANYL_SHAFER: PkParameterSet = {
  id: 'fentanyl-shafer',
  name: 'Fentanyl (Shafer 1990, three compartments)',
  reference: 'Shafer SL et al., Anesthesiology 1990;73:1091-102 (V1 12.1 L, V2 35.7 L, V3 224 L, CL 0.632, Q2 2.8, Q3 1.55 L/min), as tabulated in stanpumpR',
  v1LPerKg: 12.1 / 70,
  v1LFixed: 12.1,
  k10: 0.632 / 12.1,
  k12: 2.8 / 12.1,
  k13: 1.55 / 12.1,
  k21: 2.8 / 35.7,
  k31: 1.55 / 224,
  ke0: 0.147,
  ke0Basis: 'ke0 0.147 /min (t1/2ke0 4.7 min), the value STANPUMP uses from the EEG studies of Scott and Stanski; time to peak effect after a bolus about 3.7 min.',
};

export const RESCUE_PK: Record<SimDrug, PkParameterSet> = {
  midazolam: MIDAZOLAM_ZOMORODI,
  clonidine: CLONIDINE_LOWENTHAL,
  metoprolol: METOPROLOL_REGARDH,
  ondansetron: ONDANSETRON_CHIANG,
  fentanyl: FENTANYL_SHAFER,
};
