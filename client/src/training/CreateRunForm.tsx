import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ALL_UNITS, type FieldError, type TrainingRun, type TrainingScenarioSummary, type TrainingTraineeOption } from '@infusion/shared';
import { useAuth } from '../auth/useAuth';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { CARE_SETTING_LABEL } from '../format';
import { createRun, loadTrainees } from './trainingApi';
import { CREATE_RUN_FIELDS, createRunProblems, createRunRequest, randomSeed, type CreateRunDraft } from './runForms';

type Field = (typeof CREATE_RUN_FIELDS)[number];

function Row({ label, name, fields, children, hint }: { label: string; name: Field; fields: readonly FieldError[] | undefined; children: ReactNode; hint?: ReactNode }) {
  return (
    <label className="admit-field">
      <span className="admit-label">{label}</span>
      {children}
      {hint && <span className="hint">{hint}</span>}
      <FieldErrorText fields={fields} name={name} testId={`run-error-${name}`} />
    </label>
  );
}

/** The trainer's units a run can be created in: 'training' first (the default training unit). */
function unitsOf(units: readonly string[]): string[] {
  const own = units.filter((u) => u !== ALL_UNITS);
  return [...own].sort((a, b) => (a === 'training' ? -1 : b === 'training' ? 1 : 0));
}

/**
 * A new run: scenario (with what it is about), seed, trainee, and optionally the patient's weight and
 * label. Checked with the shared schema first; the server's refusal is shown under the field it names.
 */
export function CreateRunForm({ scenarios, onCreated }: { scenarios: TrainingScenarioSummary[]; onCreated: (run: TrainingRun) => void }) {
  const user = useAuth((s) => s.user);
  const units = unitsOf(user?.units ?? []);
  const [d, setD] = useState<CreateRunDraft>(() => ({ scenario: '', seed: String(randomSeed()), trainee: '', unit: units[0] ?? 'training', weightKg: '', patientLabel: '' }));
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const set = <K extends keyof CreateRunDraft>(k: K, v: CreateRunDraft[K]) => setD((x) => ({ ...x, [k]: v }));
  const scenario = scenarios.find((s) => s.name === d.scenario);
  // The unit's clinicians, offered as the trainee (typing a username still works).
  const [trainees, setTrainees] = useState<TrainingTraineeOption[]>([]);
  useEffect(() => {
    let current = true;
    setTrainees([]);
    void loadTrainees(d.unit).then((res) => {
      if (current && res.ok) setTrainees(res.data);
    });
    return () => {
      current = false;
    };
  }, [d.unit]);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const problems = createRunProblems(d);
    if (problems.length) {
      setRefusal({ error: 'Not created: check the marked fields.', fields: problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await createRun(createRunRequest(d));
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: `Not created: ${res.error}`, fields: res.fields });
      return;
    }
    setD((x) => ({ ...x, seed: String(randomSeed()), patientLabel: '' }));
    onCreated(res.data);
  };

  const f = refusal?.fields;
  return (
    <form className="run-create card" data-testid="run-create" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h3>New training run</h3>
      <Row
        label="Scenario"
        name="scenario"
        fields={f}
        hint={scenario ? <span data-testid="run-scenario-about">{`${scenario.indication} · ${CARE_SETTING_LABEL[scenario.setting as keyof typeof CARE_SETTING_LABEL] ?? scenario.setting} · ${scenario.weightKg[0]}–${scenario.weightKg[1]} kg, ${scenario.ageYears[0]}–${scenario.ageYears[1]} years`}</span> : undefined}
      >
        <select data-testid="run-scenario" value={d.scenario} onChange={(e) => set('scenario', e.target.value)}>
          <option value="">{scenarios.length ? 'choose a scenario…' : 'no scenario offered (no training host connected)'}</option>
          {scenarios.map((s) => (
            <option key={s.name} value={s.name}>
              {s.title}
            </option>
          ))}
        </select>
      </Row>
      <Row label="Trainee (username)" name="trainee" fields={f} hint={trainees.length ? `${trainees.length} clinician${trainees.length === 1 ? '' : 's'} in ${d.unit}` : undefined}>
        <input data-testid="run-trainee" list="run-trainee-options" autoComplete="off" maxLength={100} value={d.trainee} onChange={(e) => set('trainee', e.target.value)} />
        <datalist id="run-trainee-options" data-testid="run-trainee-options">
          {trainees.map((t) => (
            <option key={t.username} value={t.username}>{`${t.displayName} (${t.role})`}</option>
          ))}
        </datalist>
      </Row>
      <div className="run-create-pair">
        <Row label="Seed" name="seed" fields={f} hint="same seed, same patient">
          <span className="run-seed">
            <input data-testid="run-seed" inputMode="numeric" autoComplete="off" value={d.seed} onChange={(e) => set('seed', e.target.value)} />
            <button type="button" className="header-button" title="Another seed" onClick={() => set('seed', String(randomSeed()))}>
              New
            </button>
          </span>
        </Row>
        <Row label="Unit" name="unit" fields={f}>
          {units.length > 1 ? (
            <select data-testid="run-unit" value={d.unit} onChange={(e) => set('unit', e.target.value)}>
              {units.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          ) : (
            <input data-testid="run-unit" autoComplete="off" maxLength={100} value={d.unit} onChange={(e) => set('unit', e.target.value)} />
          )}
        </Row>
      </div>
      <div className="run-create-pair">
        <Row label="Weight (kg, optional)" name="weightKg" fields={f} hint={scenario ? `default ${Math.round((scenario.weightKg[0] + scenario.weightKg[1]) / 2)} kg` : undefined}>
          <input data-testid="run-weight" inputMode="decimal" autoComplete="off" value={d.weightKg} onChange={(e) => set('weightKg', e.target.value)} />
        </Row>
        <Row label="Patient label (optional)" name="patientLabel" fields={f}>
          <input data-testid="run-label" autoComplete="off" maxLength={100} value={d.patientLabel} onChange={(e) => set('patientLabel', e.target.value)} />
        </Row>
      </div>
      <div className="admit-actions">
        <button type="submit" className="primary-button" data-testid="run-create-submit" disabled={pending}>
          {pending ? 'Creating…' : 'Create run'}
        </button>
      </div>
      <FormError error={refusal?.error ?? null} fields={f} known={CREATE_RUN_FIELDS} testId="run-create-error" />
    </form>
  );
}
