import type { CSSProperties } from 'react';
import { PRIORITY_SIGNAL, type AlarmPriority } from '@infusion/shared';

/** Text colour readable on each IEC 60601-1-8 signal colour. */
const TEXT_ON: Record<AlarmPriority, string> = { high: '#ffffff', medium: '#000000', low: '#000000' };

/**
 * The visual alarm signal of an element, taken from PRIORITY_SIGNAL: colour and flash period go to
 * CSS variables; styles.css flashes at 50% duty (high ~2 Hz, medium ~0.6 Hz, low steady).
 */
export function signalStyle(priority: AlarmPriority): CSSProperties {
  const { colour, flashHz } = PRIORITY_SIGNAL[priority];
  const vars: Record<string, string> = {
    '--signal': colour,
    '--signal-text': TEXT_ON[priority],
    '--flash-period': flashHz ? `${(1 / flashHz).toFixed(3)}s` : '0s',
  };
  return vars as CSSProperties;
}

export function signalClass(priority: AlarmPriority): string {
  return PRIORITY_SIGNAL[priority].flashHz ? 'signal signal-flash' : 'signal';
}

/** Steady colour chip (lists, labels): priority must be readable without relying on flashing. */
export function chipStyle(priority: AlarmPriority): CSSProperties {
  return { backgroundColor: PRIORITY_SIGNAL[priority].colour, color: TEXT_ON[priority] };
}
