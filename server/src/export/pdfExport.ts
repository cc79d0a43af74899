import { ADVERSE_EFFECT_TYPES, clinicianText, dischargeScoreOf, OBSERVATION_SCALES, PHASE_LABELS, RESPONSE_CRITERIA, VITAL_CHARTS, type VitalChartGroup } from '@infusion/shared';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BOLD, CONTENT_W, drawPageFrames, FONT, MARGIN, openPdf, pdfText, type Doc } from './pdfPage';
import { isoTime, SIMULATED_MARK, totalDose, who, type SessionRecord } from './sessionRecord';

const t = (x: number | null | undefined) => (x === null || x === undefined ? '' : isoTime(x).replace('T', ' ').replace('Z', ' UTC'));

/**
 * The session report as a PDF (A4): patient (pseudonymous), orders, checklist with overrides, trend
 * charts drawn as vector lines (mean with the bucket's min-max band) and the infusion rate, infusion
 * events and total dose, observations, alarms with acknowledgements and escalations, rescue doses,
 * physician responses and the signatures (who did what, when). Every page carries the header, the
 * page number and, for a simulated session, the simulated mark at top and bottom.
 */
export async function buildPdf(r: SessionRecord): Promise<Buffer> {
  const s = r.session;
  const { doc, done } = openPdf({ Title: `Session record ${s.patientLabel} ${s.location}`, Subject: s.simulated ? SIMULATED_MARK : 'Session record' });

  doc.font(BOLD).fontSize(16).text(pdfText(`Ketamine infusion — session record`));
  doc.font(FONT).fontSize(9).fillColor('#444').text(pdfText(`Exported ${t(r.exportedAt)} by ${who(r, r.exportedBy)}. Times are UTC.`)).fillColor('black');

  await section(doc, 'Patient and session');
  const dose = totalDose(r);
  keyValues(doc, [
    ['Patient (pseudonymous)', `${s.patientLabel}${s.patientRef ? ` (ref ${s.patientRef})` : ''}`],
    ['Age, sex', `${s.ageYears} years${s.sex ? `, ${s.sex}` : ''}`],
    ['Weight, dosing weight', `${s.weightKg} kg${s.heightCm ? `, ${s.heightCm} cm` : ''}; dosing weight ${round(s.dosingWeight.kg)} kg (${s.dosingWeight.basis})`],
    ['Indication', s.indication],
    ['Setting, location', `${s.setting.replace('_', ' ')}; ${s.location}, unit ${s.unit}`],
    ['Supervising physician, nurse', `${s.supervisingPhysician}; ${s.nurse}`],
    ['Session', `${t(s.createdAt)} to ${s.endedAt !== null ? t(s.endedAt) : 'ongoing'} (${s.status})`],
    ['Rule set', `version ${s.ruleSetVersion}, profile ${s.profile.replace('_', ' ')}${s.limitOverrides ? `; limits changed by ${who(r, s.limitOverrides.by)} at ${t(s.limitOverrides.at)}: ${s.limitOverrides.reason}` : ''}`],
    ['Total ketamine given', `${round(dose.mg)} mg (${round(dose.mgPerKg)} mg/kg)`],
    ...(r.patient ? [['Patient record', `site patient id ${r.patient.sitePatientId}${r.patient.yearOfBirth !== null ? `, born ${r.patient.yearOfBirth}` : ''}`] as [string, string]] : []),
  ]);

  await section(doc, 'Orders');
  if (!r.orders.length) note(doc, 'No order written.');
  await table(doc, [70, 105, 160, 60, 100], ['Version', 'Written', 'Rate range / boluses', 'Max total', 'By'], r.orders.map((o) => [
    `v${o.version}`, t(o.at),
    `${o.rateMinMgKgH}-${o.rateMaxMgKgH} mg/kg/h; ${o.bolusAllowed ? `bolus <= ${o.bolusMaxMgKg} mg/kg, >= ${o.bolusMinIntervalMin} min apart` : 'no boluses'}${o.note ? `; ${o.note}` : ''}`,
    `${o.maxCumulativeMgKg} mg/kg`, who(r, o.by),
  ]));

  await section(doc, 'Pre-infusion checklist');
  const c = r.checklist;
  if (!c) note(doc, 'No checklist submitted.');
  else {
    note(doc, `Submitted ${t(c.at)} by ${who(r, c.by)}: ${c.result.passed ? 'all items passed' : 'not all items passed'}.`);
    await table(doc, [180, 45, 270], ['Item', 'Result', 'Reason / source'], c.result.items.map((i) => [i.label, i.ok ? (i.caution ? 'caution' : 'ok') : 'FAILED', clinicianText([i.reason, i.source].filter(Boolean).join(' — '))]));
    if (c.override) note(doc, `Overridden by ${who(r, c.override.by)} at ${t(c.override.at)}: ${c.override.reason}`, true);
    if (c.reopened) note(doc, `Re-opened by order v${c.reopened.orderVersion} at ${t(c.reopened.at)}: ${c.reopened.items.join(', ')}`);
  }

  // The heading stays with its first chart.
  ensure(doc, 60 + CHART_H + 30);
  await section(doc, 'Trends');
  if (!r.trend.length) note(doc, 'No vital signs recorded.');
  else {
    const from = Math.min(r.trend[0]!.t, ...r.infusionEvents.map((e) => e.t));
    const to = Math.max(r.trend[r.trend.length - 1]!.t, s.endedAt ?? 0, ...r.infusionEvents.map((e) => e.t));
    for (const g of VITAL_CHARTS) {
      vitalChart(doc, r, g, from, to);
      await breathe();
    }
    rateChart(doc, r, from, to);
  }

  await section(doc, 'Infusion events');
  if (!r.infusionEvents.length) note(doc, 'The infusion was not started.');
  await table(doc, [105, 70, 70, 60, 190], ['Time', 'Event', 'Rate (mg/kg/h)', 'Dose (mg)', 'By / note'], r.infusionEvents.map((e) => [
    t(e.t), e.type.replace('_', ' '), e.rateMgKgH === null ? '' : String(e.rateMgKgH), e.doseMg === null ? '' : String(round(e.doseMg)),
    [who(r, e.by), e.note, e.override ? `dose limit overridden by ${who(r, e.override.by)}: ${e.override.reason}` : null].filter(Boolean).join('; '),
  ]));
  note(doc, `Total ketamine given: ${round(dose.mg)} mg (${round(dose.mgPerKg)} mg/kg).`, true);

  await section(doc, 'Sedation and pain scores');
  if (!r.observations.length) note(doc, 'None recorded.');
  await table(doc, [105, 90, 50, 250], ['Time', 'Scale', 'Score', 'By / note'], r.observations.map((o) => [t(o.t), OBSERVATION_SCALES[o.scale].label, String(o.score), [who(r, o.by), o.note].filter(Boolean).join('; ')]));

  await section(doc, 'Alarms, acknowledgements and escalations');
  if (!r.alarms.length) note(doc, 'No alarms.');
  await table(doc, [105, 50, 200, 140], ['Raised', 'Priority', 'Alarm', 'Acknowledged / resolved'], r.alarms.map((a) => [
    t(a.startedAt), a.priority, clinicianText(`${a.title}: ${a.message}`),
    [a.acknowledgedAt !== null ? `ack ${t(a.acknowledgedAt)} by ${who(r, a.acknowledgedBy)}` : 'not acknowledged', a.resolvedAt !== null ? `resolved ${t(a.resolvedAt)}` : null].filter(Boolean).join('; '),
  ]));
  if (r.escalations.length) {
    doc.moveDown(0.3);
    await table(doc, [105, 45, 200, 145], ['Escalated', 'Level', 'Alarm', 'Acknowledged / closed'], r.escalations.map((e) => [
      t(e.openedAt), String(e.level), clinicianText(e.title),
      [e.acknowledgedAt !== null ? `ack ${t(e.acknowledgedAt)} by ${who(r, e.acknowledgedBy)}` : 'not acknowledged', e.closedAt !== null ? `closed ${t(e.closedAt)}${e.closedReason ? ` (${e.closedReason})` : ''}` : null].filter(Boolean).join('; '),
    ]));
  }

  await section(doc, 'Rescue doses');
  if (!r.rescueDoses.length) note(doc, 'None given.');
  await table(doc, [105, 110, 60, 60, 160], ['Time', 'Drug', 'Dose (mg)', 'Route', 'By / note'], r.rescueDoses.map((d) => [t(d.t), d.drug, String(d.doseMg), d.route, [who(r, d.by), d.note, d.override ? `dose limit overridden: ${d.override.reason}` : null].filter(Boolean).join('; ')]));

  await section(doc, 'Phases and discharge');
  const phases = r.phases ?? [];
  if (!phases.length) note(doc, 'No phases recorded.');
  await table(doc, [105, 90, 130, 170], ['From', 'Phase', 'By', 'Reason'], phases.map((p) => [t(p.at), PHASE_LABELS[p.phase], who(r, p.by), p.reason ?? '']));
  const d = r.discharge;
  if (d) {
    const a = d.assessment;
    note(doc, `Discharged ${t(d.at)} by ${who(r, d.by)}: ${dischargeScoreOf(a).name} ${a.score}/10 (site threshold ${a.minScore}); criteria ${a.met ? 'met' : 'NOT met'}. Final sedation ${OBSERVATION_SCALES[d.input.finalSedation.scale].label} ${d.input.finalSedation.score}, pain ${d.input.finalPain}/10, mental status ${d.input.mentalStatusAtBaseline ? 'at baseline' : 'not at baseline'}.`, true);
    if (d.override) note(doc, `Discharged before the criteria were met on the decision of ${who(r, d.override.by)} at ${t(d.override.at)}: ${d.override.reason}`, true);
    await table(doc, [120, 45, 330], [`${dischargeScoreOf(a).name} item`, 'Score', 'Why'], dischargeScoreOf(a).items.map((i) => [`${i.label}${i.computed ? ' (measured)' : i.policy ? ' (site policy)' : ''}`, String(i.score), i.why]));
    await table(doc, [180, 45, 270], ['Discharge criterion', 'Result', 'Reason / source'], a.criteria.map((c) => [c.label, c.met ? 'met' : c.todo ? 'to do' : 'NOT MET', clinicianText(`${c.reason} — ${c.source}`)]));
  }

  if (r.adverseEffects) {
    await section(doc, 'Adverse effects');
    if (!r.adverseEffects.length) note(doc, 'None documented.');
    await table(doc, [105, 150, 60, 180], ['Time', 'Effect', 'Severity', 'Source / by / note'], r.adverseEffects.map((a) => [
      t(a.t), ADVERSE_EFFECT_TYPES[a.type].label, a.severity,
      [clinicianText(ADVERSE_EFFECT_TYPES[a.type].source), who(r, a.by), a.cadssTotal !== null ? `CADSS total ${a.cadssTotal}` : null, a.rescueDoseId !== null ? 'treated with a rescue dose' : null, a.note].filter(Boolean).join('; '),
    ]));
  }

  if (r.response) {
    await section(doc, 'Response');
    const a = r.response.assessment;
    const pct = (x: number | null) => (x === null ? 'not computed' : `${x}%`);
    keyValues(doc, [
      ['Pain before, after', `${a.pain.before ?? 'not recorded'} -> ${a.pain.after ?? 'not recorded'} (NRS 0-10; after = last score after the infusion stopped)`],
      ['Pain decrease', `${pct(a.pain.decreasePct)}${a.pain.responder === null ? '' : a.pain.responder ? ' (reaches 30%)' : ' (below 30%)'}`],
      ['Satisfaction', a.satisfaction ?? 'not recorded'],
      ['Opioid use', a.opioidReductionPct === null ? 'not recorded' : `${a.opioidReductionPct}% less`],
      ['Function score', a.functionImprovementPct === null ? 'not recorded' : `${a.functionImprovementPct}% better`],
      ['Positive response', a.positive === null ? 'cannot be judged (pain before or after missing)' : a.positive ? 'yes' : 'no'],
    ]);
    note(doc, clinicianText(RESPONSE_CRITERIA.source));
    if (r.followUps?.length) {
      doc.moveDown(0.3);
      await table(doc, [105, 50, 80, 80, 180], ['Follow-up', 'Pain', 'Satisfaction', 'Opioid (mg/d)', 'By / note'], r.followUps.map((f) => [t(f.t), f.pain === null ? '' : String(f.pain), f.satisfaction ?? '', f.opioidMmePerDay === null ? '' : String(f.opioidMmePerDay), [who(r, f.by), f.note].filter(Boolean).join('; ')]));
    }
  }

  await section(doc, 'Physician responses');
  if (!r.responses.length) note(doc, 'None documented.');
  await table(doc, [105, 110, 280], ['Time', 'Physician', 'Advice'], r.responses.map((p) => [t(p.at), p.byName || who(r, p.by), p.text]));

  await section(doc, 'Signatures (who did what, when)');
  const signed = signatures(r);
  await table(doc, [105, 130, 260], ['Time', 'Clinician', 'Action'], signed);

  // Header, footer, simulated mark and page numbers on every page, drawn once all pages exist.
  drawPageFrames(doc, { header: `${s.patientLabel} — ${s.location} — ${t(s.createdAt).slice(0, 10)}`, mark: s.simulated ? SIMULATED_MARK : null, footer: `Session ${s.id}` });
  doc.end();
  return done;
}

