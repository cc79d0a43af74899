import { useState, type FormEvent } from 'react';
import { CONTRAINDICATIONS, type ChecklistRecord, type FieldError } from '@infusion/shared';
import { useCan } from '../auth/useCan';
import { FormError } from '../components/FormErrors';
import { fieldMessage } from '../forms';
import { formatClock } from '../format';
import { overrideChecklist, submitChecklist } from './careActions';
import { CHECKLIST_FLAGS, checklistFormFrom, emptyChecklistForm, toChecklistInput, type Answer, type ChecklistFormState } from './checklistForm';
import { shownPerson, shownText } from '../clinicianWords';

const FORM_FIELDS = ['contraindications', 'pregnancy', 'orderedRateMgKgH', ...CHECKLIST_FLAGS.map((f) => f.key)] as const;

function ContraindicationRow({ id, label, blocking, source, answer, onAnswer, problem }: { id: string; label: string; blocking: boolean; source: string; answer: Answer; onAnswer: (a: boolean) => void; problem: string | null }) {
  return (
    <tr className={problem ? 'ci-row ci-unanswered' : 'ci-row'} data-testid={`ci-${id}`}>
      <td>
        <div>
          {label}
          {!blocking && <span className="caution-marker">PRECAUTION</span>}
        </div>
        <div className="hint">{source}</div>
        {problem && <div className="field-error">{problem}</div>}
      </td>
      <td className="ci-answer">
        <label className="radio">
          <input type="radio" name={`ci-${id}`} data-testid={`ci-${id}-no`} checked={answer === false} onChange={() => onAnswer(false)} />
          Absent
        </label>
        <label className="radio">
          <input type="radio" name={`ci-${id}`} data-testid={`ci-${id}-yes`} checked={answer === true} onChange={() => onAnswer(true)} />
          Present
        </label>
      </td>
    </tr>
  );
}

