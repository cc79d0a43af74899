import { clinicianText, DEBRIEF_OUTCOME_LABELS, personName, scenarioClockText, TRAINING_MARK, type TrainingDebrief } from '@infusion/shared';
import { csvCell } from '../export/csvExport';
import { keyValues, note, section, table } from '../export/pdfExport';
import { drawPageFrames, openPdf, pdfText } from '../export/pdfPage';
import { isoTime } from '../export/sessionRecord';

/**
 * A training run's debrief as a file: PDF (A4, the session export's layout) and CSV. Both say on every
 * page and every row that the run is simulated training, never a patient record. Clinical words
 * only: alarms by their titles, people by their names, no rule ids.
 */

const t = (x: number | null) => (x === null ? '' : isoTime(x).replace('T', ' ').replace('Z', ' UTC'));
const sc = scenarioClockText;
const secs = (s: number | null) => (s === null ? '' : `${s} s`);
const SOURCE_WORDS = { scenario: 'Scenario', trainer: 'Trainer', trainee: 'Trainee', rules: 'Monitor' } as const;

export interface DebriefFileContext {
  displayNames: Readonly<Record<string, string>>;
  exportedAt: number;
  exportedBy: string;
}

const scoreText = (d: TrainingDebrief) => (d.score.percent === null ? 'no scored items' : `${d.score.points} of ${d.score.max} points (${d.score.percent} %)`);

export async function buildDebriefPdf(d: TrainingDebrief, c: DebriefFileContext): Promise<Buffer> {
  const who = (u: string) => personName(u, c.displayNames);
  const { doc, done } = openPdf({ Title: `Training debrief ${d.scenarioTitle}`, Subject: TRAINING_MARK });

  doc.font('Helvetica-Bold').fontSize(16).text(pdfText('Training run debrief'));
  doc.font('Helvetica').fontSize(9).fillColor('#444').text(pdfText(`Exported ${t(c.exportedAt)} by ${who(c.exportedBy)}. Wall times are UTC; scenario times are minutes:seconds from the start of the run.`)).fillColor('black');

  await section(doc, 'Run');
  keyValues(doc, [
    ['Scenario', d.scenarioTitle],
    ['Trainee, trainer', `${who(d.trainee)}; ${who(d.trainer)}`],
    ['Run', `${d.state === 'ended' ? 'ended' : `${d.state} (not final)`}; started ${t(d.startedAt) || 'not yet'}${d.endedAt !== null ? `, ended ${t(d.endedAt)}` : ''}; scenario time reached ${sc(d.scenarioMs)}`],
    ['Score', scoreText(d)],
  ]);

  await section(doc, 'Expected actions');
  if (!d.items.length) note(doc, 'This run has no expected actions to judge.');
  await table(doc, [150, 60, 70, 60, 40, 115], ['Expected action', 'Outcome', 'Response / deadline', 'Started at', 'Points', 'Detail'], d.items.map((i) => [
    i.label,
    DEBRIEF_OUTCOME_LABELS[i.outcome] + (i.pending ? ' (so far)' : ''),
    `${secs(i.responseS) || '—'} / ${secs(i.deadlineS) || 'none'}`,
    i.startedMs === null ? '—' : sc(i.startedMs),
    i.outcome === 'not_triggered' ? '—' : `${i.points} / ${i.weight}`,
    clinicianText(i.detail),
  ]));

  await section(doc, 'Alarms and time to acknowledge');
  if (!d.alarms.length) note(doc, 'No alarm was raised.');
  await table(doc, [170, 45, 50, 75, 60, 95], ['Alarm', 'Priority', 'Raised at', 'Acknowledged', 'Time to ack', 'By'], d.alarms.map((a) => [
    clinicianText(a.message) + (a.expected ? ' (expected)' : ''),
    a.priority,
    sc(a.raisedMs),
    a.acknowledgedMs === null ? 'never' : sc(a.acknowledgedMs),
    secs(a.timeToAckS) || '—',
    a.acknowledgedBy ?? '—',
  ]));

  await section(doc, 'Actions counted against the trainee');
  if (!d.wrongActions.length) note(doc, 'None.');
  await table(doc, [60, 200, 235], ['Scenario time', 'What', 'Why'], d.wrongActions.map((w) => [sc(w.scenarioMs), clinicianText(w.text), clinicianText(w.reason)]));

  await section(doc, 'Timeline');
  await table(doc, [60, 105, 60, 270], ['Scenario time', 'Wall time', 'Who', 'What'], d.timeline.map((e) => [sc(e.scenarioMs), t(e.at), SOURCE_WORDS[e.source], clinicianText(e.text)]));

  // The training mark, the run and page numbers on every page, drawn once all pages exist.
  drawPageFrames(doc, { header: `${d.scenarioTitle} — ${who(d.trainee)}`, mark: TRAINING_MARK, footer: `Training run ${d.runId}` });
  doc.end();
  return done;
}

