import { z } from 'zod';
import { OBSERVATION_SCALES } from './observations';
import { defaultRuleSet } from './rules/index';
import type { FieldError } from './errors';
import { SEDATION_SCALES, formatSource, type DischargeScale, type DischargeSettings, type RuleSet, type RuleSource, type SedationScale } from './rules/schema';
import { VITAL_META, type VitalField } from './vitals';

/**
 * Discharge from recovery: the site's score (modified Aldrete or PADSS) and its other criteria, each met
 * or not with the reason, computed by the server from what was measured and shown to the nurse as it is.
 */

/** The five items of the modified Aldrete score, each scored 0-2; circulation and SpO2 come from the monitor. */
export const ALDRETE_ITEMS = {
  activity: { label: 'Activity', scores: ['unable to move extremities', 'moves 2 extremities voluntarily or on command', 'moves 4 extremities voluntarily or on command'] },
  respiration: { label: 'Respiration', scores: ['apnoeic', 'dyspnoea or limited breathing', 'able to breathe deeply and cough freely'] },
  circulation: { label: 'Circulation', scores: ['systolic BP 50 % or more from baseline', 'systolic BP 20-49 % from baseline', 'systolic BP within 20 % of baseline'] },
  consciousness: { label: 'Consciousness', scores: ['not responding', 'arousable on calling', 'fully awake'] },
  oxygenation: { label: 'SpO2', scores: ['SpO2 below 90 % even with oxygen', 'needs oxygen to keep SpO2 above 90 %', 'SpO2 above 92 % on room air'] },
} as const;
export type AldreteItem = keyof typeof ALDRETE_ITEMS;
/** The items the nurse scores at the bedside; the other two are computed from the measured vitals. */
export const ALDRETE_SCORED_ITEMS = ['activity', 'respiration', 'consciousness'] as const satisfies readonly AldreteItem[];

/**
 * The five items of the modified PADSS (Chung, Chan, Ong, J Clin Anesth 1995;7:500-506), each scored 0-2;
 * vital signs come from the monitor, bleeding as the site's rule set says (an infusion leaves no wound).
 */
export const PADSS_ITEMS = {
  vitals: { label: 'Vital signs', scores: ['BP or pulse more than 40 % from baseline', 'BP and pulse within 20-40 % of baseline', 'BP and pulse within 20 % of baseline'] },
  activity: { label: 'Activity', scores: ['unable to ambulate', 'requires assistance', 'steady gait, no dizziness'] },
  nauseaVomiting: { label: 'Nausea and vomiting', scores: ['severe', 'moderate', 'minimal'] },
  pain: { label: 'Pain', scores: ['severe', 'moderate', 'minimal (acceptable to the patient)'] },
  bleeding: { label: 'Surgical bleeding', scores: ['severe', 'moderate', 'minimal'] },
} as const;
export type PadssItem = keyof typeof PADSS_ITEMS;
/** The PADSS items the nurse scores at the bedside (bleeding only when the site has the nurse score it). */
export const PADSS_SCORED_ITEMS = ['activity', 'nauseaVomiting', 'pain', 'bleeding'] as const satisfies readonly PadssItem[];
/** The vitals the PADSS vital-sign item compares with the baseline (BP and pulse). */
export const PADSS_VITAL_FIELDS = ['sbp', 'hr'] as const satisfies readonly VitalField[];

export const DISCHARGE_SCALE_NAMES: Record<DischargeScale, string> = { aldrete: 'Modified Aldrete', padss: 'PADSS' };

const itemScore = z.number({ error: 'score 0, 1 or 2' }).int({ error: 'score 0, 1 or 2' }).min(0, { error: 'score 0, 1 or 2' }).max(2, { error: 'score 0, 1 or 2' });

/**
 * What the nurse records at discharge: the bedside items of the site's score (Aldrete or PADSS; the
 * server asks for the one its rule set names), the final checks, and escort and driving where required.
 */
