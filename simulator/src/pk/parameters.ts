/**
 * Pharmacokinetic parameter sets, kept as data so another published set (Clements 1982,
 * Hijazi 2003, ...) can be added without touching the model. Rate constants are per minute.
 */
export interface PkParameterSet {
  id: string;
  name: string;
  /** Where the distribution and elimination constants come from. */
  reference: string;
  /** Central volume, litres per kg of body weight. */
  v1LPerKg: number;
  /** Central volume in litres whatever the weight, for sets published as fixed (not per-kg) volumes. */
  v1LFixed?: number;
  k10: number;
  k12: number;
  k13: number;
  k21: number;
  k31: number;
  /** Plasma to effect-site equilibration rate constant. */
  ke0: number;
  /** Why this ke0 (a published value, or the reasoning behind a labelled default). */
  ke0Basis: string;
}

/**
 * ke0 = 0.9 /min (equilibration half-time ln2/0.9 = 46 s). No ke0 is established for racemic
 * ketamine at analgesic doses; EEG studies give half-times of seconds to about a minute. Sleigh et
 * al. (Br J Anaesth 2019;123:592-600, 1.5 mg/kg bolus) fitted 23 s for slow waves and 47 s for theta
 * power. We take the slower value: the cardiovascular response is indirect (central sympathetic
 * stimulation), so it should not be faster than the EEG. This also fits the guideline's 30 s IV onset
 * (about a third of the way to plasma equilibrium after 30 s). With 40-minute infusions the choice
 * matters little: the effect site trails plasma by about a minute.
 */
export const DOMINO_1982: PkParameterSet = {
  id: 'domino-1982',
  name: 'Domino et al. 1982 (racemic ketamine, three compartments)',
  reference: 'Domino EF et al. Clin Pharmacol Ther 1982;31:590 (via clinical-reference.md section 6)',
  v1LPerKg: 0.063,
  k10: 0.438,
  k12: 0.592,
  k13: 0.59,
  k21: 0.247,
  k31: 0.0146,
  ke0: 0.9,
  ke0Basis:
    'Assumed: t1/2ke0 46 s, the slower (theta-power) EEG equilibration half-time of Sleigh et al., Br J Anaesth 2019;123:592-600; consistent with the guideline IV onset of 30 s. Not a measured value for this parameter set.',
};

export const PK_PARAMETER_SETS: Record<string, PkParameterSet> = { [DOMINO_1982.id]: DOMINO_1982 };
