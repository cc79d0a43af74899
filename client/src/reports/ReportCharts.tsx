import type { CSSProperties } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis, type BarShapeProps } from 'recharts';
import type { AckTimeBin, AlarmTimeline, GuardrailLimitStats } from '@infusion/shared';
import { SimulatedBadge } from '../components/SimulatedBadge';
import {
  ackRows,
  ackSummary,
  BUCKET_WORD,
  guardrailRows,
  guardrailSeries,
  guardrailSummary,
  prioritySeries,
  rowTotal,
  timelineRows,
  timelineSummary,
  type ChartRow,
  type ChartSeries,
} from './reportChartData';

/* Report charts are static: recharts SVG, drawn once per report, never animated (live trends are uPlot canvases). */

/** The simulated marker's magenta (styles.css --sim): not an alarm colour. */
const SIM = '#f472b6';
const AXIS = { fill: '#9fb0c0', fontSize: 12 };

/** Stripes of the series colour on magenta: the simulated part of a bar reads as simulated, in print too. */
function SimPatterns({ id, series }: { id: string; series: ChartSeries[] }) {
  return (
    <svg className="report-chart-patterns" width="0" height="0" aria-hidden="true" focusable="false">
      <defs>
        {series
          .filter((s) => s.simulated)
          .map((s) => (
            <pattern key={s.key} id={`${id}-${s.key}`} width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="8" height="8" fill={SIM} />
              <rect width="4" height="8" fill={s.colour} />
            </pattern>
          ))}
      </defs>
    </svg>
  );
}

const fillOf = (id: string, s: ChartSeries) => (s.simulated ? `url(#${id}-${s.key})` : s.colour);

/** Each drawn bar segment carries its series and count, so what is drawn can be checked against the report. */
function barShape(s: ChartSeries, fill: string) {
  function BarSegment(p: BarShapeProps) {
    const row = p.payload as ChartRow;
    const count = row.values[s.key] ?? 0;
    // Nothing for an empty segment: a zero-height outline would draw a line at the base.
    if (count === 0) return null;
    const x = p.width < 0 ? p.x + p.width : p.x;
    const y = p.height < 0 ? p.y + p.height : p.y;
    return (
      <rect
        x={x}
        y={y}
        width={Math.abs(p.width)}
        height={Math.abs(p.height)}
        fill={fill}
        stroke={s.simulated ? '#000' : 'none'}
        strokeDasharray={s.simulated ? '3 2' : undefined}
        data-series={s.key}
        data-count={count}
        data-category={row.label}
      />
    );
  }
  return BarSegment;
}

/** The same stripes as the bars' pattern, in CSS. */
const swatchStyle = (s: ChartSeries): CSSProperties =>
  s.simulated
    ? { background: `repeating-linear-gradient(45deg, ${s.colour} 0 3px, ${SIM} 3px 6px)`, border: '1px dashed #000' }
    : { background: s.colour };

function Legend({ series }: { series: ChartSeries[] }) {
  return (
    <ul className="report-chart-legend" aria-hidden="true">
      {series.map((s) => (
        <li key={s.key}>
          <span className="report-swatch" style={swatchStyle(s)} />
          {s.label}
        </li>
      ))}
    </ul>
  );
}

interface StackedBarsProps {
  testId: string;
  title: string;
  summary: string;
  /** Column heading of the text table: "Hour", "Time to acknowledge", "Limit". */
  category: string;
  rows: ChartRow[];
  series: ChartSeries[];
  /** Simulated sessions are included: the chart carries the SIMULATED marker and draws their part hatched. */
  simulated: boolean;
  /** Bars along a time or bin axis (`bottom`), or one bar per named limit (`left`). */
  categoryAxis?: 'bottom' | 'left';
  note?: string;
}

