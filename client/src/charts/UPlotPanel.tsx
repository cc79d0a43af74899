import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { timeTickLabels } from '../format';
import type { LimitLine } from './limitLines';
import type { Marker } from './trendData';

/** The shared time axis of every panel: the synced cursor key and the visible range. */
export const SYNC_KEY = 'session-trends';

export interface PanelOverlay {
  markers: readonly Marker[];
  /** Draw the markers' text (the infusion panel) or only their lines. */
  markerLabels: boolean;
  limits: readonly LimitLine[];
}

interface Props {
  /** uPlot options without size; read once when the panel is created. */
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  xRange: [number, number];
  height: number;
  overlay: PanelOverlay;
  /** A drag-selected time range (zoom), applied to every panel by the caller. */
  onZoom: (range: [number, number]) => void;
  /** Text under the cursor, e.g. "12:03:15  HR 78". */
  readout: (u: uPlot, idx: number) => string;
}

/** Width of a right-hand value axis (the cumulative dose); every panel keeps this much room on the right. */
export const RIGHT_AXIS = 52;
const GRID = { stroke: '#26313d', width: 1 };
const AXIS_FONT = '12px system-ui, sans-serif';

/** The time axis and style every panel shares; value axes are added by the caller. */
export function baseOptions(): Pick<uPlot.Options, 'ms' | 'legend' | 'cursor' | 'select' | 'padding'> & { xAxis: uPlot.Axis } {
  return {
    ms: 1,
    legend: { show: false },
    cursor: { sync: { key: SYNC_KEY, setSeries: false }, drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    select: { show: true, left: 0, top: 0, width: 0, height: 0 },
    // Room on the right for the infusion panel's dose axis on every panel, so the same time is at the
    // same x on all of them (their plots line up, and so do the markers).
    padding: [6, 8 + RIGHT_AXIS, 0, 0],
    xAxis: {
      stroke: '#9fb0c0',
      grid: GRID,
      ticks: { stroke: '#3a4756', width: 1 },
      font: AXIS_FONT,
      size: 26,
      values: (_u, splits, _axis, _space, incr) => timeTickLabels(splits, incr),
    },
  };
}

export function valueAxis(scale: string, side: 1 | 3 = 3, stroke = '#9fb0c0'): uPlot.Axis {
  return { scale, side, stroke, grid: side === 3 ? GRID : { show: false }, ticks: { stroke: '#3a4756', width: 1 }, font: AXIS_FONT, size: 48 };
}

/** Limit lines (dashed and labelled "changed" where they differ from the site's) and event markers, drawn on the canvas. */
function drawOverlay(u: uPlot, o: PanelOverlay): void {
  const ctx = u.ctx;
  const px = uPlot.pxRatio;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.font = `${Math.round(11 * px)}px system-ui, sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.textAlign = 'left';
  // Labels of lines close together (SBP < 90 and DBP > 110) are set side by side, never on top of each other.
  const placed: { x0: number; x1: number; y: number }[] = [];
  for (const l of o.limits) {
    const y = Math.round(u.valToPos(l.value, 'y', true));
    if (y < top || y > top + height) continue;
    ctx.strokeStyle = l.colour;
    ctx.lineWidth = (l.changed ? 2 : 1) * px;
    ctx.setLineDash(l.changed ? [8 * px, 5 * px] : [2 * px, 4 * px]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.setLineDash([]);
    // The label sits on the safe side of the line, at the left (the live edge is at the right), on a dark box.
    const text = l.label;
    const tw = ctx.measureText(text).width;
    const ty = l.op === '<' ? y - 2 * px : y + 13 * px;
    let tx = left + 4 * px;
    for (const p of placed) if (Math.abs(p.y - ty) < 13 * px && tx < p.x1 && tx + tw > p.x0) tx = p.x1 + 10 * px;
    placed.push({ x0: tx, x1: tx + tw, y: ty });
    ctx.fillStyle = 'rgba(11, 16, 22, 0.85)';
    ctx.fillRect(tx - px, ty - 12 * px, tw + 2 * px, 13 * px);
    ctx.fillStyle = l.colour;
    ctx.fillText(text, tx, ty);
  }
  const xMin = u.scales.x!.min!;
  const xMax = u.scales.x!.max!;
  let labelRow = 0;
  for (const m of o.markers) {
    if (m.t < xMin || m.t > xMax) continue;
    const x = Math.round(u.valToPos(m.t, 'x', true));
    ctx.strokeStyle = m.colour;
    ctx.fillStyle = m.colour;
    if (m.kind === 'alarm') {
      // A triangle at the top in the priority's colour, and a faint line down.
      const s = 6 * px;
      ctx.beginPath();
      ctx.moveTo(x - s, top);
      ctx.lineTo(x + s, top);
      ctx.lineTo(x, top + s * 1.6);
      ctx.closePath();
      ctx.fill();
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = px;
      ctx.beginPath();
      ctx.moveTo(x, top + s * 1.6);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.globalAlpha = 1;
      continue;
    }
    if (m.kind === 'adverse') {
      // A diamond at the foot of the chart in the adverse-effect colour, and a faint line up: never mistaken for an alarm's triangle.
      const s = 5 * px;
      const y = top + height - s - px;
      ctx.beginPath();
      ctx.moveTo(x, y - s);
      ctx.lineTo(x + s, y);
      ctx.lineTo(x, y + s);
      ctx.lineTo(x - s, y);
      ctx.closePath();
      ctx.fill();
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = px;
      ctx.setLineDash([1 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, y - s);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
      if (!o.markerLabels) continue;
    }
    // On the vital charts a faint dotted line (never mistaken for data); on the infusion chart a solid one with its text.
    ctx.lineWidth = (o.markerLabels ? 1.5 : 1) * px;
    ctx.globalAlpha = o.markerLabels ? 1 : 0.55;
    ctx.setLineDash(m.kind === 'rescue' ? [6 * px, 3 * px] : o.markerLabels ? [] : [2 * px, 3 * px]);
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    if (o.markerLabels) {
      // Labels take turns on three rows so neighbouring events do not print over each other.
      const y = top + (14 + 13 * (labelRow++ % 3)) * px;
      const tw = ctx.measureText(m.label).width;
      const tx = x + 3 * px + tw > left + width ? x - 3 * px - tw : x + 3 * px;
      ctx.fillStyle = '#0b1016';
      ctx.fillRect(tx - px, y - 12 * px, tw + 2 * px, 13 * px);
      ctx.fillStyle = m.colour;
      ctx.fillText(m.label, tx, y);
    }
  }
  ctx.restore();
}

/**
 * Redraws of all panels go through one queue that draws ONE panel per animation frame: each frame then
 * carries one canvas to the compositor instead of seven, which keeps every frame short on a slow
 * machine (software rendering). The panels catch up within a few frames of each other.
 */
const pendingDraws = new Map<object, () => void>();
let drawFrame: number | null = null;

function drawNext(): void {
  drawFrame = null;
  const next = pendingDraws.entries().next();
  if (next.done) return;
  const [key, draw] = next.value;
  pendingDraws.delete(key);
  draw();
  if (pendingDraws.size > 0) drawFrame = requestAnimationFrame(drawNext);
}

function scheduleDraw(key: object, draw: () => void): void {
  pendingDraws.set(key, draw);
  drawFrame ??= requestAnimationFrame(drawNext);
}

/**
 * One canvas chart. Created once; later data only goes through setData, at most once per animation
 * frame, without animation. The x range is set by the page, so every panel shows the same time.
 */
export function UPlotPanel({ options, data, xRange, height, overlay, onZoom, readout }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const readoutEl = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef({ data, xRange, overlay, onZoom, readout });
  latest.current = { data, xRange, overlay, onZoom, readout };

  useEffect(() => {
    const el = host.current!;
    const opts: uPlot.Options = {
      ...options,
      width: Math.max(200, el.clientWidth),
      height,
      hooks: {
        draw: [
          (u) => {
            drawOverlay(u, latest.current.overlay);
            // The scales as drawn, for tests and tools: every panel of the page shows the same x range.
            const box = el.parentElement!;
            box.dataset.xMin = String(Math.round(u.scales.x!.min!));
            box.dataset.xMax = String(Math.round(u.scales.x!.max!));
            const y = u.scales.y ?? u.scales.rate;
            if (y?.min !== undefined && y.max !== undefined) {
              box.dataset.yMin = String(y.min);
              box.dataset.yMax = String(y.max);
            }
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            latest.current.onZoom([from, to]);
          },
        ],
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            if (readoutEl.current) readoutEl.current.textContent = idx === null || idx === undefined ? '' : latest.current.readout(u, idx);
          },
        ],
      },
    };
    const u = new uPlot(opts, latest.current.data, el);
    u.setScale('x', { min: latest.current.xRange[0], max: latest.current.xRange[1] });
    plot.current = u;
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== u.width) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      pendingDraws.delete(plot);
      u.destroy();
      plot.current = null;
    };
  }, [options, height]);

  // A new data set, range or overlay: one redraw (queued, see scheduleDraw), whatever the push rate. Live
  // points appended to the same columns wait for the next range step (the caller moves the live edge
  // about a pixel at a time), so a push that changes nothing visible draws nothing.
  useEffect(() => {
    scheduleDraw(plot, () => {
      const u = plot.current;
      if (!u) return;
      const { data: d, xRange: r } = latest.current;
      u.batch(() => {
        // Live points were appended to the same columns: setData again so uPlot sees the new length.
        u.setData(d);
        u.setScale('x', { min: r[0], max: r[1] });
        u.redraw(false);
      });
    });
  }, [data, xRange, overlay]);

  return (
    <div className="uplot-panel">
      <div ref={host} className="uplot-host" />
      <div ref={readoutEl} className="chart-readout" aria-live="off" />
    </div>
  );
}
