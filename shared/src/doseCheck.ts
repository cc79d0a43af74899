import type { FormularyEntry } from './formulary';
import type { Order, OrderParsed } from './orders';
import { formatSource, limitLevel, type LimitLevel, type RuleSet, type RuleSource } from './rules/schema';
import type { CareSetting, InfusionState } from './sessions';

/**
 * Limits before the dose (the smart-pump drug library model): every dosing action is checked against
 * the physician's order, the rule set's dose limits for the setting and profile, and the cumulative
 * dose, before anything is stored. Pure, so the dashboard shows the same limits before submit.
 */

export type DoseAction = { type: 'start' | 'rate_change'; rateMgKgH: number } | { type: 'bolus'; doseMg: number };

export interface DoseLimit {
  /** Rule id ("dose.rate.max"), order limit ("order.rate.max") or rule-set dose-safety limit ("bolus.window"). */
  id: string;
  label: string;
  /** The value crosses the limit when `value op limit` holds. */
  op: '>' | '>=' | '<';
  limit: number;
  unit: 'mg/kg/h' | 'mg/kg' | 'mg' | 'min';
  level: LimitLevel;
  /** A soft limit only a physician (or a trainer on a simulated session) may confirm. */
  confirmRole: 'physician' | null;
  /** Where the limit comes from, in words a clinician can check. */
  source: string;
}

export interface LimitCrossing extends DoseLimit {
  value: number;
  /** e.g. "Infusion rate above any reported dose: 15 mg/kg/h > 7 mg/kg/h (hard limit; ASRA/AAPM/ASA 2018, ...)". */
  message: string;
}

export type DoseOutcome = 'ok' | 'needs_confirmation' | 'refused';

export interface DoseCheck {
  action: DoseAction;
  /** The limits that apply to this kind of action (shown before submit). */
  limits: DoseLimit[];
  crossings: LimitCrossing[];
  /** refused: a hard limit is crossed; needs_confirmation: only soft ones, confirm with a reason. */
  outcome: DoseOutcome;
  /** 'physician' when a crossed soft limit needs a physician's confirmation. */
  confirmRole: 'physician' | null;
}

