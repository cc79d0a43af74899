import { ALARM_PRIORITIES, PRIORITY_SIGNAL, type AckTimeBin, type AlarmPriority, type AlarmTimeline, type GuardrailLimitStats, type PriorityCounts } from '@infusion/shared';

/** One stacked series: its colour, and whether it is the simulated sessions' part (drawn hatched). */
export interface ChartSeries {
  key: string;
  label: string;
  colour: string;
  simulated: boolean;
}

/** One bar of a stacked chart: a short axis label, the full one (tooltip, table) and a count per series key. */
export interface ChartRow {
  label: string;
  full: string;
  values: Record<string, number>;
}

const simKey = (key: string) => `${key}Sim`;
const total = (c: PriorityCounts) => c.high + c.medium + c.low;

/** Alarm priorities in the IEC colours, highest at the bottom of each stack; simulated parts beside their priority when included. */
export function prioritySeries(withSimulated: boolean): ChartSeries[] {
  return ALARM_PRIORITIES.flatMap((p) => {
    const real: ChartSeries = { key: p, label: PRIORITY_SIGNAL[p].label, colour: PRIORITY_SIGNAL[p].colour, simulated: false };
    return withSimulated ? [real, { key: simKey(p), label: `${PRIORITY_SIGNAL[p].label} (simulated)`, colour: PRIORITY_SIGNAL[p].colour, simulated: true }] : [real];
  });
}

function priorityValues(real: PriorityCounts, simulated: PriorityCounts): Record<string, number> {
  const v: Record<string, number> = {};
  for (const p of ALARM_PRIORITIES) {
    v[p] = real[p];
    v[simKey(p)] = simulated[p];
  }
  return v;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Parts of a time in the report's zone (the server cut the buckets there), the same on every locale. */
function parts(t: number, tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
    formatters.set(tz, f);
  }
  const out: Record<string, string> = {};
  for (const p of f.formatToParts(t)) out[p.type] = p.value;
  return { wd: out.weekday ?? '', d: out.day ?? '', mon: out.month ?? '', y: out.year ?? '', hm: `${out.hour ?? '00'}:${out.minute ?? '00'}` };
}

const day = (p: ReturnType<typeof parts>) => `${p.wd} ${p.d} ${p.mon}`;

/** Axis and full labels of a time bucket: "14:00" (midnight: "1 Dec") / "Mon 30 Nov 14:00–15:00", "Mon 30 Nov", "30 Nov", "Nov 2026". */
export function bucketLabels(start: number, end: number, bucket: AlarmTimeline['bucket'], tz: string): { label: string; full: string } {
  const a = parts(start, tz);
  const b = parts(end, tz);
  // Midnight's tick names the new day: a 24-hour chart spans two dates.
  if (bucket === 'hour') return { label: a.hm === '00:00' ? `${a.d} ${a.mon}` : a.hm, full: `${day(a)} ${a.hm}–${b.hm}` };
  // A bucket cut by the period (or ending at midnight) names its times; a whole day or week names its dates.
  const whole = a.hm === '00:00' && b.hm === '00:00';
  const span = whole ? '' : ` ${a.hm} to ${day(b)} ${b.hm}`;
  if (bucket === 'day') return { label: day(a), full: whole ? day(a) : `${day(a)}${span}` };
  if (bucket === 'week') return { label: `${a.d} ${a.mon}`, full: whole ? `Week from ${day(a)}` : `${day(a)}${span}` };
  return { label: `${a.mon} ${a.y}`, full: whole ? `${a.mon} ${a.y}` : `${day(a)} ${a.y}${span}` };
}

export const BUCKET_WORD: Record<AlarmTimeline['bucket'], string> = { hour: 'hour', day: 'day', week: 'week (from Monday)', month: 'month' };

export function timelineRows(t: AlarmTimeline): ChartRow[] {
  return t.buckets.map((b) => ({ ...bucketLabels(b.start, b.end, t.bucket, t.tz), values: priorityValues(b.real, b.simulated) }));
}

/** "Acknowledged within 10 s", "Acknowledged after 1–2 min", "Acknowledged after 15 min or more", "Not acknowledged by a user". */
function ackFull(b: AckTimeBin): string {
  if (b.fromS === null) return 'Not acknowledged by a user';
  if (b.fromS === 0) return `Acknowledged within ${b.label.replace('< ', '')}`;
  if (b.toS === null) return `Acknowledged after ${b.label.replace('≥ ', '')} or more`;
  return `Acknowledged after ${b.label}`;
}

export function ackRows(bins: AckTimeBin[]): ChartRow[] {
  return bins.map((b) => ({ label: b.label, full: ackFull(b), values: priorityValues(b.real, b.simulated) }));
}

