import { describe, expect, it } from 'vitest';
import { citationIssues } from '../guideline/asra2018';
import { ADVERSE_EFFECT_TYPES } from './adverseEffects';
import { RESPONSE_CRITERIA } from './response';
import { SERIES_CRITERIA } from './series';

describe('course-of-care citations', () => {
  it('cite each adverse effect where the guideline lists it (Table 4, or Q6 for hemodynamic effects)', () => {
    const issues = Object.values(ADVERSE_EFFECT_TYPES).flatMap((t) => citationIssues(`${t.source} (${t.label})`));
    expect(issues).toEqual([]);
    expect(ADVERSE_EFFECT_TYPES.hypertension_treated.source).not.toMatch(/Table 4/);
    expect(ADVERSE_EFFECT_TYPES.tachycardia_treated.source).toMatch(/Q6/);
  });
  it('cite Q3 and Q8 for the series and the response', () => {
    for (const s of [RESPONSE_CRITERIA.source, RESPONSE_CRITERIA.followUpSource, SERIES_CRITERIA.perYear.source, SERIES_CRITERIA.firstCourse.source, SERIES_CRITERIA.reassess.source]) expect(citationIssues(s)).toEqual([]);
    expect(SERIES_CRITERIA.firstCourse.source).toMatch(/Q3/);
  });
});
