import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { VitalField, VitalsSample } from '@infusion/shared';
import { formatClock } from '../format';

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
  trend: readonly VitalsSample[];
}

/** Few enough points that each one should be drawn (e.g. intermittent NIBP). */
const DOTS_BELOW = 60;

/**
 * A live trend of one or more vitals. Samples that do not carry any of the chart's fields are left
 * out (NIBP is intermittent), while null values ("no valid value") break the line on purpose.
 */
export function TrendChart({ name, title, unit, series, trend }: Props) {
  const data = useMemo(() => trend.filter((s) => series.some((x) => s[x.field] !== undefined)), [trend, series]);
  const dots = data.length < DOTS_BELOW;

  return (
    <section className="trend-chart" data-testid={`chart-${name}`}>
      <h3>
        {title} <span className="unit">{unit}</span>
      </h3>
      {data.length === 0 ? (
        <div className="chart-empty">No data</div>
      ) : (
        <ResponsiveContainer width="100%" height={series.length > 1 ? 200 : 180}>
          <LineChart data={data} margin={{ top: 6, right: 16, bottom: 0, left: 0 }}>
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
            <Tooltip
              labelFormatter={(t) => formatClock(Number(t))}
              contentStyle={{ background: '#0b1016', border: '1px solid #3a4756' }}
              isAnimationActive={false}
            />
            {series.length > 1 && <Legend verticalAlign="top" height={22} itemSorter={null} />}
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
          </LineChart>
        </ResponsiveContainer>
      )}
    </section>
  );
}
