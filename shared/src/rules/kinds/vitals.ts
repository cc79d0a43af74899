import { VITAL_META, type VitalField } from '../../vitals';
import { OP_TEXT, fmt, fmtDuration, signed } from '../format';
import type { BaselineChangeRule, CombinationRule, Condition, NoBreathRule, RateOfChangeRule, ThresholdRule } from '../schema';
import { BAND, BREACH, CLEAR, INVALID, type Assessment, type EvalInput, type KindResult, type Level } from '../state';

/** Clinical rules on vital signs: threshold, baseline change, rate of change, combination, apnea. */

const label = (f: VitalField) => VITAL_META[f].label;

/** Level of `value op limit` with a hysteresis band on the safe side. */
export function thresholdLevel(op: '<' | '>', v: number, limit: number, hysteresis: number): Level {
  if (op === '<') return v < limit ? BREACH : v >= limit + hysteresis ? CLEAR : BAND;
  return v > limit ? BREACH : v <= limit - hysteresis ? CLEAR : BAND;
}

// ---------------------------------------------------------------- threshold

export function assessThreshold(rule: ThresholdRule, inp: EvalInput): Assessment | null {
  const v = inp.sample?.[rule.field];
  if (v === undefined) return null;
  if (v === null) return { lvl: INVALID, v: null, lim: rule.limit, x: null };
  return { lvl: thresholdLevel(rule.op, v, rule.limit, rule.hysteresis), v, lim: rule.limit, x: null };
}

export function describeThreshold(rule: ThresholdRule, a: Assessment): Record<string, string> {
  return { label: label(rule.field), value: fmt(a.v ?? 0), op: rule.op, limit: fmt(rule.limit), unit: VITAL_META[rule.field].unit };
}

// ---------------------------------------------------------------- baseline change

/** x = [baseline] */
export function assessBaselineChange(rule: BaselineChangeRule, inp: EvalInput): Assessment | null {
  const v = inp.sample?.[rule.field];
  if (v === undefined) return null;
  const b = inp.ctx.baseline?.[rule.field];
  // Inactive while the baseline is missing; an invalid reading says nothing.
  if (v === null || b === undefined || b <= 0) return { lvl: INVALID, v, lim: null, x: null };
  const units = (amount: number) => (rule.percent !== undefined ? (b * amount) / 100 : amount);
  const amount = rule.percent ?? rule.absolute ?? 0;
  const diff = rule.direction === 'rise' ? v - b : b - v;
  const breachAt = units(amount);
  const lvl = diff >= breachAt ? BREACH : diff < units(amount - rule.hysteresis) ? CLEAR : BAND;
  const lim = rule.direction === 'rise' ? b + breachAt : b - breachAt;
  return { lvl, v, lim, x: [b] };
}

export function describeBaselineChange(rule: BaselineChangeRule, a: Assessment): Record<string, string> {
  const v = a.v ?? 0;
  const b = a.x?.[0] ?? 0;
  const unit = VITAL_META[rule.field].unit;
  const sign = rule.direction === 'rise' ? 1 : -1;
  // Truncated, never rounded up: the message never shows more change than there is.
  const change =
    rule.percent !== undefined ? `${signed(Math.trunc(((v - b) / b) * 100), String)}%` : `${signed(Math.trunc((v - b) * 10) / 10)} ${unit}`;
  const limit = rule.percent !== undefined ? `${signed(sign * rule.percent)}%` : `${signed(sign * (rule.absolute ?? 0))} ${unit}`;
  return {
    label: label(rule.field),
    value: fmt(v),
    change,
    dir: v >= b ? 'over' : 'under',
    baseline: fmt(b),
    limit,
    unit,
  };
}

// ---------------------------------------------------------------- trends (bounded history)

/** [bucket index, extreme value in the bucket]: oldest first, at most about TREND_BUCKETS + 2 entries. */
export type Bucket = [bucket: number, extreme: number];
/** The window is kept as this many buckets (max for a fall, min for a rise), whatever the sample rate. */
export const TREND_BUCKETS = 30;

/**
 * Add a reading to a trend history and drop buckets that left the window. The effective window is
 * windowMs plus at most one bucket (windowMs / 30): a fall is judged against the highest reading
 * in about the last windowMs.
 */
