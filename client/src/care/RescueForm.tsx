import { useRef, useState, type FormEvent } from 'react';
import { checkRescue, type FieldError, type Formulary, type RescueDoseInput, type RuleSet } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { useAuth } from '../auth/useAuth';
import { FieldErrorText } from '../components/FormErrors';
import { parseDecimal } from '../forms';
import { useMonitor } from '../stores/useMonitor';
import { documentRescue } from './careActions';
import { DoseDialog, type DoseDialogSpec } from './DoseDialog';
import { markOf, mayConfirm, readDoseRefusal, type DoseRefusalView } from './doseLimits';
import { DoseLimitsList, DoseRefusal } from './DoseLimitsView';
import { doseText, rescueOptions } from './rescueOptions';
import { shownText } from '../clinicianWords';

export const RESCUE_ROUTES = ['IV', 'IM', 'PO', 'SL', 'IN'] as const;
type Route = (typeof RESCUE_ROUTES)[number];


/**
 * Document a rescue dose given. With an alarm, the alarm's rescue classes come first and the dose is
 * linked to it (alarmId); any other formulary drug can be chosen too. The site's dose text is shown,
 * never a made-up one. The dose is checked as it is typed against the formulary's dose (the shared
 * check the server runs): above it a soft limit confirmed with a reason, at the rule set's multiple
 * of it refused; with no site dose on file it is documented with that note.
 */
export function RescueForm({ sessionId, formulary, classes, alarmId, idSuffix }: { sessionId: string; formulary: Formulary | null; classes: readonly string[]; alarmId?: number; idSuffix: string }) {
  const [drugId, setDrugId] = useState('');
  const [dose, setDose] = useState('');
  const [route, setRoute] = useState<Route>('IV');
  const [note, setNote] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<DoseRefusalView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ input: RescueDoseInput; spec: DoseDialogSpec } | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  /** The control that opened the dialog: focus goes back there (it may be disabled while the dose is sent). */
  const opener = useRef<HTMLElement | null>(null);
  const role = useAuth((s) => s.user?.role);
  const session = useMonitor((s) => s.sessions[sessionId]);
  const { data: ruleSet } = useApiData<RuleSet>(session ? `/api/rulesets/versions/${session.ruleSetVersion}` : '/api/rulesets/current');
  const options = rescueOptions(formulary, classes);
  const chosen = formulary?.entries.find((e) => e.id === drugId) ?? null;
  const typed = parseDecimal(dose);
  const preview = chosen && session ? checkRescue(chosen, typed !== null && typed > 0 ? typed : 0, session.dosingWeight.kg, ruleSet?.doseSafety?.rescue) : null;
  const mark = typed !== null && typed > 0 ? markOf(preview) : 'ok';

  const send = async (input: RescueDoseInput, reason: string | null) => {
    setPending(true);
    const res = await documentRescue(sessionId, reason ? { ...input, confirm: { reason } } : input);
    setPending(false);
    if (res.ok) {
      setDialog(null);
      setRefusal(null);
      setDone(`Documented: ${shownText(res.data.drug)} ${res.data.doseMg} mg ${res.data.route}${res.data.override ? ` — override recorded: ${res.data.override.reason}` : ''}${res.data.doseNote ? ` (${res.data.doseNote})` : ''}`);
      setDose('');
      setNote('');
      return;
    }
    const answer = readDoseRefusal(res, reason !== null, dialog !== null);
    if (answer.kind === 'confirm') {
      setRefusal(null);
      setDialogError(null);
      setDialog({
        input,
        spec: {
          title: 'Soft limit: confirm with a reason',
          summary: `Document ${chosen ? shownText(chosen.drug) : input.drugId} ${input.doseMg} mg ${input.route ?? ''} given`,
          crossings: answer.check.crossings,
          confirmLabel: 'Confirm and document',
          physicianMustConfirm: answer.check.confirmRole === 'physician',
          mayConfirm: mayConfirm(role, session?.simulated ?? false, answer.check),
        },
      });
    } else if (answer.kind === 'dialog_error') {
      setDialogError(answer.text);
    } else {
      setDialog(null);
      setRefusal(answer.refusal);
    }
  };

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setDone(null);
    const doseMg = parseDecimal(dose);
    const problems: FieldError[] = [];
    if (!drugId) problems.push({ field: 'drugId', reason: 'choose the drug given' });
    if (doseMg === null || doseMg <= 0) problems.push({ field: 'doseMg', reason: 'enter the dose given in mg' });
    if (problems.length) {
      setRefusal({ error: 'Not documented yet:', fields: problems, check: null });
      return;
    }
    setRefusal(null);
    await send({ drugId, doseMg: doseMg!, route, ...(alarmId !== undefined ? { alarmId } : {}), ...(note.trim() ? { note: note.trim() } : {}) }, null);
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
                    {shownText(d.drug)}
                  </option>
                ))}
              </optgroup>
            ))}
          {options.others.length > 0 && (
            <optgroup label={options.byClass.length > 0 ? 'Other formulary drugs' : 'Formulary'}>
              {options.others.map((d) => (
                <option key={d.id} value={d.id}>
                  {shownText(d.drug)}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        <FieldErrorText fields={refusal?.fields} name="drugId" />
      </label>
      <label>
        Dose (mg)
        <input
          data-testid={`rescue-dose-${idSuffix}`}
          className={`limit-input mark-${mark}`}
          data-mark={mark}
          aria-invalid={mark !== 'ok' ? true : undefined}
          inputMode="decimal"
          autoComplete="off"
          value={dose}
          onChange={(e) => setDose(e.target.value)}
        />
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
          Site formulary: {shownText(chosen.drug)} — {doseText(chosen)}
          {chosen.dose && chosen.doseSource ? ` (${chosen.doseSource})` : ''}
          {chosen.cautions.length > 0 && <span className="caution-text"> · Caution: {chosen.cautions.join('; ')}</span>}
        </div>
      )}
      {preview &&
        (preview.formularyDoseMg === null ? (
          <p className="hint dose-limits no-site-dose" data-testid={`rescue-limits-${idSuffix}`} data-mark="ok">
            {preview.note}: no dose limit is checked and none is invented; the dose is documented with this note.
          </p>
        ) : (
          <DoseLimitsList check={typed !== null && typed > 0 ? preview : { ...preview, crossings: [], outcome: 'ok' }} testId={`rescue-limits-${idSuffix}`} />
        ))}
      {refusal && (refusal.check || !refusal.fields?.every((f) => f.field === 'drugId' || f.field === 'doseMg')) && (
        <DoseRefusal error={refusal.error} fields={refusal.fields} check={refusal.check} testId={`rescue-error-${idSuffix}`} />
      )}
      {done && (
        <div className="flash" role="status" data-testid={`rescue-done-${idSuffix}`}>
          {done}
        </div>
      )}
      {dialog && (
        <DoseDialog
          spec={dialog.spec}
          pending={pending}
          error={dialogError}
          returnFocusTo={opener.current}
          onConfirm={(reason) => void send(dialog.input, reason)}
          onCancel={() => {
            setDialog(null);
            setDialogError(null);
          }}
        />
      )}
    </form>
  );
}
