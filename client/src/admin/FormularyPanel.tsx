import { useState } from 'react';
import type { FieldError, Formulary } from '@infusion/shared';
import { api } from '../auth/authActions';
import { FormError } from '../components/FormErrors';
import { NO_DOSE_TEXT, rescueClassLabel } from '../care/rescueOptions';
import { editOf, entriesWithEdits, hasEdits, type DoseEdit } from './formularyEdit';
import { useApiData } from './useApiData';
import { shownText } from '../clinicianWords';

/**
 * The site formulary (rescue drugs of guideline Q7): an admin fills in dose text and its source per
 * drug; each save is a new version. A drug without a dose is shown as "no dose in the site formulary".
 */
export function FormularyPanel() {
  const { data, error, loading, reload } = useApiData<Formulary>('/api/formulary');
  const [edits, setEdits] = useState<Record<string, DoseEdit>>({});
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const entries = data?.entries ?? [];
  const editFor = (id: string) => edits[id] ?? editOf(entries.find((e) => e.id === id) ?? { dose: null, doseSource: null });
  const change = (id: string, patch: Partial<DoseEdit>) => setEdits((m) => ({ ...m, [id]: { ...editFor(id), ...patch } }));

  const save = async () => {
    if (pending || !data) return;
    setMessage(null);
    const next = entriesWithEdits(data.entries, edits);
    if (!next.ok) {
      setRefusal({ error: 'Not saved:', fields: next.problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await api<Formulary>('PUT', '/api/formulary', { entries: next.entries });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setEdits({});
    setMessage(`Saved as formulary version ${res.data.version}.`);
    reload();
  };

  return (
    <section className="admin-section" id="admin-formulary" data-testid="formulary-editor">
      <h2>Site formulary {data && <span className="hint" data-testid="formulary-version">version {data.version}</span>}</h2>
      <p className="hint">Rescue drugs by guideline class (ASRA/AAPM/ASA 2018 Q7). The guideline gives no doses: enter a dose only with its source. A blank dose is shown as “{NO_DOSE_TEXT}”.</p>
      {error && (
        <p className="form-error" role="alert">
          Could not load the formulary: {error}
        </p>
      )}
      {message && (
        <p className="flash" role="status" data-testid="formulary-message">
          {message}
        </p>
      )}
      {loading && !data ? (
        <p className="empty">Loading…</p>
      ) : (
        <table className="admin-table formulary-table">
          <thead>
            <tr>
              <th>Drug</th>
              <th>Class</th>
              <th>Indications / cautions</th>
              <th>Dose (site text)</th>
              <th>Dose source</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => {
              const edit = editFor(e.id);
              return (
                <tr key={e.id} data-testid={`formulary-row-${e.id}`}>
                  <td>
                    {shownText(e.drug)}
                    <div className="hint">{shownText(e.source)}</div>
                  </td>
                  <td>{rescueClassLabel(e.class)}</td>
                  <td>
                    {e.indications.join(', ')}
                    {e.cautions.length > 0 && <div className="caution-text">Caution: {e.cautions.join('; ')}</div>}
                  </td>
                  <td>
                    <input data-testid={`formulary-dose-${e.id}`} autoComplete="off" placeholder={NO_DOSE_TEXT} value={edit.dose} onChange={(ev) => change(e.id, { dose: ev.target.value })} />
                  </td>
                  <td>
                    <input data-testid={`formulary-dose-source-${e.id}`} autoComplete="off" placeholder="publication or site protocol" value={edit.doseSource} onChange={(ev) => change(e.id, { doseSource: ev.target.value })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={[]} testId="formulary-error" />
      <div className="form-buttons">
        <button type="button" className="primary-button" data-testid="formulary-save" disabled={pending || !data || !hasEdits(entries, edits)} onClick={() => void save()}>
          {pending ? 'Saving…' : 'Save as new version'}
        </button>
        {hasEdits(entries, edits) && (
          <button type="button" className="header-button" onClick={() => setEdits({})}>
            Discard changes
          </button>
        )}
      </div>
    </section>
  );
}
