import { describe, expect, it } from 'vitest';
import { dosingWeight, dosingWeightKg, idealBodyWeightKg } from './dosingWeight';

describe('dosing weight (the site chooses: the guideline names none)', () => {
  // 175 cm = 68.9 in: Devine men 50 + 2.3 x 8.9 = 70.5 kg; women 45.5 + 2.3 x 8.9 = 66.0 kg.
  it('Devine ideal body weight from height and sex', () => {
    expect(idealBodyWeightKg({ weightKg: 110, heightCm: 175, sex: 'male' })).toBeCloseTo(70.47, 1);
    expect(idealBodyWeightKg({ weightKg: 110, heightCm: 175, sex: 'female' })).toBeCloseTo(65.97, 1);
    expect(idealBodyWeightKg({ weightKg: 110, heightCm: 152.4, sex: 'male' })).toBeCloseTo(50, 5);
    expect(idealBodyWeightKg({ weightKg: 110 })).toBeNull();
  });

  it.each<[string, Parameters<typeof dosingWeight>[0], Parameters<typeof dosingWeight>[1], number, string]>([
    ['actual', 'actual', { weightKg: 110, heightCm: 175, sex: 'male' }, 110, 'per kg actual body weight, 110 kg'],
    ['ideal for an obese patient', 'ideal', { weightKg: 110, heightCm: 175, sex: 'male' }, 70.47, 'per kg ideal body weight (Devine), 70.5 kg'],
    ['adjusted = IBW + 0.4 x excess', 'adjusted', { weightKg: 110, heightCm: 175, sex: 'male' }, 86.28, 'per kg adjusted body weight (IBW + 0.4 x excess), 86.3 kg'],
    ['ideal never above actual', 'ideal', { weightKg: 55, heightCm: 175, sex: 'male' }, 55, 'per kg actual body weight, 55 kg (actual weight is below the ideal 70.5 kg)'],
    ['no height: actual, and says so', 'ideal', { weightKg: 110, heightCm: null, sex: 'male' }, 110, 'per kg actual body weight, 110 kg (ideal weight needs height and sex: actual weight used)'],
    ['no sex: actual, and says so', 'adjusted', { weightKg: 110, heightCm: 175 }, 110, 'per kg actual body weight, 110 kg (adjusted weight needs height and sex: actual weight used)'],
  ])('%s', (_name, basis, p, kg, label) => {
    const w = dosingWeight(basis, p);
    expect(w.kg).toBeCloseTo(kg, 1);
    expect(w.label).toBe(label);
    expect(dosingWeightKg(basis, p)).toBe(w.kg);
  });
});
