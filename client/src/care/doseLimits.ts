import { fieldErrors, orderInputSchema, type CareSetting, type DoseCheck, type DoseLimit, type FieldError, type LimitCrossing, type Order, type OrderInput, type Role } from '@infusion/shared';
import { parseDecimal } from '../forms';

/**
 * What a dose form shows before submit, from the shared dose check's answer: the limits that apply
 * (as the allowed range, with level and source) and which of them the typed value crosses.
 */

const num = (x: number) => String(Math.round(x * 1000) / 1000);

/** The allowed side of a limit: a value crosses `> 1` so "≤ 1" is allowed. */
const ALLOWED_OP: Record<DoseLimit['op'], string> = { '>': '≤', '>=': '<', '<': '≥' };

export type LimitMark = 'ok' | 'soft' | 'hard';

export interface LimitLine {
  /** The limit ids the line stands for (the order's rate range is one line for two limits). */
  ids: string[];
  text: string;
  level: 'soft' | 'hard';
  source: string;
  physicianConfirms: boolean;
  /** The value typed crosses this limit. */
  crossed: boolean;
}

function allowedText(l: DoseLimit): string {
  // "not allowed" limits (nothing above 0 passes) read as what they are.
  if (l.op === '>' && l.limit === 0) return l.label;
  if (l.unit === 'min') return `${l.label}: at least ${num(l.limit)} min since the last bolus`;
  return `${l.label}: ${ALLOWED_OP[l.op]} ${num(l.limit)} ${l.unit}`;
}

/** One line per limit, the order's rate range merged into "Order v2: 0.5–1 mg/kg/h". */
export function limitLines(check: Pick<DoseCheck, 'limits' | 'crossings'>): LimitLine[] {
  const crossed = new Set(check.crossings.map((c) => `${c.id}|${c.limit}|${c.level}`));
  const isCrossed = (l: DoseLimit) => crossed.has(`${l.id}|${l.limit}|${l.level}`);
  const lines: LimitLine[] = [];
  const min = check.limits.find((l) => l.id === 'order.rate.min');
  const max = check.limits.find((l) => l.id === 'order.rate.max');
  for (const l of check.limits) {
    if (min && max && l === max) continue;
    if (min && max && l === min) {
      const version = /order v(\d+)/.exec(l.source)?.[1];
      lines.push({
        ids: [min.id, max.id],
        text: `Order${version ? ` v${version}` : ''}: ${num(min.limit)}–${num(max.limit)} mg/kg/h`,
        level: 'hard',
        source: l.source,
        physicianConfirms: false,
        crossed: isCrossed(min) || isCrossed(max),
      });
      continue;
    }
    lines.push({ ids: [l.id], text: allowedText(l), level: l.level, source: l.source, physicianConfirms: l.confirmRole === 'physician', crossed: isCrossed(l) });
  }
  return lines;
}

/** The order version the server checked against (its order limits cite "physician's order vN"), or null. */
export function orderVersionIn(check: Pick<DoseCheck, 'limits'> | null): number | null {
  for (const l of check?.limits ?? []) {
    const m = l.id.startsWith('order.') ? /physician's order v(\d+)/.exec(l.source) : null;
    if (m) return Number(m[1]);
  }
  return null;
}

/** How the typed value is marked: the worst limit it crosses. */
export const markOf = (check: Pick<DoseCheck, 'outcome'> | null): LimitMark => (check === null ? 'ok' : check.outcome === 'refused' ? 'hard' : check.outcome === 'needs_confirmation' ? 'soft' : 'ok');

/** How a crossing reads: "> 7", "≥ 0.35", "< 10". */
export const OP_SYMBOL: Record<DoseLimit['op'], string> = { '>': '>', '>=': '≥', '<': '<' };

/** "Infusion rate above any guideline dose: 15 mg/kg/h, limit > 7 mg/kg/h". */
export const crossingText = (c: Pick<LimitCrossing, 'label' | 'value' | 'limit' | 'unit' | 'op'>) => `${c.label}: ${num(c.value)} ${c.unit}, limit ${OP_SYMBOL[c.op]} ${num(c.limit)} ${c.unit}`;

