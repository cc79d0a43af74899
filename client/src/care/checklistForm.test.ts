import { describe, expect, it } from 'vitest';
import { CONTRAINDICATIONS, checklistInputSchema } from '@infusion/shared';
import { CHECKLIST_FLAGS, checklistFormFrom, emptyChecklistForm, toChecklistInput, unansweredContraindications, type ChecklistFormState } from './checklistForm';

/** Every contraindication answered `absent`, every flag set, rate 0.5. */
function answered(): ChecklistFormState {
  const f = emptyChecklistForm();
  for (const c of CONTRAINDICATIONS) f.contraindications[c.id] = false;
  for (const k of CHECKLIST_FLAGS) f.flags[k.key] = true;
  f.pregnancy = { result: 'negative', reason: '' };
  f.rate = '0.5';
  return f;
}

describe('checklist form', () => {
  it('starts with no answer to any contraindication (no default) and no rate', () => {
    const f = emptyChecklistForm();
    expect(unansweredContraindications(f)).toEqual(CONTRAINDICATIONS.map((c) => c.id));
    expect(Object.values(f.flags).every((v) => v === false)).toBe(true);
    expect(f.rate).toBe('');
  });

  it('an unanswered contraindication blocks the submission, naming the item', () => {
    const f = answered();
    f.contraindications.psychosis = null;
    const r = toChecklistInput(f);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(['contraindications.psychosis']);
  });

  it('pregnancy needs a test result, or "not applicable" with the reason', () => {
    const none = toChecklistInput({ ...answered(), pregnancy: { result: null, reason: '' } });
    expect(!none.ok && none.problems.map((p) => p.field)).toEqual(['pregnancy']);
    const noReason = toChecklistInput({ ...answered(), pregnancy: { result: 'not_applicable', reason: ' ' } });
    expect(!noReason.ok && noReason.problems.map((p) => p.field)).toEqual(['pregnancy.reason']);
    const na = toChecklistInput({ ...answered(), pregnancy: { result: 'not_applicable', reason: 'male patient' } });
    expect(na.ok && na.input.pregnancy).toEqual({ result: 'not_applicable', reason: 'male patient' });
  });

  it('the empty form is refused for every item and the rate', () => {
    const r = toChecklistInput(emptyChecklistForm());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toHaveLength(CONTRAINDICATIONS.length + 2);
  });

  it('a missing, zero, malformed or implausible rate blocks the submission', () => {
    for (const rate of ['', '0', 'abc', '1e3', '21', '-1']) {
      const r = toChecklistInput({ ...answered(), rate });
      expect(r.ok, rate).toBe(false);
      if (!r.ok) expect(r.problems.map((p) => p.field)).toEqual(['orderedRateMgKgH']);
    }
  });

  it('a fully answered form becomes a ChecklistInput the server schema accepts', () => {
    const f = answered();
    f.contraindications.hyperthyroidism = true;
    f.flags.ecgDone = false;
    f.rate = '0,35';
    const r = toChecklistInput(f);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.input.contraindications.hyperthyroidism).toBe(true);
    expect(r.input.contraindications.psychosis).toBe(false);
    expect(r.input.pregnancy).toEqual({ result: 'negative' });
    expect(r.input.ecgDone).toBe(false);
    expect(r.input.consentObtained).toBe(true);
    expect(r.input.orderedRateMgKgH).toBe(0.35);
    expect(checklistInputSchema.safeParse(r.input).success).toBe(true);
  });

  it('an earlier submission fills the form in again, answered', () => {
    const first = toChecklistInput(answered());
    if (!first.ok) throw new Error('fixture not valid');
    const again = checklistFormFrom({ ...first.input, contraindications: { ...first.input.contraindications, full_stomach: true } });
    expect(unansweredContraindications(again)).toEqual([]);
    expect(again.contraindications.full_stomach).toBe(true);
    expect(again.rate).toBe('0.5');
    expect(toChecklistInput(again).ok).toBe(true);
  });
});
