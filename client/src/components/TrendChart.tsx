import { useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendPoint, VitalField } from '@infusion/shared';
import { formatClock } from '../format';
import { rangeAt } from '../stores/trend';

export interface TrendSeries {
  field: VitalField;
  label: string;
  colour: string;
}

interface Props {
  /** Used in the test hook chart-<name>. */
  name: string;
  title: string;
  unit: string;
  series: TrendSeries[];
  trend: readonly TrendPoint[];
}

/** Few enough points that each one should be drawn (e.g. intermittent NIBP). */
const DOTS_BELOW = 60;

const rangeKey = (f: VitalField) => `${f}Range`;
type Row = TrendPoint & Record<string, unknown>;

interface TipEntry {
  name?: unknown;
  value?: unknown;
  color?: string;
}

/** Tooltip: each line's value, and its min–max only where the point is a bucket that has a spread. */
function TrendTip({ active, label, payload }: { active?: boolean; label?: unknown; payload?: readonly TipEntry[] }) {
  if (!active || !payload?.length) return null;
  const rows = payload.filter((e) => !Array.isArray(e.value) || e.value[0] !== e.value[1]);
  return (
    <div className="trend-tip">
      <div>{formatClock(Number(label))}</div>
      {rows.map((e) => (
        <div key={String(e.name)} style={{ color: e.color }}>
          {String(e.name)}: {Array.isArray(e.value) ? `${String(e.value[0])}–${String(e.value[1])}` : String(e.value)}
        </div>
      ))}
    </div>
  );
}

/**
 * A live trend of one or more vitals. Samples that do not carry any of the chart's fields are left
 * out (NIBP is intermittent), while null values ("no valid value") break the line on purpose.
 * Where the server (or the page) downsampled, each point is a time bucket: the line is its mean and
 * the shaded band its min to max, so a brief dip stays visible instead of being averaged away.
 */
export function TrendChart({ name, title, unit, series, trend }: Props) {
  const { data, bucketed } = useMemo(() => {
    let bucketed = false;
    const data: Row[] = [];
    for (const p of trend) {
      if (!series.some((x) => p[x.field] !== undefined)) continue;
      const row: Row = { ...p };
      for (const x of series) {
        const r = rangeAt(p, x.field);
        row[rangeKey(x.field)] = r;
        if (r && r[0] !== r[1]) bucketed = true;
      }
      data.push(row);
    }
    return { data, bucketed };
  }, [trend, series]);
  const dots = data.length < DOTS_BELOW;

  return (
    <section className="trend-chart" data-testid={`chart-${name}`} data-bucketed={bucketed ? 'true' : 'false'}>
      <h3>
        {title} <span className="unit">{unit}</span>
        {bucketed && (
          <span className="chart-note" data-testid={`chart-${name}-note`}>
            line: mean per interval, band: min–max
          </span>
        )}
      </h3>
      {data.length === 0 ? (
        <div className="chart-empty">No data</div>
      ) : (
        <ResponsiveContainer width="100%" height={series.length > 1 ? 200 : 180}>
          <ComposedChart data={data} margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
            <CartesianGrid stroke="#26313d" strokeDasharray="3 3" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={['dataMin', 'dataMax']}
              tickFormatter={formatClock}
              stroke="#9fb0c0"
              minTickGap={40}
            />
            <YAxis stroke="#9fb0c0" width={44} domain={['auto', 'auto']} allowDecimals={false} />
            <Tooltip content={TrendTip} isAnimationActive={false} />
            {series.length > 1 && <Legend verticalAlign="top" height={22} itemSorter={null} />}
            {series.map((x) => (
              <Area
                key={`${x.field}-range`}
                dataKey={rangeKey(x.field)}
                name={`${x.label} min–max`}
                type="linear"
                stroke={x.colour}
                strokeOpacity={0.7}
                strokeWidth={1}
                fill={x.colour}
                fillOpacity={0.25}
                legendType="none"
                isAnimationActive={false}
                connectNulls={false}
                dot={false}
                activeDot={false}
              />
            ))}
            {series.map((x) => (
              <Line
                key={x.field}
                dataKey={x.field}
                name={x.label}
                stroke={x.colour}
                strokeWidth={2}
                dot={dots ? { r: 2, fill: x.colour } : false}
                isAnimationActive={false}
                connectNulls={false}
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