function ChecklistForm({ sessionId, initial }: { sessionId: string; initial: ChecklistFormState }) {
  const [form, setForm] = useState(initial);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const check = toChecklistInput(form);
    if (!check.ok) {
      const unanswered = check.problems.filter((p) => p.field.startsWith('contraindications.')).length;
      const preg = check.problems.some((p) => p.field.startsWith('pregnancy'));
      setRefusal({ error: unanswered ? `${unanswered} item(s) not answered: every contraindication must be answered present or absent.` : preg ? 'Pregnancy not answered: record the test result, or not applicable with the reason.' : 'Not sent:', fields: check.problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await submitChecklist(sessionId, check.input);
    setPending(false);
    if (!res.ok) setRefusal({ error: res.error, fields: res.fields });
  };

  const answer = (id: string, a: boolean) => setForm((f) => ({ ...f, contraindications: { ...f.contraindications, [id]: a } }));
  const fields = refusal?.fields;
  return (
    <form className="care-form checklist-form" data-testid="checklist-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <table className="checklist-table">
        <thead>
          <tr>
            <th>Contraindications and precautions (ASRA/AAPM/ASA 2018, Table 5)</th>
            <th>Answer</th>
          </tr>
        </thead>
        <tbody>
          {CONTRAINDICATIONS.map((c) => (
            <ContraindicationRow
              key={c.id}
              id={c.id}
              label={c.label}
              blocking={c.blocking}
              source={c.source}
              answer={form.contraindications[c.id]}
              onAnswer={(a) => answer(c.id, a)}
              problem={fieldMessage(fields, `contraindications.${c.id}`)}
            />
          ))}
          <tr className={fieldMessage(fields, 'pregnancy') || fieldMessage(fields, 'pregnancy.reason') ? 'ci-row ci-unanswered' : 'ci-row'} data-testid="ci-pregnancy">
            <td>
              <div>Pregnancy</div>
              <div className="hint">ASRA/AAPM/ASA 2018, Table 5 (pregnancy): a positive test blocks the start</div>
              {form.pregnancy.result === 'not_applicable' && (
                <label>
                  Why not applicable
                  <input data-testid="ci-pregnancy-reason" autoComplete="off" maxLength={200} value={form.pregnancy.reason} onChange={(e) => setForm((f) => ({ ...f, pregnancy: { ...f.pregnancy, reason: e.target.value } }))} />
                </label>
              )}
              {(fieldMessage(fields, 'pregnancy') ?? fieldMessage(fields, 'pregnancy.reason')) && <div className="field-error">{fieldMessage(fields, 'pregnancy') ?? fieldMessage(fields, 'pregnancy.reason')}</div>}
            </td>
            <td className="ci-answer">
              {(
                [
                  ['negative', 'Test negative'],
                  ['positive', 'Test positive'],
                  ['not_applicable', 'Not applicable'],
                ] as const
              ).map(([v, text]) => (
                <label key={v} className="radio">
                  <input type="radio" name="ci-pregnancy" data-testid={`ci-pregnancy-${v}`} checked={form.pregnancy.result === v} onChange={() => setForm((f) => ({ ...f, pregnancy: { ...f.pregnancy, result: v } }))} />
                  {text}
                </label>
              ))}
            </td>
          </tr>
        </tbody>
      </table>
      <fieldset className="checklist-flags">
        <legend>Preparation</legend>
        {CHECKLIST_FLAGS.map((f) => (
          <label key={f.key} className="checkbox">
            <input type="checkbox" data-testid={f.testId} checked={form.flags[f.key]} onChange={(e) => setForm((s) => ({ ...s, flags: { ...s.flags, [f.key]: e.target.checked } }))} />
            {f.label}
          </label>
        ))}
      </fieldset>
      <label>
        Ordered rate (mg/kg/h)
        <input data-testid="chk-rate" inputMode="decimal" autoComplete="off" value={form.rate} onChange={(e) => setForm((s) => ({ ...s, rate: e.target.value }))} />
        {fieldMessage(fields, 'orderedRateMgKgH') && <span className="field-error">{fieldMessage(fields, 'orderedRateMgKgH')}</span>}
      </label>
      <FormError error={refusal?.error ?? null} fields={fields} known={FORM_FIELDS} testId="checklist-error" />
      <button type="submit" className="primary-button" data-testid="checklist-submit" disabled={pending}>
        {pending ? 'Checking…' : 'Submit checklist'}
      </button>
    </form>
  );
}

function OverrideForm({ sessionId }: { sessionId: string }) {
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    if (reason.trim().length < 5) {
      setError('Give the reason for starting despite the failed items (at least 5 characters).');
      return;
    }
    setPending(true);
    setError(null);
    const res = await overrideChecklist(sessionId, reason.trim());
    setPending(false);
    if (!res.ok) setError(res.fields?.map((f) => f.reason).join('; ') || res.error);
  };
  return (
    <form className="care-form override-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <label>
        Physician override: reason for starting despite the failed items
        <input data-testid="checklist-override-reason" autoComplete="off" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit" className="danger-button" data-testid="checklist-override-submit" disabled={pending}>
        {pending ? 'Overriding…' : 'Override'}
      </button>
      {error && (
        <div className="form-error" role="alert" data-testid="checklist-override-error">
          {error}
        </div>
      )}
    </form>
  );
}

/** The evaluated checklist: every item with why it fails and its source; cautions marked apart. */
function ChecklistResult({ record }: { record: ChecklistRecord }) {
  const failed = record.result.items.filter((i) => !i.ok).length;
  const status = record.result.passed ? 'PASSED' : record.override ? 'FAILED — OVERRIDDEN' : `FAILED (${failed} item${failed === 1 ? '' : 's'})`;
  return (
    <div className="checklist-result-block">
      <div className={`checklist-status ${record.result.passed ? 'status-ok' : record.override ? 'status-override' : 'status-failed'}`} data-testid="checklist-status" data-passed={record.result.passed}>
        Checklist {status}
        <span className="hint">
          {' '}
          · submitted {formatClock(record.at)} by {shownPerson(record.by)}
        </span>
      </div>
      {record.override && (
        <div className="checklist-override" data-testid="checklist-override">
          Overridden by {shownPerson(record.override.by)} at {formatClock(record.override.at)}: {record.override.reason}
        </div>
      )}
      <ul className="checklist-result" data-testid="checklist-result">
        {record.result.items.map((i) => (
          <li
            key={i.id}
            className={i.caution ? 'checklist-item item-caution' : i.ok ? 'checklist-item item-ok' : 'checklist-item item-failed'}
            data-testid={`checklist-item-${i.id}`}
            data-ok={String(i.ok)}
            data-caution={i.caution ? 'true' : undefined}
          >
            <span className="item-mark">{i.caution ? 'CAUTION' : i.ok ? 'OK' : 'NOT MET'}</span>
            <span className="item-label">{i.label}</span>
            {i.reason && <span className="item-reason"> — {i.reason}</span>}
            <div className="hint">{shownText(i.source)}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * The pre-infusion checklist: the form (answers of the last submission filled in, to correct), the
 * evaluated result, and for physicians an override when it failed.
 */
export function ChecklistPanel({ sessionId, record }: { sessionId: string; record: ChecklistRecord | null }) {
  const canSubmit = useCan('checklist.submit');
  const canOverride = useCan('checklist.override');
  return (
    <div className="care-block checklist-block">
      <h4>Pre-infusion checklist</h4>
      {canSubmit && <ChecklistForm key={record ? String(record.at) : 'none'} sessionId={sessionId} initial={record ? checklistFormFrom(record.input) : emptyChecklistForm()} />}
      {record ? <ChecklistResult record={record} /> : <p className="hint">No checklist submitted yet: the infusion cannot start before it is.</p>}
      {canOverride && record && !record.result.passed && !record.override && <OverrideForm sessionId={sessionId} />}
    </div>
  );
}
