import type { SimDrug } from '@infusion/shared';
import { PD } from './parameters';

/** Effect-site concentrations, ng/mL, of ketamine and every rescue drug (0 when not given). */
export type DrugLevels = { ketamine: number } & Record<SimDrug, number>;

export const NO_DRUGS: DrugLevels = { ketamine: 0, midazolam: 0, clonidine: 0, metoprolol: 0, ondansetron: 0, fentanyl: 0 };

/** The patient's own susceptibilities (archetype and scenario). */
export interface PdSusceptibility {
  /** Multiplies the ventilatory-depression potency (e.g. obstructive sleep apnoea). */
  respiratory: number;
  /** Multiplies the sedative potency (e.g. the elderly). */
  sedation: number;
  /** Scales agitation from dissociation: 0 = never agitated, 1 = typical emergence reaction. */
  emergence: number;
  /** Scales the nausea hazard. */
  nausea: number;
}

export const TYPICAL_SUSCEPTIBILITY: PdSusceptibility = { respiratory: 1, sedation: 1, emergence: 0.05, nausea: 1 };

const pos = (x: number) => (Number.isFinite(x) && x > 0 ? x : 0);
const hill = (u: number, gamma: number) => {
  const p = pos(u) ** gamma;
  return p / (1 + p);
};
const emax = (c: number, c50: number) => pos(c) / (c50 + pos(c));

/** Sedation depth 0-1 (Greco, additive for ketamine and midazolam). */
export function sedationDepth(l: DrugLevels, s: PdSusceptibility = TYPICAL_SUSCEPTIBILITY): number {
  const p = PD.sedation;
  const uk = pos(l.ketamine) / p.ketamineC50.value;
  const um = pos(l.midazolam) / p.midazolamC50.value;
  const uc = pos(l.clonidine) / p.clonidineC50.value;
  const uf = pos(l.fentanyl) / p.fentanylC50.value;
  const u = (uk + um + uc + uf + p.interaction.value * uk * um) * s.sedation;
  return hill(u, p.gamma.value);
}

/**
 * Fractional depression of alveolar ventilation, 0 to maxDepression: Greco response surface with
 * synergy terms between ketamine and a benzodiazepine or an opioid, and between the two.
 */
export function ventilatoryDepression(l: DrugLevels, s: PdSusceptibility = TYPICAL_SUSCEPTIBILITY): number {
  const p = PD.respiration;
  const uk = pos(l.ketamine) / p.ketamineC50.value;
  const um = pos(l.midazolam) / p.midazolamC50.value;
  const uf = pos(l.fentanyl) / p.fentanylC50.value;
  const u = (uk + um + uf + p.interaction.value * uk * (um + uf) + p.benzoOpioidInteraction.value * um * uf) * s.respiratory;
  return p.maxDepression.value * hill(u, p.gamma.value);
}

/** Dissociation 0-1 from ketamine alone. */
export function dissociation(l: DrugLevels): number {
  return hill(pos(l.ketamine) / PD.dissociation.c50.value, PD.dissociation.gamma.value);
}

/** Agitation in RASS points above 0 (0-4): dissociation in a susceptible patient, calmed by midazolam and clonidine. */
export function agitation(l: DrugLevels, s: PdSusceptibility = TYPICAL_SUSCEPTIBILITY): number {
  const calm = 1 + pos(l.midazolam) / PD.calming.midazolamC50.value + pos(l.clonidine) / PD.calming.clonidineC50.value;
  return Math.min(4, (4 * s.emergence * dissociation(l)) / calm);
}

/** Pain on the 0-10 NRS for a patient whose untreated pain is `baselinePain`. */
export function pain(l: DrugLevels, baselinePain: number): number {
  return baselinePain * (1 - PD.analgesia.maxRelief.value * emax(l.ketamine, PD.analgesia.c50.value));
}

/** Nausea onset hazard per minute. */
export function nauseaHazard(l: DrugLevels, s: PdSusceptibility = TYPICAL_SUSCEPTIBILITY): number {
  const n = PD.nausea;
  const ondansetron = 0.5 ** (pos(l.ondansetron) / n.ondansetronHalving.value);
  const benzo = 1 / (1 + pos(l.midazolam) / n.midazolamC50.value);
  return n.hazardPerMin.value * s.nausea * emax(l.ketamine, n.ketamineC50.value) * ondansetron * benzo;
}

/** Haemodynamic change from the rescue drugs (ketamine's own effect is in physiology/effects.ts). */
export function rescueHaemodynamics(l: DrugLevels): { hr: number; sbp: number; dbp: number } {
  const out = { hr: 0, sbp: 0, dbp: 0 };
  for (const [c, p] of [
    [l.clonidine, PD.clonidine],
    [l.metoprolol, PD.metoprolol],
    [l.midazolam, PD.midazolamHaemodynamics],
  ] as const) {
    const f = emax(c, p.c50.value);
    out.hr += p.hr.value * f;
    out.sbp += p.sbp.value * f;
    out.dbp += p.dbp.value * f;
  }
  return out;
}

/** The sympathetic response to agitation (RASS points above 0). */
export function agitationHaemodynamics(agitationPoints: number): { hr: number; sbp: number; dbp: number } {
  const p = PD.agitationHaemodynamics;
  const a = pos(agitationPoints);
  return { hr: p.hr.value * a, sbp: p.sbp.value * a, dbp: p.dbp.value * a };
}