/** Every documented act with its author, in time order. */
function signatures(r: SessionRecord): string[][] {
  const rows: [number, string, string][] = [];
  const s = r.session;
  if (r.checklist) rows.push([r.checklist.at, r.checklist.by, 'submitted the pre-infusion checklist']);
  if (r.checklist?.override) rows.push([r.checklist.override.at, r.checklist.override.by, `overrode the checklist: ${r.checklist.override.reason}`]);
  for (const o of r.orders) rows.push([o.at, o.by, `wrote order v${o.version}`]);
  for (const e of r.infusionEvents) rows.push([e.t, e.by, `documented infusion ${e.type.replace('_', ' ')}`]);
  for (const o of r.observations) rows.push([o.t, o.by, `recorded ${OBSERVATION_SCALES[o.scale].label} ${o.score}`]);
  for (const a of r.alarms) if (a.acknowledgedAt !== null && a.acknowledgedBy) rows.push([a.acknowledgedAt, a.acknowledgedBy, `acknowledged "${clinicianText(a.title)}"`]);
  for (const e of r.escalations) if (e.acknowledgedAt !== null && e.acknowledgedBy) rows.push([e.acknowledgedAt, e.acknowledgedBy, `acknowledged the escalation of "${clinicianText(e.title)}"`]);
  for (const d of r.rescueDoses) rows.push([d.t, d.by, `gave ${d.drug} ${d.doseMg} mg ${d.route}`]);
  for (const p of r.responses) rows.push([p.at, `user:${p.by}`, 'documented a physician response']);
  for (const a of r.adverseEffects ?? []) rows.push([a.at, a.by, `documented ${ADVERSE_EFFECT_TYPES[a.type].label.toLowerCase()} (${a.severity})`]);
  if (r.response?.record) rows.push([r.response.record.at, r.response.record.by, 'documented the response']);
  for (const f of r.followUps ?? []) rows.push([f.at, f.by, 'documented a follow-up']);
  if (s.limitOverrides) rows.push([s.limitOverrides.at, s.limitOverrides.by, `changed alarm limits: ${s.limitOverrides.reason}`]);
  for (const p of r.phases ?? []) if (p.reason || p.phase === 'discharged') rows.push([p.at, p.by, `${p.phase === 'discharged' ? 'discharged the patient' : PHASE_LABELS[p.phase].toLowerCase()}${p.reason ? `: ${p.reason}` : ''}`]);
  rows.sort((a, b) => a[0] - b[0]);
  return rows.map(([at, by, what]) => [t(at), who(r, by), what]);
}

