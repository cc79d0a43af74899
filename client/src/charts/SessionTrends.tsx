import { useCallback, useMemo, useRef, useState } from 'react';
import type uPlot from 'uplot';
import { OBSERVATION_SCALES, type AdverseEffect, type Alarm, type InfusionEvent, type Observation, type RescueDose, type TrendPoint, type VitalField } from '@infusion/shared';
import { formatClock, formatMg } from '../format';
import type { LimitLine } from './limitLines';
import { baseOptions, RIGHT_AXIS, UPlotPanel, valueAxis, type PanelOverlay } from './UPlotPanel';
import { ADVERSE_COLOUR, markers as buildMarkers, rateData, scoreData, segments, updatePanelData, type Marker, type PanelData } from './trendData';
import { TREND_WINDOWS, type TrendWindow } from '../stores/detailState';

interface VitalPanel {
  name: string;
  title: string;
  unit: string;
  fields: readonly VitalField[];
  labels: readonly string[];
  colours: readonly string[];
}

const VITAL_PANELS: readonly VitalPanel[] = [
  { name: 'hr', title: 'Heart rate', unit: '/min', fields: ['hr'], labels: ['HR'], colours: ['#4ade80'] },
  { name: 'bp', title: 'Blood pressure (NIBP)', unit: 'mmHg', fields: ['sbp', 'dbp', 'map'], labels: ['SBP', 'DBP', 'MAP'], colours: ['#f8fafc', '#94a3b8', '#fda4af'] },
  { name: 'spo2', title: 'SpO2', unit: '%', fields: ['spo2'], labels: ['SpO2'], colours: ['#38bdf8'] },
  { name: 'etco2', title: 'EtCO2', unit: 'mmHg', fields: ['etco2'], labels: ['EtCO2'], colours: ['#c4b5fd'] },
  { name: 'rr', title: 'Respiratory rate', unit: '/min', fields: ['rr'], labels: ['RR'], colours: ['#e2e8f0'] },
];

const SCORE_COLOURS: Record<string, string> = { RASS: '#fbbf24', MOAAS: '#f59e0b', RAMSAY: '#fcd34d', NRS_PAIN: '#fb7185' };
const RATE_COLOUR = '#60a5fa';
const DOSE_COLOUR = '#a3e635';
const PANEL_HEIGHT = 140;

const fmt = (v: number | null | undefined) => (typeof v === 'number' ? String(Math.round(v * 10) / 10) : '--');

/** Y range that holds the data, its min–max band and the limit lines in force, with a little room. */
function yRange(limits: () => readonly LimitLine[]): uPlot.Range.Function {
  return (_u, min, max) => {
    let lo = min;
    let hi = max;
    for (const l of limits()) {
      lo = lo === null || Number.isNaN(lo) ? l.value : Math.min(lo, l.value);
      hi = hi === null || Number.isNaN(hi) ? l.value : Math.max(hi, l.value);
    }
    if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 100];
    const pad = Math.max(2, (hi - lo) * 0.08);
    return [Math.floor(lo - pad), Math.ceil(hi + pad)];
  };
}

function vitalOptions(p: VitalPanel, limits: () => readonly LimitLine[], dots: boolean): Omit<uPlot.Options, 'width' | 'height'> {
  const b = baseOptions();
  const series: uPlot.Series[] = [{}];
  const bands: uPlot.Band[] = [];
  p.fields.forEach((_f, i) => {
    const colour = p.colours[i]!;
    series.push({ label: p.labels[i], stroke: colour, width: 2, spanGaps: false, points: { show: dots, size: 4, fill: colour } });
    series.push({ label: `${p.labels[i]} min`, stroke: colour + '66', width: 1, spanGaps: false, points: { show: false } });
    series.push({ label: `${p.labels[i]} max`, stroke: colour + '66', width: 1, spanGaps: false, points: { show: false } });
    const base = 1 + i * 3;
    bands.push({ series: [base + 2, base + 1], fill: colour + '33' });
  });
  return { ...b, scales: { x: { time: true }, y: { range: yRange(limits) } }, axes: [b.xAxis, valueAxis('y')], series, bands };
}

function scoreOptions(scales: readonly string[]): Omit<uPlot.Options, 'width' | 'height'> {
  const b = baseOptions();
  return {
    ...b,
    scales: { x: { time: true }, y: { range: () => [-5.5, 10.5] } },
    axes: [b.xAxis, { ...valueAxis('y'), splits: () => [-5, 0, 5, 10] }],
    series: [{}, ...scales.map((s) => ({ label: s, stroke: SCORE_COLOURS[s] ?? '#fbbf24', width: 1.5, spanGaps: true, points: { show: true, size: 8, fill: SCORE_COLOURS[s] ?? '#fbbf24' } }))],
  };
}

