import { z } from 'zod';

const G = 'ASRA/AAPM/ASA 2018';

/**
 * Adverse effects documented during and after an infusion, each citing where the guideline lists it
 * (clinical-reference.md "Adverse effects. Cite each to where it stands"): Table 4 for psychomimetic
 * effects, vision, nausea/vomiting and headache; Q6 for the hemodynamic effects (never Table 4).
 */
export const ADVERSE_EFFECT_TYPES = {
  hallucinations: { label: 'Hallucinations', group: 'psychomimetic', source: `${G}, Table 4 (psychomimetic effects: hallucinations)` },
  dissociation: { label: 'Dissociation', group: 'psychomimetic', source: `${G}, Table 4 (psychomimetic effects); Q2 (hallucinations or dissociative effects)` },
  dysphoria: { label: 'Dysphoria or emergence reaction', group: 'psychomimetic', source: `${G}, Table 4 (psychomimetic effects: dysphoria); Q7 (emergence reactions)` },
  nausea: { label: 'Nausea', group: 'gastrointestinal', source: `${G}, Table 4 (nausea and/or vomiting)` },
  vomiting: { label: 'Vomiting', group: 'gastrointestinal', source: `${G}, Table 4 (nausea and/or vomiting)` },
  blurred_vision: { label: 'Blurred vision or diplopia', group: 'vision', source: `${G}, Table 4 (blurry vision or diplopia)` },
  headache: { label: 'Headache', group: 'neurological', source: `${G}, Table 4 (headache)` },
  hypertension_treated: { label: 'Hypertension needing treatment', group: 'hemodynamic', source: `${G}, Q6 (hemodynamic adverse effects: hypertension)` },
  tachycardia_treated: { label: 'Tachycardia needing treatment', group: 'hemodynamic', source: `${G}, Q6 (hemodynamic adverse effects: tachycardia)` },
} as const;
export type AdverseEffectType = keyof typeof ADVERSE_EFFECT_TYPES;
export const ADVERSE_EFFECT_IDS = Object.keys(ADVERSE_EFFECT_TYPES) as [AdverseEffectType, ...AdverseEffectType[]];

/** Graded by the clinician at the bedside; the guideline gives no grading. */
export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * CADSS (Clinician-Administered Dissociative States Scale; Bremner et al., J Trauma Stress 1998), as
 * the ketamine literature uses it: 23 items each scored 0-4, recorded here as its total only (0-92).
 * Off unless the site's rule set turns it on (`adverseEffects.cadss`); institutional default: off.
 */
export const CADSS = { label: 'CADSS total', items: 23, itemMax: 4, max: 92, source: 'Bremner et al., J Trauma Stress 1998 (Clinician-Administered Dissociative States Scale, 23 items scored 0-4)' } as const;
/** The effects a CADSS total describes. */
export const CADSS_TYPES: readonly AdverseEffectType[] = ['dissociation', 'hallucinations'];

export const adverseEffectInputSchema = z
  .strictObject({
    type: z.enum(ADVERSE_EFFECT_IDS),
    severity: z.enum(SEVERITIES),
    t: z.number().int().positive().optional(),
    note: z.string().trim().max(500).optional(),
    /** The rescue dose given for it (a dose of this session). */
    rescueDoseId: z.number().int().positive().optional(),
    /** The alarm it came with (an alarm of this session). */
    alarmId: z.number().int().positive().optional(),
    cadssTotal: z.number().int({ error: 'must be a whole number' }).min(0, { error: `CADSS total is 0 to ${CADSS.max}` }).max(CADSS.max, { error: `CADSS total is 0 to ${CADSS.max}` }).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.cadssTotal !== undefined && !CADSS_TYPES.includes(a.type)) ctx.addIssue({ code: 'custom', path: ['cadssTotal'], message: 'a CADSS total describes dissociation or hallucinations only' });
  });
export type AdverseEffectInput = z.input<typeof adverseEffectInputSchema>;

export interface AdverseEffect {
  id: number;
  sessionId: string;
  type: AdverseEffectType;
  severity: Severity;
  /** When it happened (event time). */
  t: number;
  note: string | null;
  rescueDoseId: number | null;
  alarmId: number | null;
  cadssTotal: number | null;
  by: string;
  /** When it was documented. */
  at: number;
}

export const adverseEffectLabel = (a: Pick<AdverseEffect, 'type' | 'severity'>): string => `${ADVERSE_EFFECT_TYPES[a.type].label} (${a.severity})`;