/**
 * Lets the event loop run between parts of the document: a long session's PDF is built in steps of a
 * chart or a hundred table rows, never in one piece that would hold every other request.
 */
const breathe = () => nextTurn();

export async function section(doc: Doc, title: string): Promise<void> {
  await breathe();
  ensure(doc, 60);
  doc.moveDown(0.8);
  doc.x = MARGIN;
  doc.font(BOLD).fontSize(12).fillColor('black').text(pdfText(title));
  const y = doc.y + 1;
  doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_W, y).lineWidth(0.5).strokeColor('#888').stroke();
  doc.moveDown(0.3);
}

export function note(doc: Doc, text: string, bold = false): void {
  doc.x = MARGIN;
  doc.font(bold ? BOLD : FONT).fontSize(9).text(pdfText(text), { width: CONTENT_W });
}

export function keyValues(doc: Doc, rows: [string, string][]): void {
  for (const [k, v] of rows) {
    ensure(doc, 14);
    const y = doc.y;
    doc.font(BOLD).fontSize(9).text(pdfText(k), MARGIN, y, { width: 150 });
    const h1 = doc.y;
    doc.font(FONT).fontSize(9).text(pdfText(v), MARGIN + 155, y, { width: CONTENT_W - 155 });
    doc.y = Math.max(h1, doc.y) + 2;
  }
  doc.x = MARGIN;
}

