import { dischargeInputSchema, SEDATION_SCALES, type DischargeInput, type FieldError, type Observation, type SedationScale, type SiteDischargeSettings } from '@infusion/shared';

/** The discharge form as typed: every score starts unanswered (no default: each is a deliberate answer). */
export interface DischargeFormState {
  /** Modified Aldrete bedside items (asked when the site uses Aldrete). */
  activity: number | null;
  respiration: number | null;
  consciousness: number | null;
  /** PADSS bedside items (asked when the site uses PADSS; bleeding only when the site has the nurse score it). */
  padssActivity: number | null;
  nauseaVomiting: number | null;
  padssPain: number | null;
  bleeding: number | null;
  onSupplementalOxygen: boolean;
  sedationScale: SedationScale;
  sedationScore: string;
  pain: string;
  mentalStatusAtBaseline: boolean;
  escortPresent: boolean;
  noDrivingAgreed: boolean;
  postInfusionLftsArranged: boolean;
}

const isSedation = (s: string): s is SedationScale => (SEDATION_SCALES as readonly string[]).includes(s);

/** An empty form; the final sedation score is asked on the scale the baseline was scored on. */
export function emptyDischargeForm(observations: readonly Observation[], startedAt: number | null): DischargeFormState {
  const baseline = observations.filter((o) => isSedation(o.scale) && (startedAt === null || o.t <= startedAt)).at(-1);
  return {
    activity: null,
    respiration: null,
    consciousness: null,
    padssActivity: null,
    nauseaVomiting: null,
    padssPain: null,
    bleeding: null,
    onSupplementalOxygen: false,
    sedationScale: baseline && isSedation(baseline.scale) ? baseline.scale : 'RASS',
    sedationScore: '',
    pain: '',
    mentalStatusAtBaseline: false,
    escortPresent: false,
    noDrivingAgreed: false,
    postInfusionLftsArranged: false,
  };
}

const whole = (s: string): number | null => (/^[-+]?\d+$/.test(s.trim()) ? Number(s.trim()) : null);

export type DischargeFormCheck = { ok: true; input: DischargeInput } | { ok: false; problems: FieldError[] };

/** The bedside items the site's score asks, as form keys and as the server names them. */
export function bedsideItems(s: SiteDischargeSettings): { key: 'activity' | 'respiration' | 'consciousness' | 'padssActivity' | 'nauseaVomiting' | 'padssPain' | 'bleeding'; field: string }[] {
  if (s.score.scale === 'aldrete') return (['activity', 'respiration', 'consciousness'] as const).map((k) => ({ key: k, field: `aldrete.${k}` }));
  const items = [
    { key: 'padssActivity', field: 'padss.activity' },
    { key: 'nauseaVomiting', field: 'padss.nauseaVomiting' },
    { key: 'padssPain', field: 'padss.pain' },
  ] as const;
  return s.padss.bleeding.handling === 'nurse_scores' ? [...items, { key: 'bleeding', field: 'padss.bleeding' }] : [...items];
}

/**
 * The request body (without an override), or what is still to answer, named as the server names it:
 * the items of the site's score, and escort and no-driving only where the site requires them.
 */
export function toDischargeInput(f: DischargeFormState, s: SiteDischargeSettings): DischargeFormCheck {
  const problems: FieldError[] = [];
  for (const { key, field } of bedsideItems(s)) if (f[key] === null) problems.push({ field, reason: 'not scored' });
  const sedation = whole(f.sedationScore);
  if (sedation === null) problems.push({ field: 'finalSedation.score', reason: 'enter the final sedation score' });
  const pain = whole(f.pain);
  if (pain === null) problems.push({ field: 'finalPain', reason: 'enter the final pain score (0-10)' });
  if (problems.length) return { ok: false, problems };
  const score =
    s.score.scale === 'aldrete'
      ? { aldrete: { activity: f.activity, respiration: f.respiration, consciousness: f.consciousness } }
      : { padss: { activity: f.padssActivity, nauseaVomiting: f.nauseaVomiting, pain: f.padssPain, ...(s.padss.bleeding.handling === 'nurse_scores' ? { bleeding: f.bleeding } : {}) } };
  const candidate = {
    ...score,
    onSupplementalOxygen: f.onSupplementalOxygen,
    finalSedation: { scale: f.sedationScale, score: sedation },
    finalPain: pain,
    mentalStatusAtBaseline: f.mentalStatusAtBaseline,
    ...(s.escort.required ? { escortPresent: f.escortPresent } : {}),
    ...(s.noDriving.required ? { noDrivingAgreed: f.noDrivingAgreed } : {}),
    postInfusionLftsArranged: f.postInfusionLftsArranged,
  };
  const parsed = dischargeInputSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(form)', reason: i.message })) };
  return { ok: true, input: parsed.data };
}
