import { z } from 'zod';
import type { Observation } from '../observations';
import type { InfusionEvent } from '../sessions';

const G = 'ASRA/AAPM/ASA 2018';

/**
 * Guideline Q8: a positive response is "30% pain relief or greater in conjunction with patient
 * satisfaction and/or more objective indicators of meaningful benefit, such as ... a 20% or greater
 * reduction in opioid use"; follow up "greater than 3 weeks following a single outpatient infusion".
 */
export const RESPONSE_CRITERIA = {
  painDecreasePct: 30,
  opioidReductionPct: 20,
  /** Q8's example for back pain (Oswestry Disability Index). */
  functionImprovementPct: 12.8,
  source: `${G}, Q8: a positive response is a 30% or greater decrease in pain score with patient satisfaction and/or an objective measure of benefit (e.g. 20% or greater reduction in opioid use)`,
  followUpSource: `${G}, Q8: benefit lasting more than 3 weeks after a single outpatient infusion, more than 6 weeks after a series`,
} as const;

export const SATISFACTION = ['satisfied', 'neutral', 'dissatisfied'] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

const mme = z.number({ error: 'must be mg morphine equivalents a day' }).min(0, { error: 'must be 0 or more' }).max(10_000);
const pct = z.number().min(-1000).max(100);

/** What the clinician records about the session's response besides the pain scores (read from the observations). */
export const responseInputSchema = z.strictObject({
  satisfaction: z.enum(SATISFACTION).optional(),
  /** Opioid use before and after, in mg oral morphine equivalents a day. */
  opioidMmeBefore: mme.optional(),
  opioidMmeAfter: mme.optional(),
  /** Improvement of a validated function score (e.g. Oswestry Disability Index), in %. */
  functionImprovementPct: pct.optional(),
  note: z.string().trim().max(500).optional(),
});
export type ResponseInput = z.input<typeof responseInputSchema>;

export interface ResponseRecord extends z.output<typeof responseInputSchema> {
  sessionId: string;
  at: number;
  by: string;
}

export interface PainResponse {
  before: number | null;
  after: number | null;
  /** (before - after) / before in %, one decimal; null when either is missing or the pain before was 0. */
  decreasePct: number | null;
  /** Reaches Q8's 30%; null when it cannot be computed. */
  responder: boolean | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The pain decrease and whether it reaches Q8's 30 % (8 → 5 = 37.5 %, responder; 8 → 6 = 25 %, not). */
export function painResponse(before: number | null, after: number | null): PainResponse {
  if (before === null || after === null || before <= 0) return { before, after, decreasePct: null, responder: null };
  const decreasePct = round1(((before - after) / before) * 100);
  return { before, after, decreasePct, responder: decreasePct >= RESPONSE_CRITERIA.painDecreasePct };
}

/**
 * Pain before: the last pain score documented before the infusion's first start (the baseline).
 * Pain after: the last pain score documented after the infusion last stopped. Nulls when there is none.
 */
export function painBeforeAfter(observations: Pick<Observation, 'scale' | 'score' | 't'>[], events: Pick<InfusionEvent, 'type' | 't'>[]): { before: number | null; after: number | null } {
  const pain = observations.filter((o) => o.scale === 'NRS_PAIN').sort((a, b) => a.t - b.t);
  const start = events.find((e) => e.type === 'start');
  const stops = events.filter((e) => e.type === 'stop');
  const stop = stops.at(-1);
  // A stop followed by a new start: the infusion is running again, nothing is "after" yet.
  const lastStart = events.filter((e) => e.type === 'start').at(-1);
  const stopped = stop && (!lastStart || lastStart.t <= stop.t) ? stop : null;
  const before = start ? (pain.filter((o) => o.t <= start.t).at(-1)?.score ?? null) : null;
  const after = stopped ? (pain.filter((o) => o.t >= stopped.t).at(-1)?.score ?? null) : null;
  return { before, after };
}

export interface ResponseAssessment {
  pain: PainResponse;
  satisfaction: Satisfaction | null;
  /** (before - after) / before in %; null when not recorded. */
  opioidReductionPct: number | null;
  functionImprovementPct: number | null;
  /** An objective measure meets Q8 (>= 20 % less opioid, or the function score's improvement); null when none is recorded. */
  objective: boolean | null;
  /** Q8: >= 30 % pain decrease with satisfaction and/or an objective measure; null when the pain decrease is unknown. */
  positive: boolean | null;
  source: string;
}

export function assessResponse(pain: PainResponse, r: Partial<Omit<ResponseRecord, 'sessionId' | 'at' | 'by'>> | null): ResponseAssessment {
  const satisfaction = r?.satisfaction ?? null;
  const opioidReductionPct =
    r?.opioidMmeBefore !== undefined && r.opioidMmeAfter !== undefined && r.opioidMmeBefore > 0 ? round1(((r.opioidMmeBefore - r.opioidMmeAfter) / r.opioidMmeBefore) * 100) : null;
  const functionImprovementPct = r?.functionImprovementPct ?? null;
  const measures = [opioidReductionPct === null ? null : opioidReductionPct >= RESPONSE_CRITERIA.opioidReductionPct, functionImprovementPct === null ? null : functionImprovementPct >= RESPONSE_CRITERIA.functionImprovementPct];
  const objective = measures.every((m) => m === null) ? null : measures.some((m) => m === true);
  const positive = pain.responder === null ? null : pain.responder && (satisfaction === 'satisfied' || objective === true);
  return { pain, satisfaction, opioidReductionPct, functionImprovementPct, objective, positive, source: RESPONSE_CRITERIA.source };
}

/** A follow-up on the patient record (Q8: e.g. at 3 and 6 weeks). */
export const followUpInputSchema = z.strictObject({
  /** When the follow-up took place (epoch ms). */
  t: z.number().int().positive(),
  /** The session it follows (one of the patient's). */
  sessionId: z.string().min(1).max(100).optional(),
  pain: z.number().int({ error: 'pain is scored 0 to 10' }).min(0, { error: 'pain is scored 0 to 10' }).max(10, { error: 'pain is scored 0 to 10' }).optional(),
  satisfaction: z.enum(SATISFACTION).optional(),
  opioidMmePerDay: mme.optional(),
  note: z.string().trim().max(1000).optional(),
});
export type FollowUpInput = z.input<typeof followUpInputSchema>;

export interface FollowUp {
  id: number;
  patientId: number;
  sessionId: string | null;
  t: number;
  pain: number | null;
  satisfaction: Satisfaction | null;
  opioidMmePerDay: number | null;
  note: string | null;
  by: string;
  at: number;
}