export const dischargeInputSchema = z.strictObject({
  aldrete: z.strictObject({ activity: itemScore, respiration: itemScore, consciousness: itemScore }).optional(),
  /** PADSS bedside items; bleeding only when the site has the nurse score it. */
  padss: z.strictObject({ activity: itemScore, nauseaVomiting: itemScore, pain: itemScore, bleeding: itemScore.optional() }).optional(),
  /** Supplemental oxygen running now (the Aldrete SpO2 item scores 2 only on room air). */
  onSupplementalOxygen: z.boolean(),
  /** Final sedation score, on the scale the baseline was scored on. */
  finalSedation: z
    .strictObject({ scale: z.enum(SEDATION_SCALES), score: z.number().int() })
    .superRefine((o, ctx) => {
      const r = OBSERVATION_SCALES[o.scale];
      if (o.score < r.min || o.score > r.max) ctx.addIssue({ code: 'custom', path: ['score'], message: `${r.label} is scored ${r.min} to ${r.max}` });
    }),
  /** Final pain score (numeric rating scale 0-10). */
  finalPain: z.number({ error: 'pain is scored 0 to 10' }).int().min(0, { error: 'pain is scored 0 to 10' }).max(10, { error: 'pain is scored 0 to 10' }),
  /** Oriented, verbalising and aware as before the infusion. */
  mentalStatusAtBaseline: z.boolean(),
  /** Asked when the site requires an escort (absent: not confirmed). */
  escortPresent: z.boolean().optional(),
  /** Asked when the site requires the no-driving agreement (absent: not confirmed). */
  noDrivingAgreed: z.boolean().optional(),
  /** Post-infusion liver function tests arranged (asked when the site's rule prompts them). */
  postInfusionLftsArranged: z.boolean().optional(),
  /** Discharge before the criteria are met: the physician's reason. */
  override: z.strictObject({ reason: z.string().trim().min(5, { error: 'a reason of at least 5 characters is required' }).max(500) }).optional(),
});
export type DischargeInput = z.infer<typeof dischargeInputSchema>;

/** One item of the discharge score as scored. */
export interface DischargeScoreItem {
  item: string;
  label: string;
  score: number;
  /** What the score stands for, and for computed items what it was computed from. */
  why: string;
  /** Computed from the measured vitals. */
  computed: boolean;
  /** Scored by the site's policy, not at the bedside (PADSS bleeding, not applicable to an infusion). */
  policy?: boolean;
}
export interface AldreteScore extends DischargeScoreItem {
  item: AldreteItem;
}
export interface PadssScore extends DischargeScoreItem {
  item: PadssItem;
}

export interface DischargeCriterion {
  id: string;
  label: string;
  met: boolean;
  /** Why it is not met (or, when met, what was compared), in clinical words. */
  reason: string;
  source: string;
  /** A to-do shown with the discharge that does not block it (e.g. post-infusion liver tests). */
  todo?: boolean;
}

export interface DischargeAssessment {
  /** Every blocking criterion met. */
  met: boolean;
  /** The score the site used (absent in discharges recorded before PADSS was offered: Aldrete). */
  scale?: DischargeScale;
  score: number;
  minScore: number;
  /** The Aldrete items (empty when the site uses PADSS). */
  aldrete: AldreteScore[];
  /** The PADSS items, when the site uses PADSS. */
  padss?: PadssScore[];
  criteria: DischargeCriterion[];
  /** When it was assessed, and how long after the stop. */
  at: number;
  sinceStopMs: number | null;
}

/** What the server measured and knows; the assessment is a pure function of it and the input. */
export interface DischargeFacts {
  settings: SiteDischargeSettings;
  now: number;
  /** The stop of the infusion that started recovery. */
  stoppedAt: number | null;
  /** Pre-infusion baseline as measured (mean of the frames before the start). */
  baseline: Partial<Record<VitalField, number>> | null;
  /** The latest value of each vital since the stop. */
  latest: Partial<Record<VitalField, number>>;
  /** The last sedation score before the start. */
  baselineSedation: { scale: SedationScale; score: number } | null;
  /** The checklist's answer: liver dysfunction or risk. */
  liverRisk: boolean;
  cumulativeMgKg: number;
}

/** The discharge settings with every part filled in (a part a stored rule set lacks is the shipped default). */
export type SiteDischargeSettings = Required<DischargeSettings>;

/** The site's discharge settings: the rule set's own, else the shipped defaults (part by part). */
export function dischargeSettingsOf(rs: Pick<RuleSet, 'discharge'> | null | undefined): SiteDischargeSettings {
  const shipped = defaultRuleSet.discharge!;
  const own = rs?.discharge ?? shipped;
  return { ...own, padss: own.padss ?? shipped.padss!, escort: own.escort ?? shipped.escort!, noDriving: own.noDriving ?? shipped.noDriving! };
}

