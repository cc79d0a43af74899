import { useState, type FormEvent } from 'react';
import type { FieldError, Formulary } from '@infusion/shared';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { parseDecimal } from '../forms';
import { documentRescue } from './careActions';
import { doseText, rescueOptions } from './rescueOptions';

export const RESCUE_ROUTES = ['IV', 'IM', 'PO', 'SL', 'IN'] as const;
type Route = (typeof RESCUE_ROUTES)[number];

const KNOWN_FIELDS = ['drugId', 'doseMg', 'route', 'note'] as const;

/**
 * Document a rescue dose given. With an alarm, the alarm's rescue classes come first and the dose is
 * linked to it (alarmId); any other formulary drug can be chosen too. The site's dose text is shown,
 * never a made-up one.
 */
export function RescueForm({ sessionId, formulary, classes, alarmId, idSuffix }: { sessionId: string; formulary: Formulary | null; classes: readonly string[]; alarmId?: number; idSuffix: string }) {
  const [drugId, setDrugId] = useState('');
  const [dose, setDose] = useState('');
  const [route, setRoute] = useState<Route>('IV');
  const [note, setNote] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const options = rescueOptions(formulary, classes);
  const chosen = formulary?.entries.find((e) => e.id === drugId) ?? null;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setDone(null);
    const doseMg = parseDecimal(dose);
    const problems: FieldError[] = [];
    if (!drugId) problems.push({ field: 'drugId', reason: 'choose the drug given' });
    if (doseMg === null || doseMg <= 0) problems.push({ field: 'doseMg', reason: 'enter the dose given in mg' });
    if (problems.length) {
      setRefusal({ error: 'Not documented yet:', fields: problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await documentRescue(sessionId, { drugId, doseMg: doseMg!, route, ...(alarmId !== undefined ? { alarmId } : {}), ...(note.trim() ? { note: note.trim() } : {}) });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setDone(`Documented: ${res.data.drug} ${res.data.doseMg} mg ${res.data.route}`);
    setDose('');
    setNote('');
  };

  return (
    <form className="care-form rescue-form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid={`rescue-form-${idSuffix}`}>
      <div className="care-form-title">Document rescue dose</div>
      <label>
        Drug
        <select data-testid={`rescue-drug-${idSuffix}`} value={drugId} onChange={(e) => setDrugId(e.target.value)}>
          <option value="">Choose…</option>
          {options.byClass
            .filter((c) => c.entries.length > 0)
            .map((c) => (
              <optgroup key={c.cls} label={`${c.label} (for this alarm)`}>
                {c.entries.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.drug}
                  </option>
                ))}
              </optgroup>
            ))}
          {options.others.length > 0 && (
            <optgroup label={options.byClass.length > 0 ? 'Other formulary drugs' : 'Formulary'}>
              {options.others.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.drug}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <FieldErrorText fields={refusal?.fields} name="drugId" />
      </label>
      <label>
        Dose (mg)
        <input data-testid={`rescue-dose-${idSuffix}`} inputMode="decimal" autoComplete="off" value={dose} onChange={(e) => setDose(e.target.value)} />
        <FieldErrorText fields={refusal?.fields} name="doseMg" />
      </label>
      <label>
        Route
        <select data-testid={`rescue-route-${idSuffix}`} value={route} onChange={(e) => setRoute(e.target.value as Route)}>
          {RESCUE_ROUTES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note
        <input data-testid={`rescue-note-${idSuffix}`} autoComplete="off" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="primary-button" data-testid={`rescue-submit-${idSuffix}`} disabled={pending}>
        {pending ? 'Documenting…' : 'Document rescue dose'}
      </button>
      {chosen && (
        <div className="hint rescue-chosen">
          Site formulary: {chosen.drug} — {doseText(chosen)}
          {chosen.dose && chosen.doseSource ? ` (${chosen.doseSource})` : ''}
          {chosen.cautions.length > 0 && <span className="caution-text"> · Caution: {chosen.cautions.join('; ')}</span>}
        </div>
      )}
      <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={KNOWN_FIELDS} testId={`rescue-error-${idSuffix}`} />
      {done && (
        <div className="flash" role="status" data-testid={`rescue-done-${idSuffix}`}>
          {done}
        </div>
      )}
    </form>
  );
}
