import type { FieldError, FormularyEntry } from '@infusion/shared';

/** What an admin edits per formulary entry: the dose text as the site writes it, and where it comes from. */
export interface DoseEdit {
  dose: string;
  doseSource: string;
}

export const editOf = (e: Pick<FormularyEntry, 'dose' | 'doseSource'>): DoseEdit => ({ dose: e.dose ?? '', doseSource: e.doseSource ?? '' });

const orNull = (s: string | undefined) => {
  const t = (s ?? '').trim();
  return t ? t : null;
};

/**
 * The entries with the edits applied (blank = no dose), ready for PUT /api/formulary. A dose must
 * name its source, so a clinician can check it; a source without a dose is refused as well.
 */
export function entriesWithEdits(entries: readonly FormularyEntry[], edits: Record<string, DoseEdit>): { ok: true; entries: FormularyEntry[] } | { ok: false; problems: FieldError[] } {
  const problems: FieldError[] = [];
  const out = entries.map((e, i) => {
    const edit = edits[e.id] ?? editOf(e);
    const dose = orNull(edit.dose);
    const doseSource = orNull(edit.doseSource);
    if (dose && !doseSource) problems.push({ field: `entries.${i}.doseSource`, reason: `${e.drug}: a dose needs its source` });
    if (!dose && doseSource) problems.push({ field: `entries.${i}.dose`, reason: `${e.drug}: a source without a dose` });
    return { ...e, dose, doseSource };
  });
  return problems.length ? { ok: false, problems } : { ok: true, entries: out };
}

/** Whether any entry differs from what is stored. */
export function hasEdits(entries: readonly FormularyEntry[], edits: Record<string, DoseEdit>): boolean {
  return entries.some((e) => {
    const edit = edits[e.id];
    return !!edit && (orNull(edit.dose) !== e.dose || orNull(edit.doseSource) !== e.doseSource);
  });
}
