import { describe, expect, it } from 'vitest';
import { RESCUE_CLASSES, RESCUE_CLASS_GUIDANCE, defaultFormulary, orderRescueClasses } from './formulary';

describe('rescue classes and the shipped formulary (psychomimetic effects: Q2 before Q7)', () => {
  it('list benzodiazepines and clonidine before haloperidol', () => {
    expect(RESCUE_CLASSES.slice(0, 3)).toEqual(['benzodiazepine', 'alpha2_agonist', 'haloperidol']);
    const ids = defaultFormulary.entries.map((e) => e.id);
    expect(ids.indexOf('clonidine')).toBeLessThan(ids.indexOf('haloperidol'));
    expect(ids.indexOf('midazolam')).toBeLessThan(ids.indexOf('haloperidol'));
    expect(defaultFormulary.entries.find((e) => e.id === 'haloperidol')?.cautions).toEqual([expect.stringMatching(/treatment of choice is not antipsychotics \(ASRA\/AAPM\/ASA 2018 Q2\)/)]);
  });

  it('cite what the guideline says each class is for', () => {
    for (const c of RESCUE_CLASSES) expect(RESCUE_CLASS_GUIDANCE[c].source, c).toMatch(/^ASRA\/AAPM\/ASA 2018 Q[1-8]/);
    expect(RESCUE_CLASS_GUIDANCE.haloperidol.source).toBe('ASRA/AAPM/ASA 2018 Q7; Q2');
  });

  it('order an alarm\'s classes with haloperidol after the first-line ones, keeping the rest as given', () => {
    expect(orderRescueClasses(['benzodiazepine', 'haloperidol', 'alpha2_agonist'])).toEqual(['benzodiazepine', 'alpha2_agonist', 'haloperidol']);
    expect(orderRescueClasses(['haloperidol', 'beta_blocker', 'benzodiazepine'])).toEqual(['beta_blocker', 'benzodiazepine', 'haloperidol']);
    expect(orderRescueClasses(['beta_blocker', 'haloperidol', 'beta_blocker'])).toEqual(['beta_blocker', 'haloperidol']);
  });
});
