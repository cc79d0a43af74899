import { describe, expect, it } from 'vitest';
import { defaultFormulary } from '@infusion/shared';
import { editOf, entriesWithEdits, hasEdits } from './formularyEdit';

const entries = defaultFormulary.entries;
const lorazepam = entries.find((e) => e.id === 'lorazepam')!;
const midazolam = entries.find((e) => e.id === 'midazolam')!;

describe('formulary edits', () => {
  it('applies dose text and source, trimmed; blank means no dose', () => {
    const r = entriesWithEdits(entries, { lorazepam: { dose: ' 1 mg IV ', doseSource: ' Site protocol 2026 ' }, midazolam: { dose: '', doseSource: '' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.entries.find((e) => e.id === 'lorazepam')).toMatchObject({ dose: '1 mg IV', doseSource: 'Site protocol 2026' });
    expect(r.entries.find((e) => e.id === 'midazolam')).toMatchObject({ dose: null, doseSource: null });
    expect(r.entries).toHaveLength(entries.length);
  });

  it('refuses a dose without its source, and a source without a dose', () => {
    const r = entriesWithEdits(entries, { lorazepam: { dose: '1 mg IV', doseSource: '' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.field).toBe(`entries.${entries.indexOf(lorazepam)}.doseSource`);
    expect(entriesWithEdits(entries, { lorazepam: { dose: '', doseSource: 'x' } }).ok).toBe(false);
  });

  it('knows whether anything changed', () => {
    expect(hasEdits(entries, {})).toBe(false);
    expect(hasEdits(entries, { midazolam: editOf(midazolam) })).toBe(false);
    expect(hasEdits(entries, { midazolam: { ...editOf(midazolam), dose: '0.05 mg/kg IV' } })).toBe(true);
  });
});
