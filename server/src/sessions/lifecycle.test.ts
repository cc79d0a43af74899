import { describe, expect, it } from 'vitest';
import type { StoredSession } from '../persistence/sessionRepo';
import { SessionLifecycle } from './lifecycle';
import type { LiveSession } from './sessionService';

const ruleSets = { get: () => ({ dosingWeight: undefined }) } as unknown as ConstructorParameters<typeof SessionLifecycle>[0];
const session = { id: 's1', ruleSetVersion: 1 } as StoredSession;

describe('session lifecycle', () => {
  it('refuses a start or a dose until the checklist and the dose check are attached, instead of letting them through', () => {
    const lc = new SessionLifecycle(ruleSets);
    expect(() => lc.startBlockers('s1')).toThrow(/before the app was assembled/);
    expect(() => lc.doseGate({ stored: session } as LiveSession, { type: 'start', rateMgKgH: 0.5 } as never, 0, { id: 'user:n' })).toThrow(/before the app was assembled/);
    expect(lc.describeLimits(session)).toEqual([]);
  });

  it('routes each step to the attached modules, once', () => {
    const lc = new SessionLifecycle(ruleSets);
    const forgotten: string[] = [];
    const parts = {
      limitChanges: () => ['SpO2 low: limit 88 → 90'],
      startBlockers: () => ['checklist not passed'],
      doseGate: () => ({ override: null, stored: () => Promise.resolve() }),
      forget: (id: string) => void forgotten.push(id),
    };
    lc.attach(parts);
    expect(lc.startBlockers('s1')).toEqual(['checklist not passed']);
    expect(lc.describeLimits(session)).toEqual(['SpO2 low: limit 88 → 90']);
    lc.ended('s1');
    expect(forgotten).toEqual(['s1']);
    expect(() => lc.attach(parts)).toThrow(/already attached/);
  });
});
