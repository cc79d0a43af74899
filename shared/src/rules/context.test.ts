import { describe, expect, it } from 'vitest';
import { buildContext, engineContextSchema, engineEventSchema, engineEvents as E } from './context';

describe('engine context', () => {
  it('the default context is valid and patchable', () => {
    expect(engineContextSchema.safeParse(buildContext()).success).toBe(true);
    const c = buildContext({ session: { setting: 'clinic' }, infusion: { status: 'running', rateMgKgH: 1 }, baseline: { sbp: 120 } });
    expect(engineContextSchema.parse(c)).toMatchObject({ session: { setting: 'clinic', weightKg: 70 }, infusion: { status: 'running', rateMgKgH: 1, cumulativeMg: 0 }, baseline: { sbp: 120 } });
  });

  it.each<[string, Parameters<typeof buildContext>[0]]>([
    ['a weight under 2 kg', { session: { weightKg: 1 } }],
    ['an unknown setting', { session: { setting: 'ward' as never } }],
    ['a RASS of -6', { lastObservation: { sedation: { t: 1, scale: 'RASS', score: -6 } } }],
    ['a Ramsay of 0', { lastObservation: { sedation: { t: 1, scale: 'RAMSAY', score: 0 } } }],
    ['a pain score as a sedation score', { lastObservation: { sedation: { t: 1, scale: 'NRS_PAIN' as never, score: 3 } } }],
    ['a baseline SpO2 over 100', { baseline: { spo2: 101 } }],
    ['a negative treatment count', { treatmentsInLast12Months: -1 }],
  ])('refuses %s', (_n, patch) => {
    expect(engineContextSchema.safeParse(buildContext(patch)).success).toBe(false);
  });
});

describe('engine events', () => {
  it('the constructors build valid events', () => {
    for (const ev of [E.vitals(1, { spo2: 97, hr: null }), E.tick(2), E.infusion(3, 'bolus', { doseMg: 20 }), E.observation(4, 'MOAAS', 3)])
      expect(engineEventSchema.safeParse(ev).success, ev.kind).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a SpO2 over 100', E.vitals(1, { spo2: 101 })],
    ['an MOAA/S of 6', E.observation(1, 'MOAAS', 6)],
    ['a fractional RASS', { kind: 'observation', t: 1, obs: { scale: 'RASS', score: -1.5 } }],
    ['an unknown kind', { kind: 'alarm', t: 1 }],
    ['a negative time', { kind: 'tick', t: -1 }],
  ])('refuses %s', (_n, ev) => {
    expect(engineEventSchema.safeParse(ev).success).toBe(false);
  });
});
