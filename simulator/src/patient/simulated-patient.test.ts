import { describe, expect, it } from 'vitest';
import { SCENARIOS, type Scenario } from '../scenarios';
import { SimulatedPatient } from './simulated-patient';

const plan: Scenario = {
  ...SCENARIOS.stable,
  name: 'plan',
  infusion: [
    { atMin: 0, type: 'start', rateMgKgH: 1 },
    { atMin: 5, type: 'bolus', doseMgKg: 0.2, note: 'ordered' },
    { atMin: 10, type: 'pause' },
    { atMin: 12, type: 'rate_change', rateMgKgH: 0.5 },
    { atMin: 15, type: 'resume' },
    { atMin: 20, type: 'stop' },
  ],
};

describe('SimulatedPatient', () => {
  it('emits the plan as REST infusion events at their scenario minutes, doses in mg', () => {
    const p = new SimulatedPatient({ scenario: plan, weightKg: 73, seed: 1 });
    expect(p.advanceTo(0).infusionEvents).toEqual([{ type: 'start', rateMgKgH: 1 }]);
    expect(p.advanceTo(4.99).infusionEvents).toEqual([]);
    expect(p.advanceTo(5).infusionEvents).toEqual([{ type: 'bolus', doseMg: 14.6, note: 'ordered' }]);
    expect(p.infusionStatus).toBe('running');
    expect(p.advanceTo(16).infusionEvents.map((e) => e.type)).toEqual(['pause', 'rate_change', 'resume']);
    expect(p.pk.rateMgKgH).toBe(0.5);
    expect(p.advanceTo(30).infusionEvents).toEqual([{ type: 'stop' }]);
    expect(p.infusionStatus).toBe('stopped');
    expect(p.advanceTo(40).infusionEvents).toEqual([]);
  });

  it('doses the PK model exactly at the plan minutes, whatever the step size', () => {
    const fine = new SimulatedPatient({ scenario: plan, weightKg: 73, seed: 1 });
    const coarse = new SimulatedPatient({ scenario: plan, weightKg: 73, seed: 1 });
    for (let s = 0; s <= 25 * 60; s++) fine.advanceTo(s / 60);
    for (let m = 0; m <= 25; m += 7) coarse.advanceTo(m);
    coarse.advanceTo(25);
    expect(coarse.pk.plasmaNgMl).toBeCloseTo(fine.pk.plasmaNgMl, 6);
    // 1 mg/kg/h for 10 min + bolus + 0.5 mg/kg/h from 15 to 20 min: nothing while paused.
    const expected = 73 * (1 * (10 / 60) + 0.5 * (5 / 60)) + 14.6;
    expect(fine.pk.dosedMg).toBeCloseTo(expected, 9);
  });

  it('drives the vitals from the drug: heart rate up during the infusion', () => {
    const p = new SimulatedPatient({ scenario: SCENARIOS.stable, weightKg: 70, seed: 4, noiseScale: 0 });
    const before = p.advanceTo(0).vitals;
    const during = p.advanceTo(30).vitals;
    expect(during.hr).toBeGreaterThan(before.hr);
    expect(during.sbp).toBeGreaterThan(before.sbp);
    const sample = p.advanceTo(31);
    expect(sample.effectNgMl).toBeGreaterThan(100);
    expect(sample.plasmaNgMl).toBeGreaterThan(100);
  });
});
