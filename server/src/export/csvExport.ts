import { ADVERSE_EFFECT_TYPES, dischargeScoreOf, PHASE_LABELS, VITAL_FIELDS, VITAL_META } from '@infusion/shared';
import type { FrameKey, StoredFrame } from '../persistence/vitalsRepo';
import { isoTime, totalDose, who, type SessionRecord } from './sessionRecord';

type Cell = string | number | boolean | null | undefined;

/** One RFC 4180 cell: quoted when it holds a comma, quote or line break; a would-be formula is defused with a leading quote. */
export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  // A spreadsheet runs a cell starting with = + - @ (or tab / CR) as a formula: text such cells start with ' instead.
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const line = (cells: Cell[]) => cells.map(csvCell).join(',') + '\r\n';

/**
 * The columns. Every row says when (ISO 8601 UTC), whether the session is simulated and what the row
 * is (`record`: `vitals`, `session`, `total dose` or an event); vitals columns carry their unit.
 */
export const CSV_COLUMNS = [
  'time (ISO 8601 UTC)',
  'simulated',
  'record',
  'device',
  ...VITAL_FIELDS.map((f) => `${VITAL_META[f].label} (${VITAL_META[f].displayUnit})`),
  'rate (mg/kg/h)',
  'dose (mg)',
  'dose (mg/kg)',
  'score',
  'priority',
  'detail',
  'by',
] as const;

interface EventCells {
  rate?: number | null;
  doseMg?: number | null;
  doseMgKg?: number | null;
  score?: number | null;
  priority?: string;
  detail?: string | null;
  by?: string | null;
}

const noVitals = VITAL_FIELDS.map(() => null);

function eventLine(r: SessionRecord, t: number, kind: string, e: EventCells): string {
  return line([isoTime(t), r.session.simulated, kind, null, ...noVitals, e.rate, e.doseMg, e.doseMgKg, e.score, e.priority, e.detail, e.by ? who(r, e.by) : '']);
}

/** A stored frame as one row: the values exactly as received (null where the device sent none). */
export function frameLine(r: SessionRecord, f: StoredFrame): string {
  return line([isoTime(f.t), r.session.simulated, 'vitals', f.deviceId, ...VITAL_FIELDS.map((k) => f[k] ?? null), null, null, null, null, '', '', '']);
}

/** Everything documented in the session except the vitals, one row each, in time order. */
export function eventLines(r: SessionRecord): { t: number; text: string }[] {
  const out: { t: number; text: string }[] = [];
  const push = (t: number, kind: string, e: EventCells) => out.push({ t, text: eventLine(r, t, kind, e) });
  const s = r.session;
  for (const o of r.orders) push(o.at, `order v${o.version}`, { detail: `${o.rateMinMgKgH}-${o.rateMaxMgKgH} mg/kg/h; max total ${o.maxCumulativeMgKg} mg/kg; boluses ${o.bolusAllowed ? `up to ${o.bolusMaxMgKg} mg/kg, ${o.bolusMinIntervalMin} min apart` : 'not allowed'}${o.note ? `; ${o.note}` : ''}`, by: o.by });
  if (r.checklist) {
    const c = r.checklist;
    push(c.at, 'checklist', { detail: c.result.passed ? 'all items passed' : `not passed: ${c.result.items.filter((i) => !i.ok).map((i) => i.label).join('; ')}`, by: c.by });
    if (c.override) push(c.override.at, 'checklist override', { detail: c.override.reason, by: c.override.by });
  }
  for (const e of r.infusionEvents)
    push(e.t, `infusion ${e.type.replace('_', ' ')}`, { rate: e.rateMgKgH, doseMg: e.doseMg, detail: [e.note, e.override ? `dose limit overridden: ${e.override.reason}` : null].filter(Boolean).join('; '), by: e.by });
  for (const o of r.observations) push(o.t, `observation ${o.scale}`, { score: o.score, detail: o.note, by: o.by });
  for (const d of r.rescueDoses) push(d.t, 'rescue dose', { doseMg: d.doseMg, detail: `${d.drug} ${d.route}${d.note ? `; ${d.note}` : ''}`, by: d.by });
  for (const a of r.alarms) {
    push(a.startedAt, 'alarm raised', { priority: a.priority, detail: `${a.title}: ${a.message}` });
    if (a.acknowledgedAt !== null) push(a.acknowledgedAt, 'alarm acknowledged', { priority: a.priority, detail: a.title, by: a.acknowledgedBy });
    if (a.resolvedAt !== null) push(a.resolvedAt, 'alarm resolved', { priority: a.priority, detail: a.title });
  }
  for (const e of r.escalations) {
    push(e.openedAt, 'escalation opened', { priority: e.priority, detail: `${e.title} (level ${e.level})` });
    if (e.acknowledgedAt !== null) push(e.acknowledgedAt, 'escalation acknowledged', { priority: e.priority, detail: e.title, by: e.acknowledgedBy });
    if (e.closedAt !== null) push(e.closedAt, 'escalation closed', { priority: e.priority, detail: `${e.title}${e.closedReason ? ` (${e.closedReason})` : ''}` });
  }
  for (const p of r.responses) push(p.at, 'physician response', { detail: p.text, by: `user:${p.by}` });
  for (const a of r.adverseEffects ?? [])
    push(a.t, 'adverse effect', { score: a.cadssTotal, priority: a.severity, detail: [ADVERSE_EFFECT_TYPES[a.type].label, a.note, a.rescueDoseId !== null ? `rescue dose ${a.rescueDoseId}` : null, a.alarmId !== null ? `alarm ${a.alarmId}` : null].filter(Boolean).join('; '), by: a.by });
  if (r.response) {
    const a = r.response.assessment;
    push(r.response.record?.at ?? s.endedAt ?? r.exportedAt, 'response', {
      score: a.pain.decreasePct,
      detail: `pain ${a.pain.before ?? '?'} -> ${a.pain.after ?? '?'} (% decrease in score column); satisfaction ${a.satisfaction ?? 'not recorded'}; opioid ${a.opioidReductionPct === null ? 'not recorded' : `${a.opioidReductionPct}% less`}; positive (Q8) ${a.positive === null ? 'cannot be judged' : a.positive ? 'yes' : 'no'}`,
      by: r.response.record?.by ?? null,
    });
  }
  for (const f of r.followUps ?? []) push(f.t, 'follow-up', { score: f.pain, detail: [f.satisfaction ? `satisfaction ${f.satisfaction}` : null, f.opioidMmePerDay !== null ? `opioid ${f.opioidMmePerDay} mg/d` : null, f.note].filter(Boolean).join('; '), by: f.by });
  if (s.limitOverrides) push(s.limitOverrides.at, 'alarm limits changed', { detail: s.limitOverrides.reason, by: s.limitOverrides.by });
  for (const p of r.phases ?? []) push(p.at, `phase ${PHASE_LABELS[p.phase].toLowerCase()}`, { detail: p.reason, by: p.by });
  const d = r.discharge;
  if (d) {
    const unmet = d.assessment.criteria.filter((c) => !c.met && !c.todo);
    push(d.at, 'discharge', {
      score: d.assessment.score,
      detail: `${dischargeScoreOf(d.assessment).name} ${d.assessment.score}/10 (site threshold ${d.assessment.minScore}; ${dischargeScoreOf(d.assessment).items.map((i) => `${i.label} ${i.score}`).join(', ')}); ${d.assessment.met ? 'criteria met' : `criteria not met: ${unmet.map((c) => `${c.label} (${c.reason})`).join('; ')}`}; final sedation ${d.input.finalSedation.scale} ${d.input.finalSedation.score}, pain ${d.input.finalPain}, mental status ${d.input.mentalStatusAtBaseline ? 'at baseline' : 'not at baseline'}`,
      by: d.by,
    });
    if (d.override) push(d.override.at, 'discharge override', { detail: d.override.reason, by: d.override.by });
  }
  // Stable: events of the same instant keep the order above (order before start, raised before acknowledged).
  return out.sort((a, b) => a.t - b.t);
}

