import { z } from 'zod';
import { OBSERVATION_SCALES } from './observations';
import { defaultRuleSet } from './rules/index';
import { SEDATION_SCALES, formatSource, type DischargeSettings, type RuleSet, type RuleSource, type SedationScale } from './rules/schema';
import { VITAL_META, type VitalField } from './vitals';

/**
 * Discharge from recovery: a modified Aldrete score and the site's other criteria, each met or not with
 * the reason, computed by the server from what was measured and shown to the nurse as it is.
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

const itemScore = z.number({ error: 'score 0, 1 or 2' }).int({ error: 'score 0, 1 or 2' }).min(0, { error: 'score 0, 1 or 2' }).max(2, { error: 'score 0, 1 or 2' });

/** What the nurse records at discharge: the bedside Aldrete items, the final checks, escort and driving. */
export const dischargeInputSchema = z.strictObject({
  aldrete: z.strictObject({ activity: itemScore, respiration: itemScore, consciousness: itemScore }),
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
  escortPresent: z.boolean(),
  noDrivingAgreed: z.boolean(),
  /** Post-infusion liver function tests arranged (asked when the site's rule prompts them). */
  postInfusionLftsArranged: z.boolean().optional(),
  /** Discharge before the criteria are met: the physician's reason. */
  override: z.strictObject({ reason: z.string().trim().min(5, { error: 'a reason of at least 5 characters is required' }).max(500) }).optional(),
});
export type DischargeInput = z.infer<typeof dischargeInputSchema>;

export interface AldreteScore {
  item: AldreteItem;
  label: string;
  score: number;
  /** What the score stands for, and for computed items what it was computed from. */
  why: string;
  computed: boolean;
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
  score: number;
  minScore: number;
  aldrete: AldreteScore[];
  criteria: DischargeCriterion[];
  /** When it was assessed, and how long after the stop. */
  at: number;
  sinceStopMs: number | null;
}

/** What the server measured and knows; the assessment is a pure function of it and the input. */
export interface DischargeFacts {
  settings: DischargeSettings;
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

/** The site's discharge settings: the rule set's own, else the shipped defaults. */
export function dischargeSettingsOf(rs: Pick<RuleSet, 'discharge'> | null | undefined): DischargeSettings {
  return rs?.discharge ?? defaultRuleSet.discharge!;
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
    const score = input.aldrete[item];
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

const scaleLabel = (s: SedationScale) => OBSERVATION_SCALES[s].label;
const signedScore = (s: SedationScale, n: number) => (s === 'RASS' && n > 0 ? `+${n}` : String(n));

/** Pure: each criterion met or not with its reason, so the screen and the 409 answer say the same thing. */
export function assessDischarge(input: DischargeInput, f: DischargeFacts): DischargeAssessment {
  const s = f.settings;
  const criteria: DischargeCriterion[] = [];
  const add = (c: DischargeCriterion) => criteria.push(c);

  const { total, items } = scoreAldrete(input, f.baseline, f.latest);
  const low = items.filter((i) => i.score < 2).map((i) => `${i.item === 'oxygenation' ? i.label : i.label.toLowerCase()} ${i.score} (${i.why})`);
  add({
    id: 'aldrete',
    label: `Modified Aldrete score ${s.score.minScore} or more`,
    met: total >= s.score.minScore,
    reason: total >= s.score.minScore ? `score ${total} of 10` : `score ${total} of 10, needs ${s.score.minScore}: ${low.join('; ')}`,
    source: cite(s.score.source),
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

  add({ id: 'escort', label: 'Responsible adult escort present', met: input.escortPresent, reason: input.escortPresent ? 'present' : 'no escort', source: 'Site discharge policy (institutional default)' });
  add({ id: 'no_driving', label: 'Told not to drive, and agrees', met: input.noDrivingAgreed, reason: input.noDrivingAgreed ? 'agreed' : 'not agreed', source: 'Site discharge policy (institutional default)' });

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
    score: total,
    minScore: s.score.minScore,
    aldrete: items,
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
