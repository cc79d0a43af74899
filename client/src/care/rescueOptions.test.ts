import { describe, expect, it } from 'vitest';
import type { FormularyEntry } from '@infusion/shared';
import { NO_DOSE_TEXT, doseText, rescueClassLabel, rescueOptions } from './rescueOptions';

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

  it('keeps a class with no formulary drug (shown as such) and drops repeated classes', () => {
    const o = rescueOptions(formulary, ['beta_blocker', 'beta_blocker']);
    expect(o.byClass).toEqual([{ cls: 'beta_blocker', label: 'Beta-blocker', entries: [] }]);
    expect(o.others).toHaveLength(5);
  });

  it('without classes every entry is an "other" option; without a formulary there are none', () => {
    expect(rescueOptions(formulary, []).others).toHaveLength(5);
    expect(rescueOptions(null, ['benzodiazepine'])).toEqual({ byClass: [{ cls: 'benzodiazepine', label: 'Benzodiazepine', entries: [] }], others: [] });
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
