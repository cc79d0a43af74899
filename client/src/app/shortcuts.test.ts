import { describe, expect, it } from 'vitest';
import { alarm } from '../testFixtures';
import { neighbour, shortcutAction, topUnacknowledged } from './shortcuts';

const key = (k: string, target: unknown = null, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
  shortcutAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, ...mods, target: target as EventTarget | null });

describe('keyboard shortcuts', () => {
  it('maps keys to actions, never while typing in a form field or with a modifier', () => {
    expect(key('a')).toBe('ackTop');
    expect(key('?')).toBe('help');
    expect(key('j')).toBe('next');
    expect(key('p')).toBe('pauseAudio');
    expect(key('x')).toBeNull();
    for (const tagName of ['INPUT', 'TEXTAREA', 'SELECT']) expect(key('a', { tagName, isContentEditable: false })).toBeNull();
    expect(key('a', { tagName: 'DIV', isContentEditable: true })).toBeNull();
    expect(key('a', null, { ctrlKey: true })).toBeNull();
    // Enter on a link follows the link itself.
    expect(key('Enter', { tagName: 'A', isContentEditable: false })).toBeNull();
    expect(key('Enter', { tagName: 'DIV', isContentEditable: false })).toBe('open');
  });

  it('acknowledges the highest-priority unacknowledged alarm first, of the session when one is given', () => {
    const alarms = {
      1: alarm({ id: 1, sessionId: 's1', priority: 'medium', state: 'active', startedAt: 3 }),
      2: alarm({ id: 2, sessionId: 's2', priority: 'high', state: 'acknowledged', startedAt: 2 }),
      3: alarm({ id: 3, sessionId: 's2', priority: 'high', state: 'active', startedAt: 1 }),
      4: alarm({ id: 4, sessionId: 's1', priority: 'low', state: 'active', startedAt: 4 }),
    };
    expect(topUnacknowledged(alarms)?.id).toBe(3);
    expect(topUnacknowledged(alarms, 's1')?.id).toBe(1);
    expect(topUnacknowledged(alarms, 's3')).toBeNull();
  });

  it('moves between sessions in screen order, wrapping', () => {
    const order = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(neighbour(order, null, 1)).toBe('a');
    expect(neighbour(order, null, -1)).toBe('c');
    expect(neighbour(order, 'c', 1)).toBe('a');
    expect(neighbour(order, 'a', -1)).toBe('c');
    expect(neighbour([], null, 1)).toBeNull();
  });
});