/** Outcomes of a dose check at a limit, most serious at the bottom: refused (hard), overridden (soft, confirmed), alerted (soft, not confirmed). */
export const GUARDRAIL_OUTCOMES = [
  { key: 'refusals', label: 'Hard-limit refusals', colour: '#b91c1c' },
  { key: 'overrides', label: 'Overrides with a reason', colour: '#f59e0b' },
  { key: 'alerts', label: 'Soft-limit alerts (not confirmed)', colour: '#fde68a' },
] as const;

export function guardrailSeries(withSimulated: boolean): ChartSeries[] {
  return GUARDRAIL_OUTCOMES.flatMap((o) => {
    const real: ChartSeries = { key: o.key, label: o.label, colour: o.colour, simulated: false };
    return withSimulated ? [real, { key: simKey(o.key), label: `${o.label} (simulated)`, colour: o.colour, simulated: true }] : [real];
  });
}

/** One bar per limit; the report's counts include the simulated part, the chart draws it apart. */
export function guardrailRows(byLimit: GuardrailLimitStats[], label: (l: GuardrailLimitStats) => string): ChartRow[] {
  return byLimit.map((l) => {
    const values: Record<string, number> = {};
    for (const o of GUARDRAIL_OUTCOMES) {
      values[o.key] = l[o.key] - l.simulated[o.key];
      values[simKey(o.key)] = l.simulated[o.key];
    }
    const name = label(l);
    return { label: name, full: `${name} (${l.level} limit)`, values };
  });
}

/** Sum of a series over the rows (a simulated key included in its real one when `withSimulated`). */
export function seriesTotal(rows: ChartRow[], key: string, withSimulated = false): number {
  return rows.reduce((acc, r) => acc + (r.values[key] ?? 0) + (withSimulated ? (r.values[simKey(key)] ?? 0) : 0), 0);
}

export function rowTotal(r: ChartRow): number {
  return Object.values(r.values).reduce((a, b) => a + b, 0);
}

/** "41 alarms: 12 high, 20 medium, 9 low; 5 from simulated sessions. Most in Mon 30 Nov 14:00–15:00 (8)." */
export function timelineSummary(t: AlarmTimeline): string {
  const rows = timelineRows(t);
  const by = (p: AlarmPriority) => seriesTotal(rows, p, true);
  const all = rows.reduce((a, r) => a + rowTotal(r), 0);
  if (all === 0) return 'No alarms in this period.';
  const sim = t.buckets.reduce((a, b) => a + total(b.simulated), 0);
  const top = rows.reduce((m, r) => (rowTotal(r) > rowTotal(m) ? r : m), rows[0]!);
  return (
    `${all} alarm${all === 1 ? '' : 's'}: ${by('high')} high, ${by('medium')} medium, ${by('low')} low` +
    (sim ? `; ${sim} from simulated sessions` : '') +
    `. Most in ${top.full} (${rowTotal(top)}).`
  );
}

/** "Of 41 alarms, 30 were acknowledged by a user, 22 of them within 1 min; 11 were not (they ended by themselves or are still open)." */
export function ackSummary(bins: AckTimeBin[]): string {
  const count = (b: AckTimeBin) => total(b.real) + total(b.simulated);
  const all = bins.reduce((a, b) => a + count(b), 0);
  if (all === 0) return 'No alarms in this period.';
  const none = bins.filter((b) => b.fromS === null).reduce((a, b) => a + count(b), 0);
  const inMinute = bins.filter((b) => b.toS !== null && b.toS <= 60).reduce((a, b) => a + count(b), 0);
  const sim = bins.reduce((a, b) => a + total(b.simulated), 0);
  return (
    `Of ${all} alarm${all === 1 ? '' : 's'}, ${all - none} ${all - none === 1 ? 'was' : 'were'} acknowledged by a user, ${inMinute} of them within 1 min; ` +
    `${none} ${none === 1 ? 'was' : 'were'} not (ended by ${none === 1 ? 'itself' : 'themselves'} or still open)` +
    (sim ? `; ${sim} from simulated sessions` : '') +
    '.'
  );
}

/** "3 refusals, 2 overrides, 4 unconfirmed alerts at 5 limits; 1 from simulated sessions." */
export function guardrailSummary(byLimit: GuardrailLimitStats[]): string {
  const sum = (k: 'alerts' | 'overrides' | 'refusals') => byLimit.reduce((a, l) => a + l[k], 0);
  const sim = byLimit.reduce((a, l) => a + l.simulated.alerts + l.simulated.overrides + l.simulated.refusals, 0);
  const n = (x: number, one: string, many: string) => `${x} ${x === 1 ? one : many}`;
  return (
    `${n(sum('refusals'), 'refusal', 'refusals')}, ${n(sum('overrides'), 'override', 'overrides')}, ${n(sum('alerts'), 'unconfirmed alert', 'unconfirmed alerts')} ` +
    `at ${n(byLimit.length, 'limit', 'limits')}` +
    (sim ? `; ${sim} from simulated sessions` : '') +
    '.'
  );
}
