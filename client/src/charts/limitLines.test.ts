import { describe, expect, it } from 'vitest';
import { defaultRuleSet } from '@infusion/shared';
import { endedLimitLines } from './limitLines';

const spo2 = (lines: ReturnType<typeof endedLimitLines>) => lines.filter((l) => l.field === 'spo2').map((l) => [l.value, l.changed]);

describe('limit lines of an ended session', () => {
  it('are the rule set version as configured for it: profile and the physician change, marked changed', () => {
    const overrides = { overrides: { 'spo2.low.medium': { limit: 93 } }, reason: 'COPD, alert earlier', by: 'user:physician', at: 0 };
    expect(spo2(endedLimitLines(defaultRuleSet, { profile: 'standard', limitOverrides: overrides }))).toEqual([
      [88, false],
      [93, true],
    ]);
    expect(spo2(endedLimitLines(defaultRuleSet, { profile: 'standard', limitOverrides: null }))).toEqual([
      [88, false],
      [92, false],
    ]);
  });

  it('leave out overrides that no longer fit the rule set, as the server ran without them, and draw nothing without it', () => {
    const unknownRule = { overrides: { 'no.such.rule': { limit: 93 } }, reason: 'edited since', by: 'user:physician', at: 0 };
    expect(spo2(endedLimitLines(defaultRuleSet, { profile: 'standard', limitOverrides: unknownRule }))).toEqual([
      [88, false],
      [92, false],
    ]);
    expect(endedLimitLines(null, { profile: 'standard', limitOverrides: null })).toEqual([]);
  });
});
