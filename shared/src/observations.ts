import { z } from 'zod';

/**
 * Sedation on a validated scale and pain on the numeric rating scale (clinical-reference.md section 3;
 * the guideline, Q6, requires sedation "on a validated scale").
 */
export const OBSERVATION_SCALES = {
  RASS: { label: 'RASS', kind: 'sedation', min: -5, max: 4, source: 'Sessler et al. 2002' },
  MOAAS: { label: 'MOAA/S', kind: 'sedation', min: 0, max: 5, source: 'Chernik et al. 1990' },
  RAMSAY: { label: 'Ramsay', kind: 'sedation', min: 1, max: 6, source: 'Ramsay et al. 1974' },
  NRS_PAIN: { label: 'Pain NRS', kind: 'pain', min: 0, max: 10, source: 'numeric rating scale 0-10' },
} as const;
export type ObservationScale = keyof typeof OBSERVATION_SCALES;

export const observationInputSchema = z
  .strictObject({
    scale: z.enum(Object.keys(OBSERVATION_SCALES) as [ObservationScale, ...ObservationScale[]]),
    score: z.number().int(),
    t: z.number().int().positive().optional(),
    note: z.string().max(500).optional(),
  })
  .superRefine((o, ctx) => {
    const s = OBSERVATION_SCALES[o.scale];
    if (o.score < s.min || o.score > s.max) ctx.addIssue({ code: 'custom', path: ['score'], message: `${s.label} is scored ${s.min} to ${s.max}` });
  });
export type ObservationInput = z.infer<typeof observationInputSchema>;

export interface Observation {
  id: number;
  sessionId: string;
  scale: ObservationScale;
  score: number;
  t: number;
  note: string | null;
  by: string;
}
