import { describe, expect, it } from 'vitest';
import { formatClock, formatDateTime, formatVital } from './format';

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
});