/** The score's items, whichever scale the assessment used (Aldrete for discharges recorded before PADSS). */
export function dischargeScoreOf(a: DischargeAssessment): { scale: DischargeScale; name: string; items: DischargeScoreItem[] } {
  const scale = a.scale ?? 'aldrete';
  return { scale, name: DISCHARGE_SCALE_NAMES[scale], items: scale === 'padss' ? (a.padss ?? []) : a.aldrete };
}

/** The bedside items the site's score still needs (named as the request names them); empty when complete. */
export function missingScoreItems(input: DischargeInput, s: SiteDischargeSettings): FieldError[] {
  if (s.score.scale === 'aldrete') return input.aldrete ? [] : ALDRETE_SCORED_ITEMS.map((k) => ({ field: `aldrete.${k}`, reason: 'not scored (the site uses the modified Aldrete score)' }));
  const asked = PADSS_SCORED_ITEMS.filter((k) => k !== 'bleeding' || s.padss.bleeding.handling === 'nurse_scores');
  return asked.filter((k) => input.padss?.[k] === undefined).map((k) => ({ field: `padss.${k}`, reason: 'not scored (the site uses PADSS)' }));
}

const pct = (v: number, base: number) => ((v - base) / base) * 100;
const signedPct = (p: number) => `${p >= 0 ? '+' : ''}${Math.round(p)} %`;
const unit = (f: VitalField) => VITAL_META[f].displayUnit;
const label = (f: VitalField) => VITAL_META[f].label;
const minutes = (ms: number) => `${Math.floor(ms / 60_000)} min`;
const cite = (s: RuleSource) => formatSource(s);

/** Circulation: systolic BP against the measured baseline (within 20 % = 2, 20-49 % = 1, 50 % or more = 0). */
export function aldreteCirculation(baselineSbp: number | undefined, sbp: number | undefined): { score: number; why: string } {
  if (baselineSbp === undefined || baselineSbp <= 0) return { score: 0, why: 'no measured baseline systolic BP to compare with' };
  if (sbp === undefined) return { score: 0, why: 'no systolic BP measured since the stop' };
  const p = Math.abs(pct(sbp, baselineSbp));
  const score = p <= 20 ? 2 : p < 50 ? 1 : 0;
  return { score, why: `SBP ${sbp} vs baseline ${baselineSbp} mmHg (${signedPct(pct(sbp, baselineSbp))}): ${ALDRETE_ITEMS.circulation.scores[score]}` };
}

/** SpO2: above 92 % on room air = 2; above 90 % (with oxygen, or 91-92 % on room air) = 1; else 0. */
export function aldreteOxygenation(spo2: number | undefined, onOxygen: boolean): { score: number; why: string } {
  if (spo2 === undefined) return { score: 0, why: 'no SpO2 measured since the stop' };
  const score = spo2 > 92 && !onOxygen ? 2 : spo2 > 90 ? 1 : 0;
  return { score, why: `SpO2 ${spo2} % ${onOxygen ? 'on oxygen' : 'on room air'}: ${ALDRETE_ITEMS.oxygenation.scores[score]}` };
}

/** The modified Aldrete items and total: three scored at the bedside, circulation and SpO2 from the vitals. */
export function scoreAldrete(input: Pick<DischargeInput, 'aldrete' | 'onSupplementalOxygen'>, baseline: DischargeFacts['baseline'], latest: DischargeFacts['latest']): { total: number; items: AldreteScore[] } {
  const bedside = (item: (typeof ALDRETE_SCORED_ITEMS)[number]): AldreteScore => {
    const score = input.aldrete?.[item];
    if (score === undefined) return { item, label: ALDRETE_ITEMS[item].label, score: 0, why: 'not scored', computed: false };
    return { item, label: ALDRETE_ITEMS[item].label, score, why: ALDRETE_ITEMS[item].scores[score] ?? '', computed: false };
  };
  const circ = aldreteCirculation(baseline?.sbp, latest.sbp);
  const oxy = aldreteOxygenation(latest.spo2, input.onSupplementalOxygen);
  const items: AldreteScore[] = [
    bedside('activity'),
    bedside('respiration'),
    { item: 'circulation', label: ALDRETE_ITEMS.circulation.label, ...circ, computed: true },
    bedside('consciousness'),
    { item: 'oxygenation', label: ALDRETE_ITEMS.oxygenation.label, ...oxy, computed: true },
  ];
  return { total: items.reduce((a, i) => a + i.score, 0), items };
}

