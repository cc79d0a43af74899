/** Overview density: comfortable tiles grow to fill the screen; compact keeps every tile at the size 32 would have. */
export type Density = 'comfortable' | 'compact';

export interface TileGrid {
  cols: number;
  tileW: number;
  tileH: number;
}

export const TILE_GAP = 8;
/** A sector reads best somewhat wider than tall. */
const ASPECT = 1.15;
const MAX_W = 600;
const MAX_H = 440;
/** Below this the primary numerics would no longer be readable: the page scrolls instead. */
const MIN_W = 200;
const MIN_H = 140;
/** A central station shows up to this many beds on one screen. */
export const WALL_BEDS = 32;

/**
 * Columns and sector size that put `n` tiles in the `width` x `height` area with the largest sectors
 * (like a central station, sectors shrink as beds are added). Compact sizes every sector as if the
 * unit were full, so adding a bed does not move the others.
 */
export function tileGrid(n: number, width: number, height: number, density: Density): TileGrid {
  const count = Math.max(1, density === 'compact' ? Math.max(n, WALL_BEDS) : n);
  let best: TileGrid = { cols: 1, tileW: MIN_W, tileH: MIN_H };
  let bestScore = -1;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const w = (width - (cols - 1) * TILE_GAP) / cols;
    const h = (height - (rows - 1) * TILE_GAP) / rows;
    const score = Math.min(w, h * ASPECT);
    if (score > bestScore) {
      bestScore = score;
      best = { cols, tileW: w, tileH: h };
    }
  }
  return {
    cols: best.cols,
    tileW: Math.floor(Math.min(MAX_W, Math.max(MIN_W, best.tileW))),
    tileH: Math.floor(Math.min(MAX_H, Math.max(MIN_H, best.tileH))),
  };
}