export interface DoseContext {
  weightKg: number;
  setting: CareSetting;
  /**
   * The rule sets to check against; a limit of any of them applies: the site's set as it is, with the
   * patient's profile, and with the bedside overrides. A profile or an override can add or tighten a
   * dose limit, never loosen the site's.
   */
  ruleSets: RuleSet[];
  order: Order | null;
  /** Without an order, the rate the pre-infusion checklist was passed for is the upper bound. */
  checklistRateMgKgH: number | null;
  /** The infusion advanced to the action's time. */
  infusion: InfusionState;
  /** Boluses already given in the session. */
  boluses: { t: number; doseMg: number }[];
  t: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const crosses = (value: number, op: DoseLimit['op'], limit: number) => (op === '>' ? value > limit : op === '>=' ? value >= limit : value < limit);

const ORDER_SOURCE = (o: Order) => `physician's order v${o.version} (${o.by}); ASRA/AAPM/ASA 2018 Q6: the nurse adjusts the rate on the physician's direction`;

function orderLimits(ctx: DoseContext, type: DoseAction['type']): DoseLimit[] {
  const o = ctx.order;
  const hard = { level: 'hard' as const, confirmRole: null };
  if (!o) {
    if (type === 'bolus')
      return [{ id: 'order.bolus.allowed', label: 'Bolus without a physician order allowing it', op: '>', limit: 0, unit: 'mg/kg', ...hard, source: 'no physician order on file; ASRA/AAPM/ASA 2018 Q6 (the physician decides on a bolus)' }];
    if (ctx.checklistRateMgKgH === null) return [];
    return [
      {
        id: 'order.rate.max',
        label: 'Rate above the rate the checklist was passed for',
        op: '>',
        limit: ctx.checklistRateMgKgH,
        unit: 'mg/kg/h',
        ...hard,
        source: 'pre-infusion checklist (no physician order on file: the checklist’s ordered rate is the upper bound)',
      },
    ];
  }
  const src = ORDER_SOURCE(o);
  if (type === 'bolus') {
    if (!o.bolusAllowed) return [{ id: 'order.bolus.allowed', label: 'Bolus not allowed by the order', op: '>', limit: 0, unit: 'mg/kg', ...hard, source: src }];
    return [
      { id: 'order.bolus.max', label: 'Bolus above the ordered maximum', op: '>', limit: o.bolusMaxMgKg ?? 0, unit: 'mg/kg', ...hard, source: src },
      { id: 'order.bolus.interval', label: 'Bolus sooner than the ordered interval', op: '<', limit: o.bolusMinIntervalMin ?? 0, unit: 'min', ...hard, source: src },
      { id: 'order.cumulative', label: 'Cumulative dose above the ordered maximum', op: '>', limit: o.maxCumulativeMgKg, unit: 'mg/kg', ...hard, source: src },
    ];
  }
  return [
    { id: 'order.rate.min', label: 'Rate below the ordered range', op: '<', limit: o.rateMinMgKgH, unit: 'mg/kg/h', ...hard, source: src },
    { id: 'order.rate.max', label: 'Rate above the ordered range', op: '>', limit: o.rateMaxMgKgH, unit: 'mg/kg/h', ...hard, source: src },
    { id: 'order.cumulative', label: 'Cumulative dose above the ordered maximum', op: '>', limit: o.maxCumulativeMgKg, unit: 'mg/kg', ...hard, source: src },
  ];
}

/** Dose rules of every given set that apply in the setting (a rule that differs between the sets counts once per value). */
function ruleLimits(ctx: DoseContext, type: DoseAction['type']): DoseLimit[] {
  const byId = new Map<string, DoseLimit>();
  for (const rs of ctx.ruleSets) {
    for (const r of rs.rules) {
      if (r.kind !== 'dose_guardrail' || r.enabled === false) continue;
      if (r.settings && !r.settings.includes(ctx.setting)) continue;
      if (r.check === 'bolus' && type !== 'bolus') continue;
      if (r.check === 'rate' && type === 'bolus') continue;
      const limit: DoseLimit = {
        id: r.id,
        label: r.title,
        op: r.op,
        limit: r.limit,
        unit: r.check === 'rate' ? 'mg/kg/h' : 'mg/kg',
        level: limitLevel(r),
        confirmRole: r.confirmRole ?? null,
        source: formatSource(r.source),
      };
      // The same rule at another value or level in another set (the site's, the profile's, the bedside's) is another limit: each holds.
      byId.set(`${r.id}|${r.op}|${r.limit}|${limit.level}`, limit);
    }
  }
  if (type === 'bolus') {
    const w = ctx.ruleSets.map((rs) => rs.doseSafety?.bolusWindow).find((x) => x !== undefined);
    if (w)
      byId.set('bolus.window', {
        id: 'bolus.window',
        label: `Boluses within ${Math.round(w.windowMs / 60_000)} min`,
        op: '>',
        limit: w.limitMgKg,
        unit: 'mg/kg',
        level: w.enforce,
        confirmRole: w.confirmRole ?? null,
        source: formatSource(w.source),
      });
  }
  return [...byId.values()];
}

/** The limits that apply to a kind of action in this context (for the form, before submit). */
export function applicableLimits(ctx: DoseContext, type: DoseAction['type']): DoseLimit[] {
  return [...orderLimits(ctx, type), ...ruleLimits(ctx, type)];
}

/**
 * The hard limits of the rule sets an order itself would cross (its highest rate, its largest bolus,
 * its cumulative maximum) in every setting: a physician cannot order what no one may give anywhere.
 * A limit of one setting only (e.g. above 1 mg/kg/h outside a monitored setting, Table 6) re-opens the
 * checklist's setting item instead (see the care service).
 */
export function orderHardCrossings(order: Pick<OrderParsed, 'setting' | 'rateMaxMgKgH' | 'bolusAllowed' | 'bolusMaxMgKg' | 'maxCumulativeMgKg'>, ruleSets: RuleSet[]): LimitCrossing[] {
  const ctx = { setting: order.setting, ruleSets } as Pick<DoseContext, 'setting' | 'ruleSets'> as DoseContext;
  const isCumulative = (l: DoseLimit) => ruleSets.some((rs) => rs.rules.some((r) => r.id === l.id && r.kind === 'dose_guardrail' && r.check === 'cumulative'));
  const everywhere = (l: DoseLimit) => ruleSets.every((rs) => rs.rules.every((r) => r.id !== l.id || r.kind !== 'dose_guardrail' || !r.settings));
  const out: LimitCrossing[] = [];
  for (const l of ruleLimits(ctx, 'rate_change')) {
    if (l.level !== 'hard' || !everywhere(l)) continue;
    const v = l.unit === 'mg/kg/h' ? order.rateMaxMgKgH : order.maxCumulativeMgKg;
    if (crosses(v, l.op, l.limit)) out.push(crossing(l, v));
  }
  if (order.bolusAllowed && order.bolusMaxMgKg != null) {
    for (const l of ruleLimits(ctx, 'bolus')) {
      if (l.level !== 'hard' || !everywhere(l) || l.id === 'bolus.window' || isCumulative(l)) continue;
      if (crosses(order.bolusMaxMgKg, l.op, l.limit)) out.push(crossing(l, order.bolusMaxMgKg));
    }
  }
  return out;
}

/** The value an action has against one limit (null = the limit does not judge this action). */
function valueFor(l: DoseLimit, ctx: DoseContext, a: DoseAction): number | null {
  const cumulativeNow = ctx.infusion.cumulativeMgPerKg;
  if (a.type === 'bolus') {
    const perKg = a.doseMg / ctx.weightKg;
    if (l.id === 'bolus.window') {
      const w = ctx.ruleSets.map((rs) => rs.doseSafety?.bolusWindow).find((x) => x !== undefined);
      const since = ctx.t - (w?.windowMs ?? 0);
      return (ctx.boluses.filter((b) => b.t > since && b.t <= ctx.t).reduce((s, b) => s + b.doseMg, 0) + a.doseMg) / ctx.weightKg;
    }
    if (l.id === 'order.bolus.interval') {
      const last = ctx.boluses.filter((b) => b.t <= ctx.t).reduce<number | null>((m, b) => (m === null || b.t > m ? b.t : m), null);
      return last === null ? null : (ctx.t - last) / 60_000;
    }
    if (l.id === 'order.cumulative' || isCumulativeRule(l, ctx)) return cumulativeNow + perKg;
    return perKg;
  }
  if (l.unit === 'mg/kg') {
    // A rate that does not go up does not add to a dose already over its limit: lowering stays possible.
    if (a.type === 'rate_change' && a.rateMgKgH <= ctx.infusion.rateMgKgH) return null;
    return cumulativeNow;
  }
  return a.rateMgKgH;
}

function isCumulativeRule(l: DoseLimit, ctx: DoseContext): boolean {
  return ctx.ruleSets.some((rs) => rs.rules.some((r) => r.id === l.id && r.kind === 'dose_guardrail' && r.check === 'cumulative'));
}

const fmt = (x: number) => String(round(x));

function crossing(l: DoseLimit, value: number): LimitCrossing {
  return {
    ...l,
    value: round(value),
    message: `${l.label}: ${fmt(value)} ${l.unit} ${l.op} ${fmt(l.limit)} ${l.unit} (${l.level} limit${l.confirmRole ? ', physician confirms' : ''}; ${l.source})`,
  };
}

function outcomeOf(crossings: LimitCrossing[]): Pick<DoseCheck, 'outcome' | 'confirmRole'> {
  if (crossings.some((c) => c.level === 'hard')) return { outcome: 'refused', confirmRole: null };
  if (crossings.length === 0) return { outcome: 'ok', confirmRole: null };
  return { outcome: 'needs_confirmation', confirmRole: crossings.some((c) => c.confirmRole === 'physician') ? 'physician' : null };
}

/** Checks one dosing action; the answer names each limit crossed, its value, source and level. */
export function checkDose(ctx: DoseContext, action: DoseAction): DoseCheck {
  const limits = applicableLimits(ctx, action.type);
  const crossings: LimitCrossing[] = [];
  for (const l of limits) {
    const v = valueFor(l, ctx, action);
    if (v !== null && crosses(v, l.op, l.limit)) crossings.push(crossing(l, v));
  }
  return { action, limits, crossings, ...outcomeOf(crossings) };
}

/**
 * The largest dose in mg a formulary text gives ("0.03-0.05 mg/kg IV" → 0.05 x weight; "5 mg IV" →
 * 5), or null when the site has written none (or none this reads): then no dose is invented.
 */
export function formularyMaxDoseMg(dose: string | null, weightKg: number): number | null {
  if (!dose) return null;
  const m = /^\s*(?:(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*)?(\d+(?:\.\d+)?)\s*(mg\/kg|mg)\b/i.exec(dose);
  if (!m) return null;
  const max = Number(m[2]);
  return m[3]!.toLowerCase() === 'mg/kg' ? max * weightKg : max;
}

export interface RescueCheck extends DoseCheck {
  /** The site formulary's dose for this patient, or null: the dose is documented with the note "no site dose on file". */
  formularyDoseMg: number | null;
  note: string | null;
}

export const NO_SITE_DOSE = 'no site dose on file';

/** Rescue doses: soft above the formulary's dose, hard at the rule set's multiple of it. */
export function checkRescue(entry: FormularyEntry, doseMg: number, weightKg: number, rescue: { hardMultiple: number; source: RuleSource } | undefined): RescueCheck {
  const action: DoseAction = { type: 'bolus', doseMg };
  const max = formularyMaxDoseMg(entry.dose, weightKg);
  if (max === null) return { action, limits: [], crossings: [], outcome: 'ok', confirmRole: null, formularyDoseMg: null, note: NO_SITE_DOSE };
  const source = `site formulary: ${entry.drug} ${entry.dose}${entry.doseSource ? ` (${entry.doseSource})` : ''}`;
  const limits: DoseLimit[] = [{ id: `rescue.${entry.id}.dose`, label: `${entry.drug} above the formulary dose`, op: '>', limit: round(max), unit: 'mg', level: 'soft', confirmRole: null, source }];
  if (rescue)
    limits.push({
      id: `rescue.${entry.id}.hard`,
      label: `${entry.drug} at ${rescue.hardMultiple} times the formulary dose or more`,
      op: '>=',
      limit: round(max * rescue.hardMultiple),
      unit: 'mg',
      level: 'hard',
      confirmRole: null,
      source: `${source}; ${formatSource(rescue.source)}`,
    });
  const crossings = limits.filter((l) => crosses(doseMg, l.op, l.limit)).map((l) => crossing(l, doseMg));
  return { action, limits, crossings, ...outcomeOf(crossings), formularyDoseMg: round(max), note: null };
}
