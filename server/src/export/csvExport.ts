import { VITAL_FIELDS, VITAL_META, type VitalField } from '@infusion/shared';
import { isoTime, SIMULATED_MARK, totalDose, who, type SessionRecord } from './sessionRecord';

/** One RFC 4180 cell: quoted when it holds a comma, quote or line break; a would-be formula is defused with a leading quote. */
export function csvCell(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  // A spreadsheet runs a cell starting with = + - @ (or tab / CR) as a formula: text such cells start with ' instead.
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (cells: (string | number | boolean | null | undefined)[]) => cells.map(csvCell).join(',');

/** Vitals columns with units in the headers, e.g. `SpO2 (%)`, `SpO2 min (%)`. */
const vitalHeaders = VITAL_FIELDS.flatMap((f) => {
  const m = VITAL_META[f];
  return [`${m.label} (${m.displayUnit})`, `${m.label} min (${m.displayUnit})`, `${m.label} max (${m.displayUnit})`];
});

/**
 * The session's vitals and events as one CSV (RFC 4180, CRLF): comment lines (`#`) name the session
 * and, for a simulated one, say so; then one table whose `record` column says what each row is
 * (`vitals` or an event kind), every row carrying the `simulated` column.
 */
export function buildCsv(r: SessionRecord): string {
  const s = r.session;
  const sim = s.simulated;
  const dose = totalDose(r);
  const rows: string[] = [];
  if (sim) rows.push(`# ${SIMULATED_MARK}`);
  rows.push(`# session ${s.id}; ${csvCell(s.patientLabel)}; ${csvCell(s.location)}; unit ${csvCell(s.unit)}; started ${isoTime(s.createdAt)}; ended ${isoTime(s.endedAt) || 'ongoing'}`);
  rows.push(`# total ketamine ${round(dose.mg)} mg (${round(dose.mgPerKg)} mg/kg); exported ${isoTime(r.exportedAt)} by ${csvCell(who(r, r.exportedBy))}`);
  rows.push(line(['time (UTC)', 'simulated', 'record', ...vitalHeaders, 'rate (mg/kg/h)', 'dose (mg)', 'score', 'priority', 'detail', 'by']));
  const empty = vitalHeaders.map(() => '');
  type Row = { t: number; cells: (string | number | boolean | null | undefined)[] };
  const out: Row[] = [];
  const push = (t: number, kind: string, extra: { rate?: number | null; dose?: number | null; score?: number | null; priority?: string; detail?: string | null; by?: string | null }) =>
    out.push({ t, cells: [isoTime(t), sim, kind, ...empty, extra.rate, extra.dose, extra.score, extra.priority, extra.detail, extra.by ? who(r, extra.by) : ''] });

  for (const p of r.trend) {
    const vitals = VITAL_FIELDS.flatMap((f: VitalField) => [p[f] === null || p[f] === undefined ? null : round(p[f]), p.min?.[f], p.max?.[f]]);
    out.push({ t: p.t, cells: [isoTime(p.t), sim, 'vitals', ...vitals, null, null, null, '', '', ''] });
  }
  for (const e of r.infusionEvents)
    push(e.t, `infusion ${e.type.replace('_', ' ')}`, { rate: e.rateMgKgH, dose: e.doseMg, detail: [e.note, e.override ? `dose limit overridden: ${e.override.reason}` : null].filter(Boolean).join('; '), by: e.by });
  for (const o of r.observations) push(o.t, `observation ${o.scale}`, { score: o.score, detail: o.note, by: o.by });
  for (const d of r.rescueDoses) push(d.t, 'rescue dose', { dose: d.doseMg, detail: `${d.drug} ${d.route}${d.note ? `; ${d.note}` : ''}`, by: d.by });
  for (const a of r.alarms) {
    push(a.startedAt, 'alarm raised', { priority: a.priority, detail: `${a.title}: ${a.message}` });
    if (a.acknowledgedAt !== null) push(a.acknowledgedAt, 'alarm acknowledged', { priority: a.priority, detail: a.title, by: a.acknowledgedBy });
    if (a.resolvedAt !== null) push(a.resolvedAt, 'alarm resolved', { priority: a.priority, detail: a.title });
  }
  for (const e of r.escalations) {
    push(e.openedAt, 'escalation opened', { priority: e.priority, detail: `${e.title} (level ${e.level})` });
    if (e.acknowledgedAt !== null) push(e.acknowledgedAt, 'escalation acknowledged', { priority: e.priority, detail: e.title, by: e.acknowledgedBy });
  }
  for (const p of r.responses) push(p.at, 'physician response', { detail: p.text, by: p.by });
  out.sort((a, b) => a.t - b.t);
  for (const o of out) rows.push(line(o.cells));
  return rows.join('\r\n') + '\r\n';
}

const round = (x: number) => Math.round(x * 100) / 100;