function seriesMax(u: uPlot, idx: number): number {
  let m = 0;
  for (const v of u.data[idx] ?? []) if (typeof v === 'number' && v > m) m = v;
  return m;
}

function rateOptions(): Omit<uPlot.Options, 'width' | 'height'> {
  const b = baseOptions();
  return {
    ...b,
    // From 0 to above the highest value of the whole series (the dose's last point may lie past the window's edge).
    scales: {
      x: { time: true },
      rate: { range: (u) => [0, Math.max(1, Math.ceil(seriesMax(u, 1) * 1.2 * 10) / 10)] },
      mg: { range: (u) => [0, Math.max(10, Math.ceil(seriesMax(u, 2) * 1.15))] },
    },
    padding: [6, 8, 0, 0],
    axes: [b.xAxis, valueAxis('rate', 3, RATE_COLOUR), { ...valueAxis('mg', 1, DOSE_COLOUR), size: RIGHT_AXIS }],
    series: [
      {},
      { label: 'Rate', scale: 'rate', stroke: RATE_COLOUR, width: 2, fill: RATE_COLOUR + '22', points: { show: false } },
      { label: 'Dose', scale: 'mg', stroke: DOSE_COLOUR, width: 2, points: { show: false } },
    ],
  };
}

interface Props {
  trend: readonly TrendPoint[];
  events: readonly InfusionEvent[];
  observations: readonly Observation[];
  rescueDoses: readonly RescueDose[];
  /** Adverse effects: a diamond at the foot of every chart, labelled on the infusion chart. */
  adverseEffects?: readonly AdverseEffect[];
  alarms: readonly Alarm[];
  limits: readonly LimitLine[];
  dosingWeightKg: number;
  /** The dose is figured to here at least (the session's own dose state may be newer than the vitals). */
  doseAsOf: number;
  /** The session's first and newest times (event time): the whole-session window and the live edge. */
  openedAt: number;
  newestT: number;
  window: TrendWindow;
  onWindow: (w: TrendWindow) => void;
  /** Points the last reply carried (to show that a long window came downsampled). */
  status: string;
}

function Legend({ items }: { items: { label: string; colour: string; dashed?: boolean }[] }) {
  return (
    <span className="chart-legend">
      {items.map((i) => (
        <span key={i.label} className="chart-legend-item">
          <span className={`chart-swatch${i.dashed ? ' dashed' : ''}`} style={{ borderColor: i.colour }} />
          {i.label}
        </span>
      ))}
    </span>
  );
}

function VitalChart({ panel, trend, xRange, overlay, onZoom }: { panel: VitalPanel; trend: readonly TrendPoint[]; xRange: [number, number]; overlay: PanelOverlay; onZoom: (r: [number, number]) => void }) {
  const held = useRef<PanelData | null>(null);
  const data = useMemo(() => (held.current = updatePanelData(held.current, panel.fields, trend)), [panel.fields, trend]);
  const limitsRef = useRef(overlay.limits);
  limitsRef.current = overlay.limits;
  const points = data.columns[0]!.length;
  const dots = points > 0 && points < 60;
  const options = useMemo(() => vitalOptions(panel, () => limitsRef.current, dots), [panel, dots]);
  // The rendered line of the first field as [from, to] runs: a gap in the data is a break here.
  const runs = useMemo(() => segments(data.columns[0]!, data.columns[1]!), [data]);
  const readout = useCallback(
    (u: uPlot, idx: number) => {
      const t = u.data[0][idx];
      if (typeof t !== 'number') return '';
      const parts = panel.fields.map((_f, i) => {
        const v = u.data[1 + i * 3]![idx];
        const lo = u.data[2 + i * 3]![idx];
        const hi = u.data[3 + i * 3]![idx];
        return `${panel.labels[i]} ${fmt(v)}${lo !== hi && typeof lo === 'number' ? ` (${fmt(lo)}–${fmt(hi)})` : ''}`;
      });
      return `${formatClock(t)}  ${parts.join('  ')}`;
    },
    [panel],
  );
  const limits = overlay.limits;
  const bandMin = useMemo(() => {
    let lo = Infinity;
    for (const v of data.columns[2]!) if (typeof v === 'number' && v < lo) lo = v;
    return Number.isFinite(lo) ? lo : '';
  }, [data]);
  return (
    <section
      className="trend-chart"
      data-testid={`chart-${panel.name}`}
      data-bucketed={data.bucketed ? 'true' : 'false'}
      data-points={points}
      data-segments={JSON.stringify(runs)}
      data-band-min={bandMin}
      data-limits={JSON.stringify(limits.map((l) => ({ field: l.field, value: l.value, op: l.op, changed: l.changed })))}
    >
      <h3>
        {panel.title} <span className="unit">{panel.unit}</span>
        {panel.fields.length > 1 && <Legend items={panel.labels.map((label, i) => ({ label, colour: panel.colours[i]! }))} />}
        {data.bucketed && (
          <span className="chart-note" data-testid={`chart-${panel.name}-note`}>
            line: mean per interval, band: min–max
          </span>
        )}
        {limits.some((l) => l.changed) && (
          <span className="chart-changed" data-testid={`chart-${panel.name}-changed`}>
            changed limit (dashed)
          </span>
        )}
      </h3>
      {points === 0 && <div className="chart-empty">No data in this window</div>}
      <UPlotPanel options={options} data={data.columns as uPlot.AlignedData} xRange={xRange} height={PANEL_HEIGHT} overlay={overlay} onZoom={onZoom} readout={readout} />
    </section>
  );
}

