import type { CareSetting } from '../../sessions';
import { OP_TEXT, fmt, fmtDose, fmtDuration, signed } from '../format';
import type { DoseGuardrailRule, ObservationDueRule, SedationRule, TreatmentCountRule } from '../schema';
import { SEDATION_SCALES } from '../schema';
import { BREACH, CLEAR, type Assessment, type EvalInput, type KindResult } from '../state';

/** Advisory and observation rules: schedules, dose guardrails, sedation scores, treatment count. */

const cmp = (op: '>' | '>=' | '<=', v: number, limit: number) => (op === '>' ? v > limit : op === '>=' ? v >= limit : v <= limit);

// ---------------------------------------------------------------- observation due

/** v = seconds since the last observation (or session start), lim = interval in s, x = [1 if none yet]. */
export function assessObservationDue(rule: ObservationDueRule, inp: EvalInput): Assessment {
  const { ctx, ev, now } = inp;
  if (!rule.activeWhen.includes(ctx.infusion.status)) return { lvl: CLEAR, v: null, lim: rule.intervalMs / 1000, x: null };
  let last: number | null;
  if (rule.observation === 'sedation') {
    last = ctx.lastObservation.sedation?.t ?? null;
    if (ev.kind === 'observation' && ev.obs.scale !== 'NRS_PAIN') last = Math.max(last ?? ev.t, ev.t);
  } else {
    last = ctx.lastNibpAt;
    const seen = inp.after.raw.sbp?.[0];
    if (seen !== undefined) last = Math.max(last ?? seen, seen);
  }
  const ref = last ?? ctx.session.startedAt;
  const elapsed = Math.max(0, now - ref);
  return { lvl: elapsed > rule.intervalMs ? BREACH : CLEAR, v: Math.floor(elapsed / 1000), lim: rule.intervalMs / 1000, x: [last === null ? 1 : 0] };
}

export function describeObservationDue(rule: ObservationDueRule, a: Assessment): Record<string, string> {
  const ago = fmtDuration((a.v ?? 0) * 1000);
  return {
    label: rule.observation === 'sedation' ? 'Sedation score' : 'NIBP',
    last: a.x?.[0] === 1 ? `none recorded, session started ${ago} ago` : `last ${ago} ago`,
    interval: fmtDuration(rule.intervalMs),
    value: fmt(a.v ?? 0),
    limit: fmt(a.lim ?? 0),
  };
}

// ---------------------------------------------------------------- dose guardrails

const settingApplies = (rule: DoseGuardrailRule, s: CareSetting) => !rule.settings || rule.settings.includes(s);

/**
 * bolus: judged on the bolus event, holds for holdMs (d = [t, mg/kg] of the last offending bolus);
 * rate: while the infusion runs; cumulative: projected to the event time. v and lim in mg/kg(/h).
 */
export function assessDoseGuardrail(rule: DoseGuardrailRule, prevD: unknown, inp: EvalInput): KindResult {
  const { ctx, ev, now } = inp;
  const applies = settingApplies(rule, ctx.session.setting);
  switch (rule.check) {
    case 'bolus': {
      let d = Array.isArray(prevD) ? (prevD as [number, number]) : null;
      if (ev.kind === 'infusion' && ev.event.type === 'bolus' && ev.event.doseMg !== null && applies) {
        const mgKg = ev.event.doseMg / ctx.session.weightKg;
        if (cmp(rule.op, mgKg, rule.limit)) d = [now, mgKg];
      }
      if (d && now - d[0] > rule.holdMs) d = null;
      return { a: { lvl: d ? BREACH : CLEAR, v: d ? d[1] : null, lim: rule.limit, x: null }, d };
    }
    case 'rate': {
      const { status, rateMgKgH } = ctx.infusion;
      const on = applies && status === 'running' && cmp(rule.op, rateMgKgH, rule.limit);
      return { a: { lvl: on ? BREACH : CLEAR, v: status === 'running' ? rateMgKgH : 0, lim: rule.limit, x: null }, d: null };
    }
    case 'cumulative': {
      const inf = ctx.infusion;
      const hours = inf.status === 'running' && now > inf.asOf ? (now - inf.asOf) / 3_600_000 : 0;
      const mgKg = inf.cumulativeMgPerKg + inf.rateMgKgH * hours;
      return { a: { lvl: applies && cmp(rule.op, mgKg, rule.limit) ? BREACH : CLEAR, v: mgKg, lim: rule.limit, x: null }, d: null };
    }
  }
}

const SETTING_TEXT: Record<CareSetting, string> = { clinic: 'clinic', monitored_unit: 'monitored unit', icu: 'ICU' };

const PER_TEXT = { actual: '', ideal: ' (ideal body weight)', adjusted: ' (adjusted body weight)' } as const;

export function describeDoseGuardrail(rule: DoseGuardrailRule, a: Assessment, inp: EvalInput): Record<string, string> {
  return {
    value: fmtDose(a.v ?? 0),
    op: OP_TEXT[rule.op] ?? rule.op,
    limit: fmtDose(rule.limit),
    setting: SETTING_TEXT[inp.ctx.session.setting],
    // Per-kg figures say which weight they are on when it is not the actual weight.
    per: PER_TEXT[inp.ctx.session.weightBasis ?? 'actual'],
  };
}

// ---------------------------------------------------------------- sedation

/** The latest sedation score: the event's own if newer than the context's. */
function latestSedation(inp: EvalInput): { scale: (typeof SEDATION_SCALES)[number]; score: number } | null {
  const { ev, ctx } = inp;
  const c = ctx.lastObservation.sedation;
  if (ev.kind === 'observation' && ev.obs.scale !== 'NRS_PAIN' && (!c || ev.t >= c.t)) return { scale: ev.obs.scale, score: ev.obs.score };
  return c;
}

/** v = score, lim = the criterion's limit, x = [scale index]. A score on a scale the rule has no criterion for says nothing. */
export function assessSedation(rule: SedationRule, inp: EvalInput): Assessment | null {
  const obs = latestSedation(inp);
  if (!obs) return null;
  const crit = rule.criteria.find((c) => c.scale === obs.scale);
  if (!crit) return null;
  return { lvl: cmp(crit.op, obs.score, crit.limit) ? BREACH : CLEAR, v: obs.score, lim: crit.limit, x: [SEDATION_SCALES.indexOf(obs.scale)] };
}

const SCALE_TEXT = { RASS: 'RASS', MOAAS: 'MOAA/S', RAMSAY: 'Ramsay' } as const;

export function describeSedation(rule: SedationRule, a: Assessment): Record<string, string> {
  const scale = SEDATION_SCALES[a.x?.[0] ?? 0] ?? 'RASS';
  const crit = rule.criteria.find((c) => c.scale === scale);
  const num = (n: number) => (scale === 'RASS' ? signed(n) : fmt(n));
  return { scale: SCALE_TEXT[scale], value: num(a.v ?? 0), op: OP_TEXT[crit?.op ?? '<='] ?? '', limit: num(a.lim ?? 0) };
}

// ---------------------------------------------------------------- treatment count

export function assessTreatmentCount(rule: TreatmentCountRule, inp: EvalInput): Assessment {
  const n = inp.ctx.treatmentsInLast12Months;
  return { lvl: cmp(rule.op, n, rule.limit) ? BREACH : CLEAR, v: n, lim: rule.limit, x: null };
}

export function describeTreatmentCount(rule: TreatmentCountRule, a: Assessment): Record<string, string> {
  return { value: fmt(a.v ?? 0), op: OP_TEXT[rule.op] ?? rule.op, limit: fmt(rule.limit) };
}
