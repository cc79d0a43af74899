import { useMemo } from 'react';
import type { VitalField, VitalsSample } from '@infusion/shared';

const WIDTH = 200;
const HEIGHT = 36;
const MAX_POINTS = 120;

/** Tiny SVG trend for a tile: cheap enough to redraw on every vitals batch. */
export function Sparkline({ trend, field, windowMs = 5 * 60_000 }: { trend: readonly VitalsSample[]; field: VitalField; windowMs?: number }) {
  const points = useMemo(() => {
    const last = trend[trend.length - 1];
    if (!last) return '';
    // Scale to the data actually held (a young session fills the width too).
    const from = Math.max(last.t - windowMs, trend[0]!.t);
    const span = last.t - from || 1;
    const pts = trend.filter((s) => s.t >= from && typeof s[field] === 'number') as (VitalsSample & Record<VitalField, number>)[];
    if (pts.length < 2) return '';
    const step = Math.ceil(pts.length / MAX_POINTS);
    const used = pts.filter((_, i) => i % step === 0);
    const values = used.map((s) => s[field]);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const range = hi - lo || 1;
    return used
      .map((s) => `${(((s.t - from) / span) * WIDTH).toFixed(1)},${(HEIGHT - 2 - ((s[field] - lo) / range) * (HEIGHT - 4)).toFixed(1)}`)
      .join(' ');
  }, [trend, field, windowMs]);

  return (
    <svg className={`sparkline sparkline-${field}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true">
      {points && <polyline points={points} fill="none" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
