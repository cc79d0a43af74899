import {
  ADVERSE_EFFECT_TYPES,
  OBSERVATION_SCALES,
  PRIORITY_SIGNAL,
  applyInfusionEvent,
  doseAt,
  initialInfusion,
  type AdverseEffect,
  type Alarm,
  type AlarmPriority,
  type InfusionEvent,
  type Observation,
  type ObservationScale,
  type RescueDose,
  type TrendPoint,
  type VitalField,
} from '@infusion/shared';
import { INFUSION_EVENT_LABEL } from '../format';
import { shownText } from '../clinicianWords';

/**
 * Pure data for the session page's trend panels: uPlot's aligned columns (x, then per field the
 * value, the bucket min and the bucket max), with a null row wherever the data stops, so a period
 * without data is drawn as a gap and never as a line that looks like data.
 */

export type Column = (number | null)[];

/** Built incrementally: live samples are appended to the columns instead of rebuilding them. */
export interface PanelData {
  fields: readonly VitalField[];
  /** x (ms), then for each field: value, min, max. */
  columns: Column[];
  /** A gap longer than this (ms) between two points breaks the line. */
  gapMs: number;
  /** The trend array and its length these columns were built from (to recognise a pure append). */
  source: readonly TrendPoint[];
  sourceLen: number;
  /** Whether any point is a bucket with a spread (the band is then drawn and explained). */
  bucketed: boolean;
}

/** Samples that carry none of the panel's fields do not count (NIBP is intermittent). */
const carries = (p: TrendPoint, fields: readonly VitalField[]) => fields.some((f) => p[f] !== undefined);

/**
 * The gap threshold from the typical spacing of the panel's points: a raw 1 Hz stream breaks after
 * about 2.5 s without a sample, a downsampled trend at a missing bucket, NIBP every few minutes
 * only when a reading is missing.
 */
export function gapThreshold(times: readonly number[]): number {
  if (times.length < 2) return Infinity;
  const steps: number[] = [];
  for (let i = 1; i < times.length; i++) steps.push(times[i]! - times[i - 1]!);
  steps.sort((a, b) => a - b);
  const typical = steps[Math.floor(steps.length / 2)]!;
  return typical * 1.5 + 1000;
}

function pushPoint(d: PanelData, p: TrendPoint): void {
  const x = d.columns[0]!;
  const prevT = x[x.length - 1];
  if (typeof prevT === 'number' && p.t - prevT > d.gapMs) {
    // A null row just after the last point: uPlot (spanGaps off) ends the line there.
    x.push(prevT + 1);
    for (let c = 1; c < d.columns.length; c++) d.columns[c]!.push(null);
  }
  x.push(p.t);
  d.fields.forEach((f, i) => {
    const v = p[f];
    const value = typeof v === 'number' ? v : null;
    const lo = p.min?.[f] ?? value;
    const hi = p.max?.[f] ?? value;
    if (lo !== hi) d.bucketed = true;
    d.columns[1 + i * 3]!.push(value);
    d.columns[2 + i * 3]!.push(typeof lo === 'number' ? lo : null);
    d.columns[3 + i * 3]!.push(typeof hi === 'number' ? hi : null);
  });
}

export function buildPanelData(fields: readonly VitalField[], trend: readonly TrendPoint[]): PanelData {
  const own = trend.filter((p) => carries(p, fields));
  const d: PanelData = {
    fields,
    columns: [[], ...fields.flatMap(() => [[], [], []] as Column[])],
    gapMs: gapThreshold(own.map((p) => p.t)),
    source: trend,
    sourceLen: trend.length,
    bucketed: false,
  };
  for (const p of own) pushPoint(d, p);
  return d;
}

/**
 * The panel data for a new trend: when the new trend is the old one with samples added at the end
 * (the live case), only those are appended; anything else (a new window, thinning) rebuilds.
 */
export function updatePanelData(prev: PanelData | null, fields: readonly VitalField[], trend: readonly TrendPoint[]): PanelData {
  if (!prev || prev.fields !== fields) return buildPanelData(fields, trend);
  if (trend === prev.source) return prev;
  const n = prev.sourceLen;
  const appended = n > 0 && trend.length >= n && trend[0] === prev.source[0] && trend[n - 1] === prev.source[n - 1];
  if (!appended) return buildPanelData(fields, trend);
  const next: PanelData = { ...prev, source: trend, sourceLen: trend.length };
  for (let i = n; i < trend.length; i++) if (carries(trend[i]!, fields)) pushPoint(next, trend[i]!);
  return next;
}

/** Contiguous drawn runs of a column as [first t, last t]: what the line covers (a gap splits a run). */
export function segments(x: readonly (number | null)[], y: readonly (number | null)[]): [number, number][] {
  const out: [number, number][] = [];
  let start: number | null = null;
  let last: number | null = null;
  for (let i = 0; i < x.length; i++) {
    const t = x[i];
    const v = y[i];
    if (typeof t === 'number' && typeof v === 'number') {
      if (start === null) start = t;
      last = t;
    } else if (start !== null) {
      out.push([start, last!]);
      start = null;
    }
  }
  if (start !== null) out.push([start, last!]);
  return out;
}

