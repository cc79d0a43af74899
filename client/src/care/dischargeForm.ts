import { dischargeInputSchema, SEDATION_SCALES, type DischargeInput, type FieldError, type Observation, type SedationScale } from '@infusion/shared';

/** The discharge form as typed: every score starts unanswered (no default: each is a deliberate answer). */
export interface DischargeFormState {
  activity: number | null;
  respiration: number | null;
  consciousness: number | null;
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

/** The request body (without an override), or what is still to answer, named as the server names it. */
export function toDischargeInput(f: DischargeFormState): DischargeFormCheck {
  const problems: FieldError[] = [];
  for (const k of ['activity', 'respiration', 'consciousness'] as const) if (f[k] === null) problems.push({ field: `aldrete.${k}`, reason: 'not scored' });
  const sedation = whole(f.sedationScore);
  if (sedation === null) problems.push({ field: 'finalSedation.score', reason: 'enter the final sedation score' });
  const pain = whole(f.pain);
  if (pain === null) problems.push({ field: 'finalPain', reason: 'enter the final pain score (0-10)' });
  if (problems.length) return { ok: false, problems };
  const candidate = {
    aldrete: { activity: f.activity, respiration: f.respiration, consciousness: f.consciousness },
    onSupplementalOxygen: f.onSupplementalOxygen,
    finalSedation: { scale: f.sedationScale, score: sedation },
    finalPain: pain,
    mentalStatusAtBaseline: f.mentalStatusAtBaseline,
    escortPresent: f.escortPresent,
    noDrivingAgreed: f.noDrivingAgreed,
    postInfusionLftsArranged: f.postInfusionLftsArranged,
  };
  const parsed = dischargeInputSchema.safeParse(candidate);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(form)', reason: i.message })) };
  return { ok: true, input: parsed.data };
}
