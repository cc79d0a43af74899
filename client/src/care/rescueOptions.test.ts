import { describe, expect, it } from 'vitest';
import type { FormularyEntry } from '@infusion/shared';
import { NO_DOSE_TEXT, doseText, rescueClassGuidance, rescueClassLabel, rescueOptions } from './rescueOptions';

const entry = (id: string, cls: FormularyEntry['class'], dose: string | null = null): FormularyEntry => ({
  id,
  drug: id[0]!.toUpperCase() + id.slice(1),
  class: cls,
  indications: [],
  dose,
  doseSource: dose ? 'Some et al. 2019' : null,
  cautions: [],
  source: 'ASRA/AAPM/ASA 2018, Q7',
});

const formulary = {
  entries: [entry('midazolam', 'benzodiazepine', '0.03-0.05 mg/kg IV'), entry('lorazepam', 'benzodiazepine'), entry('clonidine', 'alpha2_agonist'), entry('haloperidol', 'haloperidol', '5 mg IV'), entry('ondansetron', 'antiemetic')],
};

describe('rescue options by class', () => {
  it('joins each of the alarm classes with its formulary drugs, in the alarm order', () => {
    const o = rescueOptions(formulary, ['alpha2_agonist', 'benzodiazepine']);
    expect(o.byClass.map((c) => [c.cls, c.entries.map((e) => e.id)])).toEqual([
      ['alpha2_agonist', ['clonidine']],
      ['benzodiazepine', ['midazolam', 'lorazepam']],
    ]);
    expect(o.others.map((e) => e.id)).toEqual(['haloperidol', 'ondansetron']);
  });

  it('offers haloperidol after a benzodiazepine and clonidine, each class with what the guideline says it is for (an alarm stored under an older rule set too)', () => {
    const o = rescueOptions(formulary, ['benzodiazepine', 'haloperidol', 'alpha2_agonist']);
    expect(o.byClass.map((c) => c.cls)).toEqual(['benzodiazepine', 'alpha2_agonist', 'haloperidol']);
    expect(o.byClass.map((c) => c.guidance)).toEqual([
      expect.stringMatching(/^treatment of choice \(low dose\) for hallucinations and dissociative effects.*\(ASRA\/AAPM\/ASA 2018 Q2, Q7\)$/),
      expect.stringMatching(/^clonidine: treatment of choice for hallucinations.*\(ASRA\/AAPM\/ASA 2018 Q2, Q7\)$/),
      expect.stringMatching(/psychomimetic symptoms and emergence reactions.*"not antipsychotics" \(ASRA\/AAPM\/ASA 2018 Q7; Q2\)$/),
    ]);
    expect(rescueOptions(formulary, ['haloperidol', 'beta_blocker']).byClass.map((c) => c.cls)).toEqual(['haloperidol', 'beta_blocker']);
    expect(rescueClassGuidance('new_class')).toBe('');
  });

  it('keeps a class with no formulary drug (shown as such) and drops repeated classes', () => {
    const o = rescueOptions(formulary, ['beta_blocker', 'beta_blocker']);
    expect(o.byClass).toEqual([{ cls: 'beta_blocker', label: 'Beta-blocker', guidance: 'tachycardia, hypertension (ASRA/AAPM/ASA 2018 Q6)', entries: [] }]);
    expect(o.others).toHaveLength(5);
  });

  it('without classes every entry is an "other" option; without a formulary there are none', () => {
    expect(rescueOptions(formulary, []).others).toHaveLength(5);
    expect(rescueOptions(null, ['benzodiazepine'])).toEqual({ byClass: [{ cls: 'benzodiazepine', label: 'Benzodiazepine', guidance: expect.stringMatching(/^treatment of choice/), entries: [] }], others: [] });
  });

  it('never invents a dose: no dose text says so', () => {
    expect(doseText(formulary.entries[0]!)).toBe('0.03-0.05 mg/kg IV');
    expect(doseText(formulary.entries[1]!)).toBe(NO_DOSE_TEXT);
    expect(doseText({ dose: '  ' })).toBe(NO_DOSE_TEXT);
    expect(NO_DOSE_TEXT).toBe('no dose in the site formulary');
  });

  it('labels known classes and shows unknown ones as they are', () => {
    expect(rescueClassLabel('alpha2_agonist')).toBe('Alpha-2 agonist');
    expect(rescueClassLabel('new_class')).toBe('new_class');
  });
});
