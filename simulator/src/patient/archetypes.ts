import type { Archetype } from '@infusion/shared';
import type { PdSusceptibility } from '../pd/effects';
import type { Baseline, KetamineSensitivity } from '../physiology';

/**
 * Patient archetypes: how a kind of patient differs from a healthy adult. Teaching defaults (not
 * published parameters), chosen so that each archetype shows the risk the guideline names for it:
 * the elderly and comorbid need lower thresholds (Q6), poorly controlled hypertension is a Table 5 cardiovascular
 * precaution, sleep apnoea and obesity desaturate sooner, an anxious patient is prone to
 * psychomimetic and emergence reactions (Table 4, Q7).
 */
export interface ArchetypeProfile {
  label: string;
  /** Added to the drawn resting values (scenario baseline overrides still win). */
  baselineShift: Partial<Baseline>;
  sensitivity: Partial<KetamineSensitivity>;
  susceptibility: Partial<PdSusceptibility>;
  /** Alveolar-arterial PO2 difference at rest, mmHg. */
  aaGradientMmHg: number;
  /** Oxygen stores' time constant, min: a small FRC (obesity) desaturates faster. */
  o2TimeConstantMin: number;
  /** Untreated pain on the NRS at the start. */
  baselinePain: number;
}

export const ARCHETYPE_PROFILES: Record<Archetype, ArchetypeProfile> = {
  healthy_adult: {
    label: 'Healthy adult',
    baselineShift: {},
    sensitivity: {},
    susceptibility: {},
    aaGradientMmHg: 8,
    o2TimeConstantMin: 0.8,
    baselinePain: 6,
  },
  elderly: {
    label: 'Elderly',
    baselineShift: { sbp: 14, dbp: 2, hr: -6 },
    sensitivity: { bp: 1.2 },
    susceptibility: { sedation: 1.6, respiratory: 1.3 },
    aaGradientMmHg: 18,
    o2TimeConstantMin: 0.7,
    baselinePain: 6,
  },
  hypertensive: {
    label: 'Poorly controlled hypertension',
    baselineShift: { sbp: 34, dbp: 14, hr: 4 },
    sensitivity: { bp: 1.6, hr: 1.1 },
    susceptibility: {},
    aaGradientMmHg: 10,
    o2TimeConstantMin: 0.8,
    baselinePain: 6,
  },
  obese_osa: {
    label: 'Obesity with obstructive sleep apnoea',
    baselineShift: { sbp: 8, dbp: 5, hr: 6, spo2: -2 },
    sensitivity: {},
    susceptibility: { respiratory: 1.75, sedation: 1.2 },
    aaGradientMmHg: 20,
    o2TimeConstantMin: 0.4,
    baselinePain: 7,
  },
  anxious: {
    label: 'Anxious patient',
    baselineShift: { hr: 8, sbp: 6, dbp: 3, rr: 3 },
    sensitivity: { hr: 1.2 },
    susceptibility: { emergence: 0.5, nausea: 1.5 },
    aaGradientMmHg: 8,
    o2TimeConstantMin: 0.8,
    baselinePain: 7,
  },
};
