import { describe, expect, it } from 'vitest';
import { PkModel, terminalHalfLifeMin } from './model';
import { RESCUE_PK } from './rescue-drugs';

/** Half-life seen in the plasma decay between 8 and 12 h after a bolus. */
function observedHalfLifeH(drug: keyof typeof RESCUE_PK): number {
  const m = new PkModel(70, RESCUE_PK[drug]);
  m.bolus(1);
  m.advance(8 * 60);
  const c8 = m.plasmaNgMl;
  m.advance(4 * 60);
  return (4 * Math.LN2) / Math.log(c8 / m.plasmaNgMl);
}

describe('rescue-drug PK (cited parameter sets)', () => {
  it('each set names its source and says whether its ke0 is a teaching default', () => {
    for (const p of Object.values(RESCUE_PK)) {
      expect(p.reference).toMatch(/\d{4}/);
      expect(p.ke0).toBeGreaterThan(0);
      expect(p.ke0Basis.length).toBeGreaterThan(20);
    }
  });

  it('terminal half-lives match their sources: midazolam 1.8-6.4 h, clonidine 12 h, metoprolol 3.5 h, ondansetron about 5 h, fentanyl 3-8 h', () => {
    const midazolam = observedHalfLifeH('midazolam');
    expect(midazolam).toBeCloseTo(terminalHalfLifeMin(RESCUE_PK.midazolam) / 60, 1);
    expect(midazolam).toBeGreaterThan(1.8);
    expect(midazolam).toBeLessThan(6.4);
    expect(observedHalfLifeH('clonidine')).toBeCloseTo(12, 6);
    expect(observedHalfLifeH('metoprolol')).toBeCloseTo(3.5, 6);
    const ondansetron = observedHalfLifeH('ondansetron');
    expect(ondansetron).toBeGreaterThan(4.5);
    expect(ondansetron).toBeLessThan(6);
    // Fentanyl: terminal half-life of the Shafer set 3-8 h (published 3-7 h and longer).
    const fentanyl = observedHalfLifeH('fentanyl');
    expect(fentanyl).toBeCloseTo(terminalHalfLifeMin(RESCUE_PK.fentanyl) / 60, 1);
    expect(fentanyl).toBeGreaterThan(3);
    expect(fentanyl).toBeLessThan(8);
  });

  it('fixed-volume sets do not scale with weight; per-kg sets do', () => {
    const peak = (drug: keyof typeof RESCUE_PK, w: number) => {
      const m = new PkModel(w, RESCUE_PK[drug]);
      m.bolus(2);
      return m.plasmaNgMl;
    };
    expect(peak('midazolam', 50)).toBeCloseTo(peak('midazolam', 120), 9);
    expect(peak('clonidine', 50)).toBeCloseTo((peak('clonidine', 100) * 100) / 50, 6);
  });
});
