import { OBSERVATION_SCALES, type Observation, type ObservationScale } from '@infusion/shared';

export const OBSERVATION_SCALE_IDS = Object.keys(OBSERVATION_SCALES) as ObservationScale[];

export interface LastScores {
  sedation: Observation | null;
  pain: Observation | null;
}

/** The latest sedation score (any validated scale) and the latest pain score. */
export function lastScores(observations: readonly Observation[]): LastScores {
  let sedation: Observation | null = null;
  let pain: Observation | null = null;
  for (const o of observations) {
    const later = (cur: Observation | null) => !cur || o.t > cur.t || (o.t === cur.t && o.id > cur.id);
    if (OBSERVATION_SCALES[o.scale].kind === 'pain') {
      if (later(pain)) pain = o;
    } else if (later(sedation)) sedation = o;
  }
  return { sedation, pain };
}

/** A whole score within the scale's range, or why not. */
export function parseScore(scale: ObservationScale, text: string): { ok: true; score: number } | { ok: false; reason: string } {
  const s = OBSERVATION_SCALES[scale];
  const t = text.trim();
  if (!/^[-+]?\d+$/.test(t)) return { ok: false, reason: `enter a whole number from ${s.min} to ${s.max}` };
  const score = Number(t);
  if (score < s.min || score > s.max) return { ok: false, reason: `${s.label} is scored ${s.min} to ${s.max}` };
  return { ok: true, score };
}

/** "RASS -1", "Pain NRS 4". */
export const scoreText = (o: Pick<Observation, 'scale' | 'score'>) => `${OBSERVATION_SCALES[o.scale].label} ${o.scale === 'RASS' && o.score > 0 ? `+${o.score}` : o.score}`;