/** A simple table: a bold header row, rows that wrap within their column; a row that does not fit starts a new page (with the header again). */
export async function table(doc: Doc, widths: number[], header: string[], rows: string[][]): Promise<void> {
  if (!rows.length) return;
  const draw = (cells: string[], bold: boolean) => {
    doc.font(bold ? BOLD : FONT).fontSize(8);
    const h = Math.max(...cells.map((c, i) => doc.heightOfString(pdfText(c), { width: widths[i]! - 4 })));
    if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      if (!bold) draw(header, true);
      doc.font(bold ? BOLD : FONT).fontSize(8);
    }
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.text(pdfText(c), x, y, { width: widths[i]! - 4 });
      x += widths[i]!;
    });
    doc.y = y + h + 3;
    if (bold) doc.moveTo(MARGIN, doc.y - 1.5).lineTo(MARGIN + CONTENT_W, doc.y - 1.5).lineWidth(0.3).strokeColor('#aaa').stroke();
  };
  draw(header, true);
  for (let i = 0; i < rows.length; i++) {
    draw(rows[i]!, false);
    if (i % 100 === 99) await breathe();
  }
  doc.x = MARGIN;
}

export function ensure(doc: Doc, h: number): void {
  if (doc.y + h > doc.page.height - doc.page.margins.bottom) doc.addPage();
}

