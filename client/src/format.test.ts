import { describe, expect, it } from 'vitest';
import { formatAge, formatClock, formatCountdown, formatDateTime, formatVital, guardrailActionLabel, timeTickLabels } from './format';

describe('format', () => {
  it('formatClock gives local HH:MM:SS', () => {
    const t = new Date(2025, 0, 15, 7, 5, 9).getTime();
    expect(formatClock(t)).toBe('07:05:09');
    expect(formatClock(null)).toBe('--:--:--');
  });

  it('formatDateTime gives local YYYY-MM-DD HH:MM:SS, or a dash when unknown', () => {
    expect(formatDateTime(new Date(2025, 2, 4, 17, 5, 9).getTime())).toBe('2025-03-04 17:05:09');
    expect(formatDateTime(null)).toBe('—');
  });

  it("formatVital shows '--' for missing or invalid values and whole numbers otherwise", () => {
    expect(formatVital(undefined)).toBe('--');
    expect(formatVital(null)).toBe('--');
    expect(formatVital(86)).toBe('86');
    expect(formatVital(93.4)).toBe('93');
  });

  it('formatCountdown shows m:ss, rounding partial seconds up and never going negative', () => {
    expect(formatCountdown(113_000)).toBe('1:53');
    expect(formatCountdown(112_001)).toBe('1:53');
    expect(formatCountdown(120_000)).toBe('2:00');
    expect(formatCountdown(7_000)).toBe('0:07');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5000)).toBe('0:00');
    expect(formatCountdown(3_723_000)).toBe('1:02:03');
    expect(formatCountdown(Number.NaN)).toBe('0:00');
  });

  it('formatAge says how long ago', () => {
    expect(formatAge(3000)).toBe('just now');
    expect(formatAge(40_000)).toBe('40 s ago');
    expect(formatAge(120_000)).toBe('2 min ago');
    expect(formatAge(179_000)).toBe('2 min ago');
    expect(formatAge(3_600_000)).toBe('1 h ago');
    expect(formatAge(3_900_000)).toBe('1 h 5 min ago');
    expect(formatAge(-1000)).toBe('just now');
  });

  it('guardrailActionLabel names a guarded action in clinical words', () => {
    expect(guardrailActionLabel('infusion.bolus')).toBe('Bolus');
    expect(guardrailActionLabel('infusion.rate_change')).toBe('Rate change');
    expect(guardrailActionLabel('rescue.beta_blocker')).toBe('Rescue dose · beta blocker');
    expect(guardrailActionLabel('something.else')).toBe('something.else');
  });

  it('labels a time axis with seconds when ticks are under a minute apart, so no minute is printed twice', () => {
    const at = (h: number, m: number, sec = 0) => new Date(2026, 11, 1, h, m, sec).getTime();
    expect(timeTickLabels([at(6, 47), at(6, 47, 30), at(6, 48)], 30_000)).toEqual(['06:47:00', '06:47:30', '06:48:00']);
    expect(timeTickLabels([at(6, 45), at(6, 50), at(6, 55)], 300_000)).toEqual(['06:45', '06:50', '06:55']);
  });
});