/** Whether this user may confirm the soft limits of a check (the server answers 403 otherwise). */
export function mayConfirm(role: Role | null | undefined, simulated: boolean, check: Pick<DoseCheck, 'confirmRole'>): boolean {
  if (!role) return false;
  if (check.confirmRole !== 'physician') return true;
  return role === 'physician' || (role === 'trainer' && simulated);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The dose check a refused dosing request carries (409/403 `check`), or null. */
export function asDoseCheck(v: unknown): DoseCheck | null {
  if (!isObject(v) || !Array.isArray(v.crossings) || !Array.isArray(v.limits)) return null;
  if (v.outcome !== 'ok' && v.outcome !== 'needs_confirmation' && v.outcome !== 'refused') return null;
  return v as unknown as DoseCheck;
}

/** What a dose form shows after the server's answer to a refused dosing request. */
export type DoseRefusalView = { error: string; fields?: FieldError[] | undefined; check: DoseCheck | null };
export type DoseAnswer =
  /** Soft limits only, first try: open the confirmation dialog for these crossings. */
  | { kind: 'confirm'; check: DoseCheck }
  /** The confirmation itself was malformed (e.g. the reason): keep the dialog open with this text. */
  | { kind: 'dialog_error'; text: string }
  /** Refused (hard limit, not allowed, unreachable): close any dialog and show why. */
  | { kind: 'refused'; refusal: DoseRefusalView };

/**
 * Reads a failed answer to a start, rate change, bolus or rescue dose the same way in every form.
 * `confirming`: the request carried a reason; `dialogOpen`: the confirmation dialog is showing.
 */
export function readDoseRefusal(res: { status: number; error: string; fields?: FieldError[] | undefined; check?: unknown }, confirming: boolean, dialogOpen: boolean): DoseAnswer {
  const check = asDoseCheck(res.check);
  if (check && check.outcome === 'needs_confirmation' && res.status === 409 && !confirming) return { kind: 'confirm', check };
  if (dialogOpen && res.status === 400) return { kind: 'dialog_error', text: res.fields?.length ? res.fields.map((f) => `${f.field}: ${f.reason}`).join('; ') : res.error };
  return { kind: 'refused', refusal: { error: res.error, fields: res.fields, check } };
}

export const MIN_REASON_LENGTH = 5;

/** Why a confirmation reason is not enough yet, or null. */
export function reasonProblem(reason: string): string | null {
  return reason.trim().length >= MIN_REASON_LENGTH ? null : `Give the reason for going past the limit (at least ${MIN_REASON_LENGTH} characters).`;
}

// --- the physician's order -------------------------------------------------------------------

export interface OrderForm {
  rateMin: string;
  rateMax: string;
  bolusAllowed: boolean;
  bolusMax: string;
  bolusInterval: string;
  maxCumulative: string;
  note: string;
}

export function orderFormFrom(o: Order | null): OrderForm {
  if (!o) return { rateMin: '', rateMax: '', bolusAllowed: false, bolusMax: '', bolusInterval: '', maxCumulative: '', note: '' };
  return {
    rateMin: num(o.rateMinMgKgH),
    rateMax: num(o.rateMaxMgKgH),
    bolusAllowed: o.bolusAllowed,
    bolusMax: o.bolusMaxMgKg === null ? '' : num(o.bolusMaxMgKg),
    bolusInterval: o.bolusMinIntervalMin === null ? '' : String(o.bolusMinIntervalMin),
    maxCumulative: num(o.maxCumulativeMgKg),
    note: '',
  };
}

/** The form as an order for the session's setting, checked with the server's own schema. */
export function toOrderInput(f: OrderForm, setting: CareSetting): { ok: true; input: OrderInput } | { ok: false; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const need = (text: string, field: string): number | null => {
    const v = parseDecimal(text);
    if (v === null) problems.push({ field, reason: 'enter a number' });
    return v;
  };
  const rateMinMgKgH = need(f.rateMin, 'rateMinMgKgH');
  const rateMaxMgKgH = need(f.rateMax, 'rateMaxMgKgH');
  const maxCumulativeMgKg = need(f.maxCumulative, 'maxCumulativeMgKg');
  const bolusMaxMgKg = f.bolusAllowed ? need(f.bolusMax, 'bolusMaxMgKg') : null;
  const bolusMinIntervalMin = f.bolusAllowed ? need(f.bolusInterval, 'bolusMinIntervalMin') : null;
  if (problems.length) return { ok: false, problems };
  const input: OrderInput = {
    setting,
    rateMinMgKgH: rateMinMgKgH!,
    rateMaxMgKgH: rateMaxMgKgH!,
    bolusAllowed: f.bolusAllowed,
    bolusMaxMgKg,
    bolusMinIntervalMin,
    maxCumulativeMgKg: maxCumulativeMgKg!,
    ...(f.note.trim() ? { note: f.note.trim() } : {}),
  };
  const p = orderInputSchema.safeParse(input);
  return p.success ? { ok: true, input } : { ok: false, problems: fieldErrors(p.error) };
}

/** "0.5–1 mg/kg/h; boluses up to 0.2 mg/kg, at least 10 min apart; at most 8 mg/kg in all". */
export function orderSummary(o: Order): string {
  const bolus = o.bolusAllowed ? `boluses up to ${num(o.bolusMaxMgKg ?? 0)} mg/kg, at least ${o.bolusMinIntervalMin ?? 0} min apart` : 'no boluses';
  return `${num(o.rateMinMgKgH)}–${num(o.rateMaxMgKgH)} mg/kg/h; ${bolus}; at most ${num(o.maxCumulativeMgKg)} mg/kg in all`;
}