/** Frames read per page: a few milliseconds of SQLite and formatting each, so the event loop is never held long. */
export const CSV_PAGE_FRAMES = 500;

/**
 * The session's vitals and events as one CSV (RFC 4180, CRLF, header first), produced in pieces: the
 * header and the session row, then every stored frame page by page merged in time order with the
 * events, then the total dose. `readPage` returns the frames after a key (VitalsRepo.framesPage).
 */
export async function* csvChunks(r: SessionRecord, readPage: (after: FrameKey | null, limit: number) => Promise<StoredFrame[]>, pageFrames = CSV_PAGE_FRAMES): AsyncGenerator<string> {
  const s = r.session;
  const dose = totalDose(r);
  yield line([...CSV_COLUMNS]) +
    eventLine(r, s.createdAt, 'session', {
      detail: `patient ${s.patientLabel}${s.patientRef ? ` (ref ${s.patientRef})` : ''}${r.patient ? `; site patient id ${r.patient.sitePatientId}${r.patient.yearOfBirth !== null ? `, born ${r.patient.yearOfBirth}` : ''}` : ''}; ${s.location}, unit ${s.unit}; ${s.weightKg} kg (dosing weight ${round(s.dosingWeight.kg)} kg); ended ${isoTime(s.endedAt) || 'no (ongoing)'}; session ${s.id}`,
    });
  const events = eventLines(r);
  let next = 0;
  let after: FrameKey | null = null;
  for (;;) {
    const page = await readPage(after, pageFrames);
    if (!page.length) break;
    let out = '';
    for (const f of page) {
      while (next < events.length && events[next]!.t < f.t) out += events[next++]!.text;
      out += frameLine(r, f);
    }
    const last = page[page.length - 1]!;
    after = { t: last.t, deviceId: last.deviceId, seq: last.seq };
    yield out;
    if (page.length < pageFrames) break;
  }
  let rest = '';
  while (next < events.length) rest += events[next++]!.text;
  const end = Math.max(s.endedAt ?? r.exportedAt, after?.t ?? 0, events.at(-1)?.t ?? 0);
  yield rest + eventLine(r, end, 'total dose', { doseMg: round(dose.mg), doseMgKg: round(dose.mgPerKg), detail: `ketamine given in the session (infusion and boluses) as of ${isoTime(s.infusion.asOf) || isoTime(end)}` });
}

/** The whole CSV at once (tests and small sessions; the route streams `csvChunks`). */
export async function buildCsv(r: SessionRecord, readPage: (after: FrameKey | null, limit: number) => Promise<StoredFrame[]>): Promise<string> {
  let out = '';
  for await (const piece of csvChunks(r, readPage)) out += piece;
  return out;
}

const round = (x: number) => Math.round(x * 100) / 100;
