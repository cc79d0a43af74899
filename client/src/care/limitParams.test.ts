import { describe, expect, it } from 'vitest';
import { ruleOverrideSchema, ruleSchema, type Rule } from '@infusion/shared';
import { limitParamOptions, paramInputText, paramValueText, parseParamValue, withLimitOverride } from './limitParams';

const source = { document: 'test', section: 'test', institutionalDefault: true };
const common = { title: 'T', priority: 'high' as const, category: 'clinical' as const, forMs: 10_000, latching: true, message: 'm', actions: [], rescue: [], source };

const threshold = ruleSchema.parse({ ...common, id: 'spo2.low', kind: 'threshold', field: 'spo2', op: '<', limit: 88, hysteresis: 2 });
const baseline = ruleSchema.parse({ ...common, id: 'sbp.rise', kind: 'baseline_change', field: 'sbp', direction: 'rise', percent: 20, hysteresis: 5 });
const sedation = ruleSchema.parse({ ...common, id: 'sed', kind: 'sedation', enabled: false, criteria: [{ scale: 'RASS', op: '<=', limit: -3 }] });
const rateGuard = ruleSchema.parse({ ...common, id: 'dose.rate', kind: 'dose_guardrail', check: 'rate', op: '>', limit: 1 });

const keys = (r: Rule) => limitParamOptions(r).map((o) => o.key);

describe('limits editor parameters', () => {
  it('offers only the parameters the rule has, with the values in force', () => {
    expect(keys(threshold)).toEqual(['enabled', 'priority', 'latching', 'forMs', 'limit', 'hysteresis']);
    const limit = limitParamOptions(threshold).find((o) => o.key === 'limit');
    expect(limit).toMatchObject({ kind: 'number', current: 88, unit: '%' });
    expect(limitParamOptions(threshold).find((o) => o.key === 'forMs')).toMatchObject({ kind: 'duration', current: 10_000, unit: 's' });
  });

  it('a rate-of-change rule offers its confirmation time, in seconds, under a plain label', () => {
    const falling = ruleSchema.parse({ ...common, forMs: 0, id: 'spo2.falling', kind: 'rate_of_change', field: 'spo2', direction: 'fall', delta: 4, windowMs: 60_000, hysteresis: 1, confirmMs: 15_000 });
    expect(limitParamOptions(falling).find((o) => o.key === 'confirmMs')).toMatchObject({ label: 'Confirmation time (the change must persist)', kind: 'duration', current: 15_000, unit: 's' });
  });

  it('a baseline rule in percent offers percent, not absolute; it has no limit', () => {
    expect(keys(baseline)).toContain('percent');
    expect(keys(baseline)).not.toContain('absolute');
    expect(keys(baseline)).not.toContain('limit');
  });

  it('enabled is offered for every rule (absent means enabled), with its current value', () => {
    expect(limitParamOptions(threshold)[0]).toMatchObject({ key: 'enabled', kind: 'boolean', current: true });
    expect(limitParamOptions(sedation)[0]).toMatchObject({ key: 'enabled', current: false });
    expect(keys(sedation)).not.toContain('limit');
  });

  it('every offered parameter is one the server accepts for that rule', () => {
    for (const r of [threshold, baseline, sedation, rateGuard]) {
      for (const o of limitParamOptions(r)) {
        expect(ruleOverrideSchema.safeParse({ [o.key]: o.current }).success, `${r.id}.${o.key}`).toBe(true);
        expect(ruleSchema.safeParse({ ...r, [o.key]: o.current }).success, `${r.id}.${o.key}`).toBe(true);
      }
    }
  });

  it('dose guardrail limits carry the dose unit', () => {
    expect(limitParamOptions(rateGuard).find((o) => o.key === 'limit')?.unit).toBe('mg/kg/h');
  });

  it('parses typed values: durations in seconds to ms, booleans, priorities, numbers', () => {
    const [enabled, priority, , forMs, limit] = limitParamOptions(threshold);
    expect(parseParamValue(forMs!, '15')).toEqual({ ok: true, value: 15_000 });
    expect(parseParamValue(forMs!, '2.5')).toEqual({ ok: true, value: 2500 });
    expect(parseParamValue(limit!, '90')).toEqual({ ok: true, value: 90 });
    expect(parseParamValue(limit!, 'x').ok).toBe(false);
    expect(parseParamValue(enabled!, 'false')).toEqual({ ok: true, value: false });
    expect(parseParamValue(enabled!, 'maybe').ok).toBe(false);
    expect(parseParamValue(priority!, 'medium')).toEqual({ ok: true, value: 'medium' });
    expect(parseParamValue(priority!, 'urgent').ok).toBe(false);
    expect(paramInputText(forMs!, 10_000)).toBe('10');
    expect(paramValueText(forMs!, 10_000)).toBe('10 s');
    expect(paramValueText(enabled!, false)).toBe('no');
  });

  it('a new override keeps the ones set before (PUT replaces the whole set)', () => {
    const existing = { 'spo2.low': { limit: 90 }, 'hr.high': { forMs: 5000 } };
    const next = withLimitOverride(existing, 'spo2.low', 'forMs', 20_000);
    expect(next).toEqual({ 'spo2.low': { limit: 90, forMs: 20_000 }, 'hr.high': { forMs: 5000 } });
    expect(existing['spo2.low']).toEqual({ limit: 90 });
    expect(withLimitOverride(undefined, 'sed', 'enabled', false)).toEqual({ sed: { enabled: false } });
  });
});