export function pushTrend(h: readonly Bucket[] | null, now: number, v: number, windowMs: number, direction: 'fall' | 'rise'): Bucket[] {
  const bw = Math.max(1, Math.floor(windowMs / TREND_BUCKETS));
  const b = Math.floor(now / bw);
  const oldest = Math.floor((now - windowMs) / bw);
  // Unchanged (same bucket, same extreme, nothing left the window): keep the same array.
  const first = h?.[0];
  const tail = h?.[h.length - 1];
  if (h && first && tail && first[0] >= oldest && tail[0] === b && (direction === 'fall' ? v <= tail[1] : v >= tail[1])) return h as Bucket[];
  const out: Bucket[] = [];
  if (h) for (const e of h) if (e[0] >= oldest && e[0] <= b) out.push(e);
  const last = out[out.length - 1];
  if (last && last[0] === b) out[out.length - 1] = [b, direction === 'fall' ? Math.max(last[1], v) : Math.min(last[1], v)];
  else out.push([b, v]);
  return out;
}

/** Highest (fall) or lowest (rise) reading in the history: where the change started from. */
export function trendFrom(h: readonly Bucket[], v: number, direction: 'fall' | 'rise'): number {
  let ext = v;
  for (const e of h) ext = direction === 'fall' ? Math.max(ext, e[1]) : Math.min(ext, e[1]);
  return ext;
}

function trendLevel(change: number, delta: number, hysteresis: number): Level {
  return change >= delta ? BREACH : change < delta - hysteresis ? CLEAR : BAND;
}

// ---------------------------------------------------------------- rate of change

/** v = change, lim = delta, x = [from, reading] */
export function assessRateOfChange(rule: RateOfChangeRule, prevD: unknown, inp: EvalInput): KindResult {
  const v = inp.sample?.[rule.field];
  if (v === undefined) return { a: null, d: prevD };
  if (v === null) return { a: { lvl: INVALID, v: null, lim: rule.delta, x: null }, d: prevD };
  const h = pushTrend(Array.isArray(prevD) ? (prevD as Bucket[]) : null, inp.now, v, rule.windowMs, rule.direction);
  const from = trendFrom(h, v, rule.direction);
  const change = rule.direction === 'fall' ? from - v : v - from;
  return { a: { lvl: trendLevel(change, rule.delta, rule.hysteresis), v: change, lim: rule.delta, x: [from, v] }, d: h };
}

export function describeRateOfChange(rule: RateOfChangeRule, a: Assessment): Record<string, string> {
  return {
    label: label(rule.field),
    verb: rule.direction === 'fall' ? 'fell' : 'rose',
    change: fmt(a.v ?? 0),
    window: fmtDuration(rule.windowMs),
    from: fmt(a.x?.[0] ?? 0),
    value: fmt(a.x?.[1] ?? 0),
    limit: fmt(rule.delta),
    unit: VITAL_META[rule.field].unit,
  };
}

// ---------------------------------------------------------------- combination

/**
 * Folding levels: an `all` part is CLEAR as soon as one condition is clear, unknown (INVALID) wins
 * over a band; an `any` part is BREACH as soon as one condition holds.
 */
const ALL_START = BREACH as Level;
function foldAll(acc: Level, l: Level): Level {
  if (acc === CLEAR || l === CLEAR) return CLEAR;
  if (acc === INVALID || l === INVALID) return INVALID;
  return acc === BREACH && l === BREACH ? BREACH : BAND;
}
const ANY_START = CLEAR as Level;
function foldAny(acc: Level, l: Level): Level {
  if (acc === BREACH || l === BREACH) return BREACH;
  if (acc === INVALID || l === INVALID) return INVALID;
  return acc === CLEAR && l === CLEAR ? CLEAR : BAND;
}

/** d = one trend history per condition (null for thresholds), in the order all..., any... x = [level, value, from] per condition. */
export function assessCombination(rule: CombinationRule, prevD: unknown, inp: EvalInput): KindResult {
  const s = inp.sample;
  if (s === null) return { a: null, d: prevD };
  const all = rule.all ?? [];
  const any = rule.any ?? [];
  const n = all.length + any.length;
  const prevH = Array.isArray(prevD) && prevD.length === n ? (prevD as (Bucket[] | null)[]) : null;
  let hs = prevH;
  const x: (number | null)[] = [];
  let allL = ALL_START;
  let anyL = ANY_START;
  for (let i = 0; i < n; i++) {
    const c = (i < all.length ? all[i] : any[i - all.length])!;
    const last = inp.after.vals[c.field];
    const fresh = last && inp.now - last[0] <= rule.maxAgeMs ? last[1] : null;
    let l: Level;
    if (c.type === 'threshold') {
      l = fresh === null ? INVALID : thresholdLevel(c.op, fresh, c.limit, c.hysteresis);
      x.push(l, fresh, null);
    } else {
      const before = prevH?.[i] ?? null;
      const cur = s[c.field];
      const h = typeof cur === 'number' ? pushTrend(before, inp.now, cur, c.windowMs, c.direction) : before;
      if (h !== before) {
        hs ??= Array.from({ length: n }, (_v, k) => prevH?.[k] ?? null);
        if (hs === prevH) hs = prevH.slice();
        hs[i] = h;
      }
      if (fresh === null) {
        l = INVALID;
        x.push(l, null, null);
      } else {
        const from = trendFrom(h ?? [], fresh, c.direction);
        l = trendLevel(c.direction === 'fall' ? from - fresh : fresh - from, c.delta, c.hysteresis);
        x.push(l, fresh, from);
      }
    }
    if (i < all.length) allL = foldAll(allL, l);
    else anyL = foldAny(anyL, l);
  }
  const lvl = any.length ? foldAll(allL, anyL) : allL;
  return { a: { lvl, v: null, lim: null, x }, d: hs ?? prevH };
}