export const DEBRIEF_CSV_COLUMNS = ['simulated', 'section', 'scenario time (m:ss)', 'wall time (ISO 8601 UTC)', 'what', 'outcome', 'response (s)', 'deadline (s)', 'points', 'of', 'detail', 'by'] as const;

/** One table; every row marked simulated training, the run's summary first. */
export function buildDebriefCsv(d: TrainingDebrief, c: DebriefFileContext): string {
  const who = (u: string) => personName(u, c.displayNames);
  const rows: (string | number | null)[][] = [];
  const row = (section: string, ms: number | null, at: number | null, what: string, rest: { outcome?: string; response?: number | null; deadline?: number | null; points?: number | null; of?: number | null; detail?: string; by?: string } = {}) =>
    rows.push(['SIMULATED TRAINING', section, ms === null ? '' : sc(ms), at === null ? '' : isoTime(at), what, rest.outcome ?? '', rest.response ?? null, rest.deadline ?? null, rest.points ?? null, rest.of ?? null, rest.detail ?? '', rest.by ?? '']);
  row('run', null, d.startedAt, d.scenarioTitle, { outcome: d.state, detail: `trainee ${who(d.trainee)}; trainer ${who(d.trainer)}; scenario time reached ${sc(d.scenarioMs)}; exported ${isoTime(c.exportedAt)} by ${who(c.exportedBy)}` });
  row('score', null, d.endedAt, 'score', { points: d.score.points, of: d.score.max, detail: d.score.percent === null ? 'no scored items' : `${d.score.percent} %` });
  for (const i of d.items)
    row('expected action', i.startedMs, null, i.label, { outcome: DEBRIEF_OUTCOME_LABELS[i.outcome] + (i.pending ? ' (so far)' : ''), response: i.responseS, deadline: i.deadlineS, points: i.outcome === 'not_triggered' ? null : i.points, of: i.outcome === 'not_triggered' ? null : i.weight, detail: clinicianText(i.detail) });
  for (const a of d.alarms)
    row('alarm', a.raisedMs, null, clinicianText(a.message), { outcome: a.acknowledgedMs === null ? 'not acknowledged' : `acknowledged at ${sc(a.acknowledgedMs)}`, response: a.timeToAckS, detail: `${a.priority} priority${a.expected ? '; expected in this scenario' : ''}`, by: a.acknowledgedBy ?? '' });
  for (const w of d.wrongActions) row('counted against', w.scenarioMs, null, clinicianText(w.text), { detail: clinicianText(w.reason) });
  for (const e of d.timeline) row('timeline', e.scenarioMs, e.at, clinicianText(e.text), { by: SOURCE_WORDS[e.source] });
  const line = (cells: readonly (string | number | null)[]) => cells.map(csvCell).join(',') + '\r\n';
  return line(DEBRIEF_CSV_COLUMNS) + rows.map(line).join('');
}