const CHART_H = 80;
const AXIS_W = 40;
const COLOURS = ['#0057b7', '#c1121f', '#1b9e4b', '#6a4c93'];

/** Chart frame with a y axis over [lo, hi] and a time axis over [from, to], its legend on the title line; returns the mapping functions. */
function frame(doc: Doc, title: string, legend: { label: string; colour: string }[], lo: number, hi: number, from: number, to: number) {
  ensure(doc, CHART_H + 30);
  const titleY = doc.y;
  doc.font(BOLD).fontSize(9).fillColor('black').text(pdfText(title), MARGIN, titleY, { lineBreak: false });
  // The legend beside the title, so no label lies over the data.
  let lx = MARGIN + doc.widthOfString(pdfText(title)) + 14;
  doc.font(FONT).fontSize(8);
  for (const it of legend) {
    doc.rect(lx, titleY + 2.5, 9, 2.5).fillColor(it.colour).fill();
    doc.fillColor('#222').text(pdfText(it.label), lx + 12, titleY + 0.5, { lineBreak: false });
    lx += 12 + doc.widthOfString(pdfText(it.label)) + 12;
  }
  const top = titleY + 13;
  const left = MARGIN + AXIS_W;
  const w = CONTENT_W - AXIS_W;
  doc.rect(left, top, w, CHART_H).lineWidth(0.5).strokeColor('#888').stroke();
  doc.font(FONT).fontSize(7).fillColor('#444');
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const y = top + CHART_H - ((v - lo) / (hi - lo)) * CHART_H;
    doc.text(String(round(v)), MARGIN, y - 3, { width: AXIS_W - 4, align: 'right', lineBreak: false });
    doc.moveTo(left, y).lineTo(left + w, y).lineWidth(0.2).strokeColor('#ddd').stroke();
  }
  // Time ticks at quarters: HH:MM (UTC), the ends to the second.
  const span = Math.max(1, to - from);
  for (let k = 0; k <= 4; k++) {
    const tt = from + (span * k) / 4;
    const x = left + (w * k) / 4;
    const label = k === 0 || k === 4 ? `${t(tt).slice(11)}` : t(tt).slice(11, 16);
    if (k > 0 && k < 4) doc.moveTo(x, top).lineTo(x, top + CHART_H).lineWidth(0.2).strokeColor('#ddd').stroke();
    const lw = 80;
    const lxPos = k === 0 ? x : k === 4 ? x - lw : x - lw / 2;
    doc.text(label, lxPos, top + CHART_H + 2, { width: lw, align: k === 0 ? 'left' : k === 4 ? 'right' : 'center', lineBreak: false });
  }
  doc.fillColor('black');
  doc.y = top + CHART_H + 14;
  doc.x = MARGIN;
  return {
    x: (tt: number) => left + ((tt - from) / span) * w,
    y: (v: number) => top + CHART_H - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * CHART_H,
  };
}