export function describeCondition(c: Condition, value: number, from: number | null): string {
  if (c.type === 'threshold') return `${label(c.field)} ${fmt(value)} ${OP_TEXT[c.op]} ${fmt(c.limit)}`;
  const change = c.direction === 'fall' ? (from ?? value) - value : value - (from ?? value);
  return `${label(c.field)} ${c.direction === 'fall' ? 'fell' : 'rose'} ${fmt(change)} in ${fmtDuration(c.windowMs)} (to ${fmt(value)})`;
}

export function describeCombination(rule: CombinationRule, a: Assessment): Record<string, string> {
  const conds: Condition[] = [...(rule.all ?? []), ...(rule.any ?? [])];
  const met: string[] = [];
  conds.forEach((c, i) => {
    const x = a.x ?? [];
    if (x[i * 3] === BREACH) met.push(describeCondition(c, x[i * 3 + 1] ?? 0, x[i * 3 + 2] ?? null));
  });
  return { conditions: met.join(' and ') };
}

// ---------------------------------------------------------------- apnea

/** [last breath, last respiratory reading, 1 if that reading showed a breath]: event times. */
type BreathClock = [lastBreath: number, lastReading: number, breathing: 0 | 1];
const isBreathClock = (d: unknown): d is BreathClock => Array.isArray(d) && d.length === 3 && d.every((x) => typeof x === 'number');

/**
 * Apnea is judged on respiratory readings only: a valid RR (0 = no breath) or, without RR, an EtCO2
 * value (under minEtco2 = no breath). Frames without them (no capnography, line off, a null) say
 * nothing about breathing: after maxFrameGapMs without a reading the rule holds its state and the
 * technical alarms speak. Time without readings is not counted as time without breath: when
 * readings resume after such a gap, the count starts at the first reading, unless the last reading
 * before the gap showed no breath too.
 * d = BreathClock, null before any reading.
 */
export function assessNoBreath(rule: NoBreathRule, prevD: unknown, inp: EvalInput): KindResult {
  let clock: BreathClock | null = isBreathClock(prevD) ? prevD : null;
  const s = inp.sample;
  const { now } = inp;
  if (s) {
    const rr = s.rr;
    const et = s.etco2;
    // RR decides when present (RR 0 = no breath, whatever the last EtCO2); else an EtCO2 waveform value.
    const reading = typeof rr === 'number' || typeof et === 'number';
    if (reading) {
      const breath = typeof rr === 'number' ? rr > 0 : typeof et === 'number' && et >= rule.minEtco2;
      // After a gap in the readings, time without breath counts from now unless the reading before
      // the gap already showed no breath (no breath on both sides of the gap).
      const restart = clock === null || (now - clock[1] > rule.maxFrameGapMs && clock[2] === 1);
      clock = [breath || restart ? now : clock![0], now, breath ? 1 : 0];
    }
  }
  if (clock === null) return { a: null, d: null };
  const [lastBreath, lastReading, breathing] = clock;
  // No respiratory reading for a while: nothing to say about breathing.
  if (now - lastReading > rule.maxFrameGapMs) return { a: { lvl: INVALID, v: null, lim: rule.durationMs / 1000, x: null }, d: clock };
  const gap = Math.max(0, now - lastBreath);
  // Still no breath but not yet for durationMs (e.g. just after a gap): a raised alarm stays raised.
  const lvl = gap >= rule.durationMs ? BREACH : breathing ? CLEAR : BAND;
  return { a: { lvl, v: Math.floor(gap / 1000), lim: rule.durationMs / 1000, x: null }, d: clock };
}

export function describeNoBreath(_rule: NoBreathRule, a: Assessment): Record<string, string> {
  return { value: fmt(a.v ?? 0), limit: fmt(a.lim ?? 0) };
}