/**
 * PADSS vital signs: BP (systolic) and pulse against the measured baseline, scored on the one furthest
 * from it: within 20 % 2, 20-40 % 1, more than 40 % 0.
 */
export function padssVitals(baseline: DischargeFacts['baseline'], latest: DischargeFacts['latest']): { score: number; why: string } {
  const parts: string[] = [];
  let worst = 0;
  for (const f of PADSS_VITAL_FIELDS) {
    const base = baseline?.[f];
    const now = latest[f];
    if (base === undefined || base <= 0) return { score: 0, why: `no measured baseline ${label(f)} to compare with` };
    if (now === undefined) return { score: 0, why: `no ${label(f)} measured since the stop` };
    const p = pct(now, base);
    worst = Math.max(worst, Math.abs(p));
    parts.push(`${label(f)} ${now} vs baseline ${base} ${unit(f)} (${signedPct(p)})`);
  }
  const score = worst <= 20 ? 2 : worst <= 40 ? 1 : 0;
  return { score, why: `${parts.join(', ')}: ${PADSS_ITEMS.vitals.scores[score]}` };
}

/** The PADSS items and total: vital signs from the monitor, bleeding by the site's policy or at the bedside, the rest at the bedside. */
export function scorePadss(input: Pick<DischargeInput, 'padss'>, s: SiteDischargeSettings, baseline: DischargeFacts['baseline'], latest: DischargeFacts['latest']): { total: number; items: PadssScore[] } {
  const bedside = (item: (typeof PADSS_SCORED_ITEMS)[number]): PadssScore => {
    const score = input.padss?.[item];
    if (score === undefined) return { item, label: PADSS_ITEMS[item].label, score: 0, why: 'not scored', computed: false };
    return { item, label: PADSS_ITEMS[item].label, score, why: PADSS_ITEMS[item].scores[score] ?? '', computed: false };
  };
  const bleeding: PadssScore =
    s.padss.bleeding.handling === 'not_applicable_scored_2'
      ? { item: 'bleeding', label: PADSS_ITEMS.bleeding.label, score: 2, why: 'not applicable (no surgical wound), scored 2: site policy, institutional default', computed: false, policy: true }
      : bedside('bleeding');
  const items: PadssScore[] = [
    { item: 'vitals', label: PADSS_ITEMS.vitals.label, ...padssVitals(baseline, latest), computed: true },
    bedside('activity'),
    bedside('nauseaVomiting'),
    bedside('pain'),
    bleeding,
  ];
  return { total: items.reduce((a, i) => a + i.score, 0), items };
}

const scaleLabel = (s: SedationScale) => OBSERVATION_SCALES[s].label;
const signedScore = (s: SedationScale, n: number) => (s === 'RASS' && n > 0 ? `+${n}` : String(n));

