import { useState, type FormEvent } from 'react';
import { ARTIFACT_TYPES, EXCURSION_FIELDS, type ArtifactType, type FieldError, type TrainingRun } from '@infusion/shared';
import { useMonitor } from '../stores/useMonitor';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { injectRunEvent } from './trainingApi';
import { ARTIFACT_LABEL, emptyInjectDraft, EXCURSION_FIELD_LABEL, INJECT_FIELDS, INJECT_KIND_LABEL, INJECT_KINDS, injectEvent, injectFieldsOf, injectProblems, type InjectDraft, type InjectKind } from './runForms';
import { injectMinuteAt, runScenarioMs } from './scenarioClock';

/**
 * Something happens to the trainee's patient now: vital signs change, the trainee is told something,
 * or the monitor misreads. Checked with the shared scenario schema at the current scenario minute
 * (where the server puts it) before sending.
 */
export function InjectForm({ run }: { run: TrainingRun }) {
  const offset = useMonitor((s) => s.clockOffsetMs);
  const [d, setD] = useState<InjectDraft>(emptyInjectDraft);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const set = <K extends keyof InjectDraft>(k: K, v: InjectDraft[K]) => setD((x) => ({ ...x, [k]: v }));

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setSent(null);
    const atMin = injectMinuteAt(runScenarioMs(run, Date.now() + offset));
    const problems = injectProblems(d, atMin);
    if (problems.length) {
      setRefusal({ error: 'Not sent: check the marked fields.', fields: problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await injectRunEvent(run.id, injectEvent(d));
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: `Not sent: ${res.error}`, fields: injectFieldsOf(res.fields) });
      return;
    }
    setSent(d.label.trim());
    setD((x) => ({ ...emptyInjectDraft(), kind: x.kind }));
  };

  const f = refusal?.fields;
  const num = (k: 'onsetMin' | 'holdMin' | 'recoverMin' | 'durationMin', label: string) => (
    <label className="admit-field">
      <span className="admit-label">{label}</span>
      <input data-testid={`inject-${k}`} inputMode="decimal" autoComplete="off" value={d[k]} onChange={(e) => set(k, e.target.value)} />
      <FieldErrorText fields={f} name={k} testId={`inject-error-${k}`} />
    </label>
  );
  return (
    <form className="inject-form" data-testid="inject-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h4>Inject an event now</h4>
      <div className="inject-kinds" role="radiogroup" aria-label="Kind of event">
        {INJECT_KINDS.map((k: InjectKind) => (
          <label key={k} className={`inject-kind${d.kind === k ? ' inject-kind-on' : ''}`}>
            <input type="radio" name={`inject-kind-${run.id}`} data-testid={`inject-kind-${k}`} checked={d.kind === k} onChange={() => set('kind', k)} />
            {INJECT_KIND_LABEL[k]}
          </label>
        ))}
      </div>
      <label className="admit-field">
        <span className="admit-label">Name on the timeline</span>
        <input data-testid="inject-label" autoComplete="off" maxLength={100} placeholder={d.kind === 'excursion' ? 'e.g. Sudden desaturation' : d.kind === 'prompt' ? 'e.g. Patient complains' : 'e.g. Probe slipped'} value={d.label} onChange={(e) => set('label', e.target.value)} />
        <FieldErrorText fields={f} name="label" testId="inject-error-label" />
      </label>
      {d.kind === 'excursion' && (
        <>
          <fieldset className="inject-vitals">
            <legend>Move to (leave empty to keep)</legend>
            {EXCURSION_FIELDS.map((v) => (
              <label key={v} className="admit-field">
                <span className="admit-label">{EXCURSION_FIELD_LABEL[v]}</span>
                <input data-testid={`inject-to-${v}`} inputMode="decimal" autoComplete="off" value={d.to[v]} onChange={(e) => set('to', { ...d.to, [v]: e.target.value })} />
                <FieldErrorText fields={f} name={`to.${v}`} testId={`inject-error-to-${v}`} />
              </label>
            ))}
            <FieldErrorText fields={f?.filter((x) => x.field === 'to')} name="to" testId="inject-error-to" />
          </fieldset>
          <div className="inject-row">
            {num('onsetMin', 'Onset (min)')}
            {num('holdMin', 'Hold (min)')}
            {num('recoverMin', 'Recovery (min)')}
          </div>
        </>
      )}
      {d.kind === 'prompt' && (
        <label className="admit-field">
          <span className="admit-label">What the trainee is told</span>
          <textarea data-testid="inject-text" rows={2} maxLength={500} value={d.text} onChange={(e) => set('text', e.target.value)} />
          <FieldErrorText fields={f} name="text" testId="inject-error-text" />
        </label>
      )}
      {d.kind === 'artifact' && (
        <div className="inject-row">
          <label className="admit-field">
            <span className="admit-label">Artifact</span>
            <select data-testid="inject-artifact" value={d.artifact} onChange={(e) => set('artifact', e.target.value as ArtifactType)}>
              {ARTIFACT_TYPES.map((a) => (
                <option key={a} value={a}>
                  {ARTIFACT_LABEL[a]}
                </option>
              ))}
            </select>
          </label>
          {num('durationMin', 'Duration (min)')}
        </div>
      )}
      <div className="admit-actions">
        <button type="submit" className="primary-button" data-testid="inject-submit" disabled={pending || run.state === 'ended'}>
          {pending ? 'Sending…' : 'Inject now'}
        </button>
        {sent && (
          <span className="flash" role="status" data-testid="inject-sent">
            Injected: {sent}
          </span>
        )}
      </div>
      <FormError error={refusal?.error ?? null} fields={f} known={INJECT_FIELDS} testId="inject-error" />
    </form>
  );
}