// ---------- infusion rate (step) and cumulative dose ----------

export interface RateData {
  /** x (ms), rate (mg/kg/h, 0 while paused or stopped), cumulative dose (mg). */
  columns: [number[], number[], number[]];
  cumulativeMg: number;
}

/**
 * The infusion as the pump ran it: the rate in force after each event (a step chart) and the dose
 * given so far (mg on the dosing weight), advanced to `until`. A bolus shows as a jump in the dose.
 */
export function rateData(events: readonly InfusionEvent[], weightKg: number, until: number): RateData {
  const xs: number[] = [];
  const rate: number[] = [];
  const mg: number[] = [];
  let s = initialInfusion();
  const shownRate = () => (s.status === 'running' ? s.rateMgKgH : 0);
  const sorted = [...events].sort((a, b) => a.t - b.t || a.id - b.id);
  for (const e of sorted) {
    // The point at the event carries the old rate and the dose up to it; the new values follow 1 ms later.
    if (xs.length > 0 && e.t > xs[xs.length - 1]!) {
      xs.push(e.t);
      rate.push(shownRate());
      mg.push(doseAt(s, weightKg, e.t).cumulativeMg);
    }
    s = applyInfusionEvent(s, weightKg, e);
    const t = xs.length > 0 && xs[xs.length - 1]! >= e.t ? xs[xs.length - 1]! + 1 : e.t;
    xs.push(t);
    rate.push(shownRate());
    mg.push(s.cumulativeMg);
  }
  if (xs.length > 0 && until > xs[xs.length - 1]!) {
    xs.push(until);
    rate.push(shownRate());
    mg.push(doseAt(s, weightKg, until).cumulativeMg);
  }
  return { columns: [xs, rate, mg], cumulativeMg: mg[mg.length - 1] ?? 0 };
}

// ---------- sedation and pain scores ----------

export const SCORE_SCALES = Object.keys(OBSERVATION_SCALES) as ObservationScale[];

/** One column per scale; each score stands alone (scores are taken every 15 minutes, not streamed). */
export function scoreData(observations: readonly Observation[]): { scales: ObservationScale[]; columns: Column[] } {
  const sorted = [...observations].sort((a, b) => a.t - b.t);
  const scales = SCORE_SCALES.filter((sc) => sorted.some((o) => o.scale === sc));
  const columns: Column[] = [sorted.map((o) => o.t), ...scales.map((sc) => sorted.map((o) => (o.scale === sc ? o.score : null)))];
  return { scales, columns };
}

// ---------- markers ----------

export type MarkerKind = 'infusion' | 'bolus' | 'rescue' | 'alarm' | 'adverse';

export interface Marker {
  t: number;
  kind: MarkerKind;
  /** Short text drawn beside the marker and read in the list under the charts. */
  label: string;
  colour: string;
  /** Infusion event type, or the alarm's priority. */
  detail: string;
  /** For alarms: the vital it is about (its marker is drawn on that chart); null = every chart. */
  field: string | null;
}

const EVENT_COLOUR = '#5eead4';
const RESCUE_COLOUR = '#f472b6';
export const ADVERSE_COLOUR = '#fb923c';

export function markers(events: readonly InfusionEvent[], rescues: readonly RescueDose[], alarms: readonly Alarm[], adverse: readonly AdverseEffect[] = []): Marker[] {
  const out: Marker[] = [];
  for (const e of events) {
    if (e.type === 'bolus') out.push({ t: e.t, kind: 'bolus', label: `Bolus ${e.doseMg ?? ''} mg`, colour: EVENT_COLOUR, detail: e.type, field: null });
    else {
      const rate = e.rateMgKgH !== null && (e.type === 'start' || e.type === 'rate_change') ? ` ${e.rateMgKgH} mg/kg/h` : '';
      out.push({ t: e.t, kind: 'infusion', label: `${INFUSION_EVENT_LABEL[e.type]}${rate}`, colour: EVENT_COLOUR, detail: e.type, field: null });
    }
  }
  for (const r of rescues) out.push({ t: r.t, kind: 'rescue', label: `${shownText(r.drug)} ${r.doseMg} mg`, colour: RESCUE_COLOUR, detail: r.drugId, field: null });
  for (const a of adverse) out.push({ t: a.t, kind: 'adverse', label: `${ADVERSE_EFFECT_TYPES[a.type].label} (${a.severity})`, colour: ADVERSE_COLOUR, detail: a.type, field: null });
  for (const a of alarms) {
    const p: AlarmPriority = a.priority;
    out.push({ t: a.startedAt, kind: 'alarm', label: shownText(a.message), colour: PRIORITY_SIGNAL[p].colour, detail: p, field: a.field });
  }
  return out.sort((a, b) => a.t - b.t);
}