/** A stacked bar chart with its title, a one-line summary, a legend and the same figures as a table (screen readers, print). */
function StackedBars({ testId, title, summary, category, rows, series, simulated, categoryAxis = 'bottom', note }: StackedBarsProps) {
  const horizontal = categoryAxis === 'left';
  const height = horizontal ? 48 + 34 * rows.length : 260;
  const titleId = `${testId}-title`;
  const anySim = series.some((s) => s.simulated);
  return (
    <figure className="report-chart" data-testid={testId} aria-labelledby={titleId} data-simulated={simulated ? 'true' : 'false'}>
      <figcaption>
        <h4 id={titleId}>
          {title} {simulated && <SimulatedBadge />}
        </h4>
        <p className="report-chart-summary" data-testid={`${testId}-summary`}>
          {summary}
        </p>
        {simulated && <p className="hint">Simulated sessions included: their part of each bar is striped pink and labelled “simulated”.</p>}
        {note && <p className="hint">{note}</p>}
      </figcaption>
      {anySim && <SimPatterns id={testId} series={series} />}
      <div className="report-chart-plot" aria-hidden="true">
        <BarChart
          responsive
          style={{ width: '100%', height }}
          data={rows}
          layout={horizontal ? 'vertical' : 'horizontal'}
          margin={{ top: 8, right: 16, bottom: 4, left: 4 }}
          accessibilityLayer={false}
          barCategoryGap="18%"
        >
          <CartesianGrid stroke="#2a3643" vertical={horizontal} horizontal={!horizontal} />
          {horizontal ? (
            <>
              <XAxis type="number" allowDecimals={false} tick={AXIS} stroke="#2a3643" />
              <YAxis type="category" dataKey="label" width={300} tick={AXIS} stroke="#2a3643" interval={0} />
            </>
          ) : (
            <>
              <XAxis dataKey="label" tick={AXIS} stroke="#2a3643" interval="preserveStartEnd" minTickGap={8} />
              <YAxis allowDecimals={false} tick={AXIS} stroke="#2a3643" width={36} />
            </>
          )}
          <Tooltip
            isAnimationActive={false}
            cursor={{ fill: 'rgba(255,255,255,0.06)' }}
            contentStyle={{ background: '#111821', border: '1px solid #2a3643', color: '#eef3f8' }}
            labelFormatter={(_label, payload) => (payload[0]?.payload as ChartRow | undefined)?.full ?? ''}
          />
          {series.map((s) => (
            <Bar key={s.key} name={s.label} dataKey={(r: ChartRow) => r.values[s.key] ?? 0} stackId="all" fill={fillOf(testId, s)} isAnimationActive={false} shape={barShape(s, fillOf(testId, s))} />
          ))}
        </BarChart>
      </div>
      <Legend series={series} />
      <div className="report-chart-table">
        <table className="report-table" data-testid={`${testId}-table`}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{category}</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.full} data-category={r.label}>
                <th scope="row">{r.full}</th>
                {series.map((s) => (
                  <td key={s.key} data-series={s.key}>
                    {r.values[s.key] ?? 0}
                  </td>
                ))}
                <td data-series="total">{rowTotal(r)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** Alarms raised per hour (or day, week, month) of the period, stacked by priority in the IEC colours. */
export function AlarmTimelineChart({ timeline, includeSimulated }: { timeline: AlarmTimeline; includeSimulated: boolean }) {
  if (timeline.buckets.length === 0) return <p className="empty">No time in this period to chart.</p>;
  const word = BUCKET_WORD[timeline.bucket];
  return (
    <StackedBars
      testId="chart-alarms-time"
      title={`Alarms per ${word}`}
      summary={timelineSummary(timeline)}
      category={word.replace(/ .*/, '').replace(/^./, (c) => c.toUpperCase())}
      rows={timelineRows(timeline)}
      series={prioritySeries(includeSimulated)}
      simulated={includeSimulated}
      note={timeline.tz === 'UTC' ? 'Times in UTC.' : undefined}
    />
  );
}

/** How long alarms waited for a user's acknowledgement, by priority. */
export function AckTimeChart({ bins, includeSimulated }: { bins: AckTimeBin[]; includeSimulated: boolean }) {
  return (
    <StackedBars
      testId="chart-ack-times"
      title="Time to acknowledge"
      summary={ackSummary(bins)}
      category="Time to acknowledge"
      rows={ackRows(bins)}
      series={prioritySeries(includeSimulated)}
      simulated={includeSimulated}
      note="From the alarm being raised to its first acknowledgement (or resolution) by a user."
    />
  );
}

/** Guardrail outcomes per limit: refusals, overrides with a reason and unconfirmed soft-limit alerts. */
export function GuardrailChart({ byLimit, includeSimulated, label }: { byLimit: GuardrailLimitStats[]; includeSimulated: boolean; label: (l: GuardrailLimitStats) => string }) {
  return (
    <StackedBars
      testId="chart-guardrails"
      title="Dose limit outcomes by limit"
      summary={guardrailSummary(byLimit)}
      category="Limit"
      rows={guardrailRows(byLimit, label)}
      series={guardrailSeries(includeSimulated)}
      simulated={includeSimulated}
      categoryAxis="left"
    />
  );
}
