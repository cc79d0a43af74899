import { describe, expect, it } from 'vitest';
import { fieldMessage, otherFieldErrors, parseDecimal, parseUnits, passwordProblem } from './forms';

const fields = [
  { field: 'username', reason: '3-40 letters, digits, dot, dash or underscore' },
  { field: 'units.0', reason: 'Too small' },
  { field: 'units.2', reason: 'Too big' },
  { field: 'unitsExtra', reason: 'x' },
  { field: '(root)', reason: 'unknown field(s): foo' },
];

describe('form field errors', () => {
  it('an input shows the reasons of its own field and the fields under it', () => {
    expect(fieldMessage(fields, 'username')).toBe('3-40 letters, digits, dot, dash or underscore');
    expect(fieldMessage(fields, 'units')).toBe('Too small; Too big');
    expect(fieldMessage(fields, 'password')).toBeNull();
    expect(fieldMessage(undefined, 'username')).toBeNull();
  });

  it('errors no input shows are listed with the form error', () => {
    expect(otherFieldErrors(fields, ['username', 'units']).map((f) => f.field)).toEqual(['unitsExtra', '(root)']);
    expect(otherFieldErrors(undefined, ['x'])).toEqual([]);
  });
});

describe('units input', () => {
  it('splits on commas, trims, drops empty and repeated entries', () => {
    expect(parseUnits(' infusion-suite, icu ,, icu,')).toEqual(['infusion-suite', 'icu']);
    expect(parseUnits('*')).toEqual(['*']);
    expect(parseUnits('  ')).toEqual([]);
  });
});

describe('password rule', () => {
  it('at least 12 characters', () => {
    expect(passwordProblem('x'.repeat(11))).toBe('must be at least 12 characters');
    expect(passwordProblem('x'.repeat(12))).toBeNull();
  });
});

describe('decimal input', () => {
  it('reads plain decimals, with a point or a comma', () => {
    expect(parseDecimal('0.5')).toBe(0.5);
    expect(parseDecimal(' 0,35 ')).toBe(0.35);
    expect(parseDecimal('12')).toBe(12);
    expect(parseDecimal('.5')).toBe(0.5);
  });

  it('refuses anything else; a sign only where allowed', () => {
    for (const t of ['', ' ', 'abc', '1e3', '1.2.3', '0x10', 'Infinity', '-1']) expect(parseDecimal(t), t).toBeNull();
    expect(parseDecimal('-1', true)).toBe(-1);
  });
});
