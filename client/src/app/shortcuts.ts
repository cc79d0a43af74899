import type { Alarm, Session } from '@infusion/shared';
import { shownAlarms } from '../stores/selectors';

export type ShortcutAction = 'ackTop' | 'next' | 'previous' | 'open' | 'pauseAudio' | 'overview' | 'help';

/** The keys, as the help overlay lists them. Single keys without modifiers, so gloved hands and a wall keyboard work. */
export const SHORTCUTS: readonly { keys: string[]; action: ShortcutAction; text: string }[] = [
  { keys: ['a'], action: 'ackTop', text: 'Acknowledge the highest unacknowledged alarm (of this session on a session page)' },
  { keys: ['j', 'ArrowDown'], action: 'next', text: 'Next session' },
  { keys: ['k', 'ArrowUp'], action: 'previous', text: 'Previous session' },
  { keys: ['o', 'Enter'], action: 'open', text: 'Open the selected session' },
  { keys: ['p'], action: 'pauseAudio', text: 'Pause the alarm sound of this (or the selected) session for the disclosed time' },
  { keys: ['Escape'], action: 'overview', text: 'Close this help, or back to the overview' },
  { keys: ['?'], action: 'help', text: 'Show or hide these shortcuts' },
];

/** Where a key is text for a form, it is never a shortcut. */
export function isTypingTarget(el: EventTarget | null): boolean {
  if (!el || typeof (el as HTMLElement).tagName !== 'string') return false;
  const e = el as HTMLElement;
  const tag = e.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || e.isContentEditable;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
}

/** The action of a key press, or null (modifiers, typing in a form field, or an unbound key). */
export function shortcutAction(e: KeyLike): ShortcutAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return null;
  // Enter on a link or button already does what it says; only Enter elsewhere opens the selection.
  if (e.key === 'Enter' && e.target && ['a', 'button'].includes((e.target as HTMLElement).tagName?.toLowerCase())) return null;
  return SHORTCUTS.find((s) => s.keys.includes(e.key))?.action ?? null;
}

/** The alarm `a` acknowledges: the highest-priority, then newest, still unacknowledged one. */
export function topUnacknowledged(alarms: Record<number, Alarm>, sessionId?: string): Alarm | null {
  return shownAlarms(alarms, sessionId).find((a) => a.state === 'active') ?? null;
}

/** The session after (step 1) or before (step -1) `current` in screen order, wrapping; the first when none is selected. */
export function neighbour(order: readonly Pick<Session, 'id'>[], current: string | null, step: 1 | -1): string | null {
  if (order.length === 0) return null;
  const i = current === null ? -1 : order.findIndex((s) => s.id === current);
  if (i < 0) return (step === 1 ? order[0] : order[order.length - 1])!.id;
  return order[(i + step + order.length) % order.length]!.id;
}
