import { describe, expect, it } from 'vitest';
import { TILE_GAP, tileGrid } from './tileGrid';

// The overview area of a 1920x1080 wall screen below a header of at most a fifth of it.
const W = 1896;
const H = 800;

const fits = (n: number, g: ReturnType<typeof tileGrid>) => {
  const rows = Math.ceil(n / g.cols);
  return g.cols * g.tileW + (g.cols - 1) * TILE_GAP <= W && rows * g.tileH + (rows - 1) * TILE_GAP <= H;
};

describe('tileGrid', () => {
  it('fits every count up to 32 on one screen, sectors shrinking as beds are added', () => {
    let prev = Infinity;
    for (let n = 1; n <= 32; n++) {
      const g = tileGrid(n, W, H, 'comfortable');
      expect(fits(n, g), `n=${n}`).toBe(true);
      expect(Math.min(g.tileW, g.tileH * 1.15)).toBeLessThanOrEqual(prev + 1);
      prev = Math.min(g.tileW, g.tileH * 1.15);
    }
  });

  it('keeps 32 sectors readable (at least 200 px wide, 150 px tall)', () => {
    const g = tileGrid(32, W, H, 'comfortable');
    expect(g.tileW).toBeGreaterThanOrEqual(200);
    expect(g.tileH).toBeGreaterThanOrEqual(150);
  });

  it('compact sizes sectors as for a full unit, whatever the count', () => {
    expect(tileGrid(3, W, H, 'compact')).toEqual(tileGrid(32, W, H, 'comfortable'));
    expect(tileGrid(3, W, H, 'compact').tileW).toBeLessThan(tileGrid(3, W, H, 'comfortable').tileW);
  });

  it('scrolls rather than shrinking sectors below a readable size', () => {
    const g = tileGrid(32, 800, 300, 'comfortable');
    expect(g.tileW).toBeGreaterThanOrEqual(200);
    expect(g.tileH).toBeGreaterThanOrEqual(140);
  });
});