function ScoreChart({ observations, xRange, overlay, onZoom }: { observations: readonly Observation[]; xRange: [number, number]; overlay: PanelOverlay; onZoom: (r: [number, number]) => void }) {
  const { scales, columns } = useMemo(() => scoreData(observations), [observations]);
  const key = scales.join(',');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- rebuilt only when the set of scales changes
  const options = useMemo(() => scoreOptions(scales), [key]);
  const readout = useCallback(
    (u: uPlot, idx: number) => {
      const t = u.data[0][idx];
      const parts = scales.map((s, i) => `${OBSERVATION_SCALES[s].label} ${fmt(u.data[1 + i]![idx])}`).filter((x) => !x.endsWith('--'));
      return typeof t === 'number' ? `${formatClock(t)}  ${parts.join('  ')}` : '';
    },
    [scales],
  );
  return (
    <section className="trend-chart" data-testid="chart-scores" data-points={columns[0]!.length}>
      <h3>
        Sedation and pain scores
        <Legend items={scales.map((s) => ({ label: OBSERVATION_SCALES[s].label, colour: SCORE_COLOURS[s] ?? '#fbbf24' }))} />
      </h3>
      {columns[0]!.length === 0 && <div className="chart-empty">No scores documented</div>}
      <UPlotPanel key={key} options={options} data={columns as uPlot.AlignedData} xRange={xRange} height={120} overlay={overlay} onZoom={onZoom} readout={readout} />
    </section>
  );
}

function RateChart({ events, weightKg, until, xRange, overlay, onZoom }: { events: readonly InfusionEvent[]; weightKg: number; until: number; xRange: [number, number]; overlay: PanelOverlay; onZoom: (r: [number, number]) => void }) {
  const { columns, cumulativeMg } = useMemo(() => rateData(events, weightKg, until), [events, weightKg, until]);
  const options = useMemo(rateOptions, []);
  const readout = useCallback((u: uPlot, idx: number) => {
    const t = u.data[0][idx];
    return typeof t === 'number' ? `${formatClock(t)}  rate ${fmt(u.data[1]![idx])} mg/kg/h  dose ${fmt(u.data[2]![idx])} mg` : '';
  }, []);
  return (
    <section className="trend-chart" data-testid="chart-infusion" data-points={columns[0].length}>
      <h3>
        Infusion rate <span className="unit">mg/kg/h</span>
        <Legend items={[{ label: 'Rate (mg/kg/h)', colour: RATE_COLOUR }, { label: 'Cumulative dose (mg)', colour: DOSE_COLOUR }]} />
        <span className="chart-dose" data-testid="chart-cumulative-dose">
          Total {formatMg(cumulativeMg)}
        </span>
      </h3>
      {columns[0].length === 0 && <div className="chart-empty">Infusion not started</div>}
      <UPlotPanel options={options} data={columns as uPlot.AlignedData} xRange={xRange} height={130} overlay={overlay} onZoom={onZoom} readout={readout} />
    </section>
  );
}

const WINDOW_LABEL: Record<TrendWindow, string> = { '15m': '15 min', '1h': '1 h', '4h': '4 h', all: 'Whole session' };