/** Pure: each criterion met or not with its reason, so the screen and the 409 answer say the same thing. */
export function assessDischarge(input: DischargeInput, f: DischargeFacts): DischargeAssessment {
  const s = f.settings;
  const criteria: DischargeCriterion[] = [];
  const add = (c: DischargeCriterion) => criteria.push(c);

  const scale = s.score.scale;
  const aldrete = scale === 'aldrete' ? scoreAldrete(input, f.baseline, f.latest) : null;
  const padss = scale === 'padss' ? scorePadss(input, s, f.baseline, f.latest) : null;
  const { total, items } = (aldrete ?? padss)!;
  const low = (items as DischargeScoreItem[]).filter((i) => i.score < 2).map((i) => `${i.item === 'oxygenation' ? i.label : i.label.toLowerCase()} ${i.score} (${i.why})`);
  add({
    id: scale,
    label: `${DISCHARGE_SCALE_NAMES[scale]} score ${s.score.minScore} or more`,
    met: total >= s.score.minScore,
    reason: total >= s.score.minScore ? `score ${total} of 10` : `score ${total} of 10, needs ${s.score.minScore}: ${low.join('; ')}`,
    // PADSS cites Chung 1995; the threshold is the site's (score.source says so for either scale).
    source: scale === 'padss' ? `${cite(s.padss.source)}; threshold ${s.score.minScore}: institutional default` : cite(s.score.source),
  });

  const b = f.baselineSedation;
  const fs = input.finalSedation;
  const sedationMet = !!b && b.scale === fs.scale && b.score === fs.score;
  add({
    id: 'sedation_baseline',
    label: 'Sedation back to the baseline score',
    met: sedationMet,
    reason: !b
      ? 'no sedation score recorded before the infusion to compare with'
      : b.scale !== fs.scale
        ? `final score on ${scaleLabel(fs.scale)}, baseline was scored on ${scaleLabel(b.scale)}: score on ${scaleLabel(b.scale)}`
        : `${scaleLabel(fs.scale)} ${signedScore(fs.scale, fs.score)} now, baseline ${signedScore(b.scale, b.score)}`,
    source: 'ASRA/AAPM/ASA 2018, Monitoring section (consciousness before discharge); Q6 (validated scale)',
  });

  add({
    id: 'mental_status',
    label: 'Mental status back to baseline (verbalisation, awareness)',
    met: input.mentalStatusAtBaseline,
    reason: input.mentalStatusAtBaseline ? 'at baseline' : 'not yet back to baseline',
    source: 'Clinical reference, section 2 (return to baseline verbalisation and awareness)',
  });

  const out: string[] = [];
  const within: string[] = [];
  for (const field of s.vitalsRange.fields) {
    const base = f.baseline?.[field];
    const now = f.latest[field];
    if (base === undefined) out.push(`no measured baseline ${label(field)}`);
    else if (now === undefined) out.push(`no ${label(field)} measured since the stop`);
    else {
      const p = pct(now, base);
      const text = `${label(field)} ${now} vs baseline ${base} ${unit(field)} (${signedPct(p)})`;
      (Math.abs(p) <= s.vitalsRange.percent ? within : out).push(text);
    }
  }
  add({
    id: 'vitals_range',
    label: `Vital signs within ${s.vitalsRange.percent} % of baseline`,
    met: out.length === 0,
    reason: out.length ? `${out.join('; ')}${within.length ? `; within: ${within.join('; ')}` : ''}` : within.join('; '),
    source: cite(s.vitalsRange.source),
  });

  const since = f.stoppedAt === null ? null : Math.max(0, f.now - f.stoppedAt);
  add({
    id: 'observation_time',
    label: `Observed at least ${minutes(s.minObservation.ms)} after the stop`,
    met: since !== null && since >= s.minObservation.ms,
    reason: since === null ? 'the infusion has not been stopped' : `${minutes(since)} since the stop (minimum ${minutes(s.minObservation.ms)})`,
    source: cite(s.minObservation.source),
  });

  // Escort and no-driving are the site's to require (institutional defaults, both required as shipped).
  if (s.escort.required) {
    const present = input.escortPresent === true;
    add({ id: 'escort', label: 'Responsible adult escort present', met: present, reason: present ? 'present' : 'no escort', source: cite(s.escort.source) });
  }
  if (s.noDriving.required) {
    const agreed = input.noDrivingAgreed === true;
    add({ id: 'no_driving', label: 'Told not to drive, and agrees', met: agreed, reason: agreed ? 'agreed' : 'not agreed', source: cite(s.noDriving.source) });
  }

  const lft = s.postInfusionLft;
  const byRisk = lft.whenLiverRisk && f.liverRisk;
  const byDose = lft.minCumulativeMgKg !== null && f.cumulativeMgKg >= lft.minCumulativeMgKg;
  if (byRisk || byDose) {
    const why = byRisk ? 'liver dysfunction or risk on the checklist' : `${f.cumulativeMgKg.toFixed(1)} mg/kg given (site prompts from ${lft.minCumulativeMgKg} mg/kg)`;
    const done = input.postInfusionLftsArranged === true;
    add({ id: 'post_infusion_lft', label: 'Post-infusion liver function tests arranged', met: done, reason: done ? `arranged (${why})` : `to arrange: ${why}`, source: cite(lft.source), todo: true });
  }

  return {
    met: criteria.every((c) => c.met || c.todo),
    scale,
    score: total,
    minScore: s.score.minScore,
    aldrete: aldrete?.items ?? [],
    ...(padss ? { padss: padss.items } : {}),
    criteria,
    at: f.now,
    sinceStopMs: since,
  };
}

/** A session's discharge as recorded: what was assessed, by whom, and a physician's override when criteria were not met. */
export interface DischargeRecord {
  sessionId: string;
  at: number;
  by: string;
  input: Omit<DischargeInput, 'override'>;
  assessment: DischargeAssessment;
  override: { reason: string; by: string; at: number } | null;
}
