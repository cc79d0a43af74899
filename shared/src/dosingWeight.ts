import { z } from 'zod';

/**
 * The weight per-kg doses are figured on. The guideline (ASRA/AAPM/ASA 2018) does not say which
 * weight: the site chooses in its rule set (institutional default: actual body weight).
 *
 * - actual: the weight entered for the session.
 * - ideal: Devine (Drug Intell Clin Pharm 1974;8:650): men 50 kg, women 45.5 kg, + 2.3 kg per inch
 *   over 5 feet; never more than the actual weight.
 * - adjusted: ideal + 0.4 x (actual - ideal) (Pai & Paloucek, Ann Pharmacother 2000;34:1066), for
 *   patients above their ideal weight; otherwise the actual weight.
 *
 * Ideal and adjusted need height and sex; without them the actual weight is used and the label says so.
 */
export const DOSING_WEIGHT_BASES = ['actual', 'ideal', 'adjusted'] as const;
export type DosingWeightBasis = (typeof DOSING_WEIGHT_BASES)[number];
export const SEXES = ['female', 'male'] as const;
export type Sex = (typeof SEXES)[number];

export const dosingWeightRuleSchema = z.strictObject({
  basis: z.enum(DOSING_WEIGHT_BASES),
  /** Why the site chose it: the guideline is silent, so this is an institutional default. */
  source: z.string().min(1),
});
export type DosingWeightRule = z.infer<typeof dosingWeightRuleSchema>;

/** What a rule set stored before the choice existed means: actual body weight, as before. */
export const DEFAULT_DOSING_WEIGHT: DosingWeightRule = { basis: 'actual', source: 'the guideline names no dosing weight: actual body weight (institutional default)' };

export interface DosingWeightPatient {
  weightKg: number;
  heightCm?: number | null;
  sex?: Sex | null;
}

export interface DosingWeight {
  kg: number;
  /** The site's choice. */
  basis: DosingWeightBasis;
  /** The weight actually used (actual when height or sex is missing, or the patient is below ideal weight). */
  used: DosingWeightBasis;
  /** Shown next to every per-kg figure, e.g. "per kg ideal body weight (Devine), 61.6 kg". */
  label: string;
  /** Why the site's choice could not be followed, or null. */
  note: string | null;
}

const CM_PER_INCH = 2.54;
const round1 = (n: number) => Math.round(n * 10) / 10;

/** Devine ideal body weight in kg; null without height or sex. */
export function idealBodyWeightKg(p: DosingWeightPatient): number | null {
  if (!p.heightCm || !p.sex) return null;
  const inchesOver5ft = p.heightCm / CM_PER_INCH - 60;
  return Math.max(0, (p.sex === 'male' ? 50 : 45.5) + 2.3 * inchesOver5ft);
}

const NAMES: Record<DosingWeightBasis, string> = { actual: 'actual body weight', ideal: 'ideal body weight (Devine)', adjusted: 'adjusted body weight (IBW + 0.4 x excess)' };

/** The dosing weight and how it was found. Pure: server, dashboard and replay give the same figure. */
export function dosingWeight(basis: DosingWeightBasis, p: DosingWeightPatient): DosingWeight {
  const actual = p.weightKg;
  const done = (kg: number, used: DosingWeightBasis, note: string | null): DosingWeight => ({
    kg,
    basis,
    used,
    label: `per kg ${NAMES[used]}, ${round1(kg)} kg${note ? ` (${note})` : ''}`,
    note,
  });
  if (basis === 'actual') return done(actual, 'actual', null);
  const ibw = idealBodyWeightKg(p);
  if (ibw === null) return done(actual, 'actual', `${basis} weight needs height and sex: actual weight used`);
  if (actual <= ibw) return done(actual, 'actual', `actual weight is below the ideal ${round1(ibw)} kg`);
  return basis === 'ideal' ? done(ibw, 'ideal', null) : done(ibw + 0.4 * (actual - ibw), 'adjusted', null);
}

/** The dosing weight in kg (what per-kg doses are divided by and multiplied with). */
export function dosingWeightKg(basis: DosingWeightBasis, p: DosingWeightPatient): number {
  return dosingWeight(basis, p).kg;
}