/**
 * The session's trends on one time axis: every panel shows the same window, the cursor moves on all
 * of them, and dragging across one zooms all. Markers: infusion events, boluses, rescue drugs, alarms, adverse effects.
 */
export function SessionTrends(p: Props) {
  const [zoom, setZoom] = useState<[number, number] | null>(null);
  const windowMs = TREND_WINDOWS[p.window];
  // The live edge moves in steps of about a pixel of a wall screen (1 s in 15 minutes, 12 s in 4 hours):
  // the charts redraw when something visible changes, not on every push. Live points are appended to
  // the panels' columns in between and drawn at the next step.
  const span = windowMs ?? Math.max(60_000, p.newestT - p.openedAt);
  const step = Math.max(1000, Math.round(span / 1200));
  const edge = Math.max(Math.ceil(p.newestT / step) * step, p.openedAt + 60_000);
  // A window never reaches before the session opened (nothing to show there).
  const from = windowMs === null ? p.openedAt : Math.max(p.openedAt, edge - windowMs);
  const live = useMemo((): [number, number] => [from, edge], [from, edge]);
  const xRange = zoom ?? live;
  const allMarkers = useMemo(() => buildMarkers(p.events, p.rescueDoses, p.alarms, p.adverseEffects), [p.events, p.rescueDoses, p.alarms, p.adverseEffects]);
  const overlays = useMemo(() => {
    const forPanel = (fields: readonly string[]): PanelOverlay => ({
      markers: allMarkers.filter((m: Marker) => m.kind !== 'alarm' || m.field === null || fields.includes(m.field)),
      markerLabels: false,
      limits: p.limits.filter((l) => fields.includes(l.field)),
    });
    const byPanel: Record<string, PanelOverlay> = {};
    for (const v of VITAL_PANELS) byPanel[v.name] = forPanel(v.fields);
    byPanel.scores = { markers: allMarkers.filter((m) => m.kind !== 'alarm'), markerLabels: false, limits: [] };
    byPanel.infusion = { markers: allMarkers.filter((m) => m.kind !== 'alarm'), markerLabels: true, limits: [] };
    return byPanel;
  }, [allMarkers, p.limits]);
  const onZoom = useCallback((r: [number, number]) => setZoom(r), []);

  return (
    <div
      className="session-trends"
      data-testid="session-trends"
      data-window={p.window}
      data-status={p.status}
      data-markers={JSON.stringify(allMarkers.map((m) => ({ t: m.t, kind: m.kind, detail: m.detail })))}
    >
      <div className="trend-toolbar">
        <span className="trend-toolbar-label">Window</span>
        {(Object.keys(WINDOW_LABEL) as TrendWindow[]).map((w) => (
          <button
            key={w}
            type="button"
            className={`window-button${p.window === w && !zoom ? ' selected' : ''}`}
            aria-pressed={p.window === w && !zoom}
            data-testid={`window-${w}`}
            onClick={() => {
              setZoom(null);
              p.onWindow(w);
            }}
          >
            {WINDOW_LABEL[w]}
          </button>
        ))}
        {zoom && (
          <button type="button" className="window-button zoomed" data-testid="zoom-reset" onClick={() => setZoom(null)}>
            Zoomed {formatClock(zoom[0]).slice(0, 5)}–{formatClock(zoom[1]).slice(0, 5)} · back to live
          </button>
        )}
        <span className="trend-toolbar-hint">Drag across a chart to zoom all charts</span>
        <span className="marker-key">
          <span className="marker-swatch" style={{ background: '#5eead4' }} /> infusion, bolus
          <span className="marker-swatch dashed" style={{ borderColor: '#f472b6' }} /> rescue drug
          <span className="marker-swatch triangle" /> alarm (priority colour)
          <span className="marker-swatch diamond" style={{ background: ADVERSE_COLOUR }} /> adverse effect
        </span>
      </div>
      <RateChart events={p.events} weightKg={p.dosingWeightKg} until={Math.max(edge, p.doseAsOf)} xRange={xRange} overlay={overlays.infusion!} onZoom={onZoom} />
      {VITAL_PANELS.map((v) => (
        <VitalChart key={v.name} panel={v} trend={p.trend} xRange={xRange} overlay={overlays[v.name]!} onZoom={onZoom} />
      ))}
      <ScoreChart observations={p.observations} xRange={xRange} overlay={overlays.scores!} onZoom={onZoom} />
    </div>
  );
}
