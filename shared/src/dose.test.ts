import { describe, expect, it } from 'vitest';
import { applyInfusionEvent, doseAt, initialInfusion, replayInfusion, transitionError } from './dose';

const H = 3_600_000;
const ev = (type: 'start' | 'rate_change' | 'bolus' | 'pause' | 'resume' | 'stop', t: number, x: { rateMgKgH?: number; doseMg?: number } = {}) => ({
  type,
  t,
  rateMgKgH: x.rateMgKgH ?? null,
  doseMg: x.doseMg ?? null,
});

describe('cumulative dose', () => {
  it('integrates rate x weight over running time and adds boluses', () => {
    // 0.5 mg/kg/h x 70 kg for 2 h = 70 mg, + 1 mg/kg/h x 70 kg for 0.5 h = 35 mg, + 20 mg bolus.
    const s = replayInfusion(70, [ev('start', 0, { rateMgKgH: 0.5 }), ev('rate_change', 2 * H, { rateMgKgH: 1 }), ev('bolus', 2.5 * H, { doseMg: 20 }), ev('stop', 2.5 * H)]);
    expect(s.cumulativeMg).toBeCloseTo(125, 9);
    expect(s.cumulativeMgPerKg).toBeCloseTo(125 / 70, 9);
    expect(s.status).toBe('stopped');
  });

  it('gives nothing while paused and restores the rate on resume', () => {
    let s = replayInfusion(50, [ev('start', 0, { rateMgKgH: 1 }), ev('pause', H)]);
    expect(doseAt(s, 50, 3 * H).cumulativeMg).toBeCloseTo(50, 9);
    s = applyInfusionEvent(s, 50, ev('resume', 3 * H));
    expect(s.rateMgKgH).toBe(1);
    expect(doseAt(s, 50, 4 * H).cumulativeMg).toBeCloseTo(100, 9);
  });

  it('is unchanged for a time before the last event (no negative doses)', () => {
    const s = replayInfusion(70, [ev('start', 10 * H, { rateMgKgH: 1 })]);
    expect(doseAt(s, 70, 5 * H)).toBe(s);
    expect(initialInfusion().cumulativeMg).toBe(0);
  });

  it.each([
    ['not_started', 'pause', 'cannot pause an infusion that is not started'],
    ['stopped', 'resume', 'cannot resume an infusion that is stopped'],
    ['running', 'start', 'cannot start an infusion that is running'],
    ['running', 'rate_change', null],
    ['paused', 'stop', null],
  ] as const)('from %s, %s → %s', (from, type, expected) => {
    expect(transitionError(from, type)).toBe(expected);
  });
});
