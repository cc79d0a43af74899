import { useMemo } from 'react';
import type { TrendPoint, VitalField } from '@infusion/shared';
import { rangeAt } from '../stores/trend';

const WIDTH = 200;
const HEIGHT = 36;
const MAX_POINTS = 120;

/** Tiny SVG trend for a tile: cheap enough to redraw on every vitals batch. A downsampled bucket is drawn
 * as a vertical stroke from its min to its max, so a brief dip still shows on the tile. */
export function Sparkline({ trend, field, windowMs = 5 * 60_000 }: { trend: readonly TrendPoint[]; field: VitalField; windowMs?: number }) {
  const points = useMemo(() => {
    const last = trend[trend.length - 1];
    if (!last) return '';
    // Scale to the data actually held (a young session fills the width too).
    const from = Math.max(last.t - windowMs, trend[0]!.t);
    const span = last.t - from || 1;
    const pts: { t: number; lo: number; hi: number }[] = [];
    for (const s of trend) {
      const r = s.t >= from ? rangeAt(s, field) : null;
      if (r) pts.push({ t: s.t, lo: r[0], hi: r[1] });
    }
    if (pts.length < 2) return '';
    // Thin to MAX_POINTS by merging neighbours (their extremes kept), never by skipping them.
    const step = Math.ceil(pts.length / MAX_POINTS);
    const used: { t: number; lo: number; hi: number }[] = [];
    for (let i = 0; i < pts.length; i += step) {
      const group = pts.slice(i, i + step);
      used.push({ t: group[0]!.t, lo: Math.min(...group.map((g) => g.lo)), hi: Math.max(...group.map((g) => g.hi)) });
    }
    const lo = Math.min(...used.map((u) => u.lo));
    const hi = Math.max(...used.map((u) => u.hi));
    const range = hi - lo || 1;
    const x = (t: number) => (((t - from) / span) * WIDTH).toFixed(1);
    const y = (v: number) => (HEIGHT - 2 - ((v - lo) / range) * (HEIGHT - 4)).toFixed(1);
    return used.map((u) => (u.lo === u.hi ? `${x(u.t)},${y(u.lo)}` : `${x(u.t)},${y(u.hi)} ${x(u.t)},${y(u.lo)} ${x(u.t)},${y(u.hi)}`)).join(' ');
  }, [trend, field, windowMs]);

  return (
    <svg className={`sparkline sparkline-${field}`} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true">
      {points && <polyline points={points} fill="none" strokeWidth="1.5" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