/** One vital-sign group: each field's mean as a line, the bucket's min-max as a thin vertical band. */
function vitalChart(doc: Doc, r: SessionRecord, g: VitalChartGroup, from: number, to: number): void {
  const values = r.trend.flatMap((p) => g.fields.flatMap(({ field }) => [p[field], p.min?.[field], p.max?.[field]])).filter((v): v is number => typeof v === 'number');
  if (!values.length) return;
  const pad = Math.max(2, (Math.max(...values) - Math.min(...values)) * 0.1);
  const lo = Math.max(g.min, Math.floor(Math.min(...values) - pad));
  const hi = Math.min(g.max, Math.ceil(Math.max(...values) + pad));
  const f = frame(doc, `${g.title} (${g.unit})`, g.fields.map(({ label }, i) => ({ label, colour: COLOURS[i % COLOURS.length]! })), lo, hi === lo ? lo + 1 : hi, from, to);
  g.fields.forEach(({ field }, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    doc.lineWidth(0.4).strokeColor(colour).opacity(0.35);
    for (const p of r.trend) {
      const mn = p.min?.[field];
      const mx = p.max?.[field];
      if (typeof mn === 'number' && typeof mx === 'number' && mx > mn) doc.moveTo(f.x(p.t), f.y(mn)).lineTo(f.x(p.t), f.y(mx)).stroke();
    }
    doc.opacity(1).lineWidth(0.9).strokeColor(colour);
    let drawing = false;
    for (const p of r.trend) {
      const v = p[field];
      if (typeof v !== 'number') {
        drawing = false;
        continue;
      }
      if (drawing) doc.lineTo(f.x(p.t), f.y(v));
      else doc.moveTo(f.x(p.t), f.y(v));
      drawing = true;
    }
    doc.stroke();
  });
}

/** The infusion rate as a step line from the documented events (pause and stop drop it to 0). */
function rateChart(doc: Doc, r: SessionRecord, from: number, to: number): void {
  const steps: [number, number][] = [];
  let rate = 0;
  let running = false;
  for (const e of r.infusionEvents) {
    if (e.type === 'start' || e.type === 'rate_change' || e.type === 'resume') {
      if (e.rateMgKgH !== null) rate = e.rateMgKgH;
      running = e.type === 'rate_change' ? running : true;
    } else if (e.type === 'pause' || e.type === 'stop') running = false;
    if (e.type !== 'bolus') steps.push([e.t, running ? rate : 0]);
  }
  if (!steps.length) return;
  const hi = Math.max(0.5, ...steps.map(([, v]) => v)) * 1.2;
  const f = frame(doc, 'Ketamine infusion rate (mg/kg/h)', [{ label: 'rate', colour: '#6a4c93' }, { label: 'bolus', colour: '#c1121f' }], 0, hi, from, to);
  doc.lineWidth(1).strokeColor('#6a4c93');
  doc.moveTo(f.x(steps[0]![0]), f.y(0));
  let last = 0;
  for (const [tt, v] of steps) {
    doc.lineTo(f.x(tt), f.y(last)).lineTo(f.x(tt), f.y(v));
    last = v;
  }
  doc.lineTo(f.x(r.session.endedAt ?? to), f.y(last)).stroke();
  for (const e of r.infusionEvents.filter((x) => x.type === 'bolus')) doc.moveTo(f.x(e.t), f.y(hi * 0.95)).lineTo(f.x(e.t), f.y(0)).lineWidth(0.6).strokeColor('#c1121f').dash(2, { space: 2 }).stroke().undash();
}

const round = (x: number) => Math.round(x * 100) / 100;
