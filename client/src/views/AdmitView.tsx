import { useState, type FormEvent, type ReactNode } from 'react';
import { ALL_UNITS, CARE_SETTINGS, SEXES, fieldErrors, sessionCreateSchema, type CareSetting, type FieldError, type Session, type SessionCreate } from '@infusion/shared';
import { OVERVIEW_HREF } from '../app/route';
import { api } from '../auth/authActions';
import { useAuth } from '../auth/useAuth';
import { useCan } from '../auth/useCan';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { CARE_SETTING_LABEL } from '../format';
import { parseDecimal } from '../forms';
import { applySession } from '../stores/monitorState';
import { PatientOnFile } from '../course/PatientOnFile';
import { updateMonitor } from '../stores/useMonitor';

const KNOWN_FIELDS = ['patientLabel', 'location', 'unit', 'weightKg', 'heightCm', 'sex', 'ageYears', 'setting', 'indication', 'supervisingPhysician', 'nurse', 'simulated', 'patientRef'] as const;
type Field = (typeof KNOWN_FIELDS)[number];

interface Draft {
  patientLabel: string;
  location: string;
  unit: string;
  weightKg: string;
  heightCm: string;
  sex: '' | (typeof SEXES)[number];
  ageYears: string;
  setting: CareSetting;
  indication: string;
  supervisingPhysician: string;
  nurse: string;
  simulated: boolean;
  patientRef: string;
}

/** A number typed in a form: undefined when empty, NaN when not a number (so the schema names the field). */
const numberOf = (text: string): number | undefined => (text.trim() === '' ? undefined : (parseDecimal(text) ?? Number.NaN));

/** The request the form sends; optional fields left empty are left out. */
export function admissionRequest(d: Draft): SessionCreate {
  const height = numberOf(d.heightCm);
  return {
    patientLabel: d.patientLabel,
    location: d.location,
    unit: d.unit,
    weightKg: numberOf(d.weightKg) as number,
    ageYears: numberOf(d.ageYears) as number,
    setting: d.setting,
    indication: d.indication,
    supervisingPhysician: d.supervisingPhysician,
    nurse: d.nurse,
    simulated: d.simulated,
    ...(height !== undefined ? { heightCm: height } : {}),
    ...(d.sex ? { sex: d.sex } : {}),
    ...(d.patientRef.trim() ? { patientRef: d.patientRef } : {}),
  };
}

function Row({ label, name, fields, children }: { label: string; name: Field; fields: readonly FieldError[] | undefined; children: ReactNode }) {
  return (
    <label className="admit-field">
      <span className="admit-label">{label}</span>
      {children}
      <FieldErrorText fields={fields} name={name} testId={`admit-error-${name}`} />
    </label>
  );
}

/**
 * Opening a session (admission): the fields of the API's schema, checked with the same shared schema
 * before sending (each field's reason under it), and the server's own refusal shown the same way.
 * Trainers open simulated sessions only.
 */
export function AdmitView() {
  const user = useAuth((s) => s.user);
  const allowed = useCan('session.create');
  const trainer = user?.role === 'trainer';
  const units = (user?.units ?? []).filter((u) => u !== ALL_UNITS);
  const [d, setD] = useState<Draft>({
    patientLabel: '',
    location: '',
    unit: units[0] ?? 'infusion-suite',
    weightKg: '',
    heightCm: '',
    sex: '',
    ageYears: '',
    setting: 'clinic',
    indication: '',
    supervisingPhysician: user?.role === 'physician' ? user.displayName : '',
    nurse: user?.role === 'nurse' ? user.displayName : '',
    simulated: trainer,
    patientRef: '',
  });
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const text = (k: Exclude<Field, 'sex' | 'setting' | 'simulated'>, extra: { maxLength?: number; inputMode?: 'decimal' | 'numeric' } = {}) => (
    <input data-testid={`admit-${k}`} autoComplete="off" value={d[k]} onChange={(e) => set(k, e.target.value)} {...extra} />
  );

  if (!allowed) return <p className="empty">Your role does not open sessions.</p>;

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const body = admissionRequest(d);
    const checked = sessionCreateSchema.safeParse(body);
    if (!checked.success) {
      setRefusal({ error: 'Not opened: check the marked fields.', fields: fieldErrors(checked.error) });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await api<Session>('POST', '/api/sessions', body);
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    updateMonitor((s) => applySession(s, res.data));
    location.hash = OVERVIEW_HREF;
  };

  const f = refusal?.fields;
  return (
    <section className="page-panel admit-page" data-testid="admit">
      <h2>Open a new session</h2>
      <form className="admit-form" data-testid="admit-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <Row label="Patient label (no names)" name="patientLabel" fields={f}>
          {text('patientLabel', { maxLength: 64 })}
        </Row>
        <Row label="Chair or bed" name="location" fields={f}>
          {text('location', { maxLength: 40 })}
        </Row>
        <Row label="Unit" name="unit" fields={f}>
          {units.length > 1 ? (
            <select data-testid="admit-unit" value={d.unit} onChange={(e) => set('unit', e.target.value)}>
              {units.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          ) : (
            text('unit', { maxLength: 40 })
          )}
        </Row>
        <Row label="Weight (kg)" name="weightKg" fields={f}>
          {text('weightKg', { inputMode: 'decimal' })}
        </Row>
        <Row label="Height (cm, optional)" name="heightCm" fields={f}>
          {text('heightCm', { inputMode: 'decimal' })}
        </Row>
        <Row label="Sex (optional)" name="sex" fields={f}>
          <select data-testid="admit-sex" value={d.sex} onChange={(e) => set('sex', e.target.value as Draft['sex'])}>
            <option value="">not given</option>
            {SEXES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        </Row>
        <Row label="Age (years)" name="ageYears" fields={f}>
          {text('ageYears', { inputMode: 'numeric' })}
        </Row>
        <Row label="Care setting" name="setting" fields={f}>
          <select data-testid="admit-setting" value={d.setting} onChange={(e) => set('setting', e.target.value as CareSetting)}>
            {CARE_SETTINGS.map((x) => (
              <option key={x} value={x}>
                {CARE_SETTING_LABEL[x]}
              </option>
            ))}
          </select>
        </Row>
        <Row label="Indication" name="indication" fields={f}>
          {text('indication', { maxLength: 200 })}
        </Row>
        <Row label="Supervising physician" name="supervisingPhysician" fields={f}>
          {text('supervisingPhysician', { maxLength: 100 })}
        </Row>
        <Row label="Nurse" name="nurse" fields={f}>
          {text('nurse', { maxLength: 100 })}
        </Row>
        <Row label="Site patient id (pseudonymous; on file or new — empty: a new patient)" name="patientRef" fields={f}>
          {text('patientRef', { maxLength: 64 })}
        </Row>
        <PatientOnFile sitePatientId={d.patientRef.trim()} simulated={d.simulated} />
        <label className="admit-field admit-check">
          <input type="checkbox" data-testid="admit-simulated" checked={d.simulated} disabled={trainer} onChange={(e) => set('simulated', e.target.checked)} />
          <span>Simulated (training){trainer ? ': trainers open simulated sessions only' : ''}</span>
          <FieldErrorText fields={f} name="simulated" testId="admit-error-simulated" />
        </label>
        <div className="admit-actions">
          <button type="submit" className="primary-button" data-testid="admit-submit" disabled={pending}>
            {pending ? 'Opening…' : 'Open session'}
          </button>
          <a href={OVERVIEW_HREF}>Cancel</a>
        </div>
        <FormError error={refusal?.error ?? null} fields={f} known={KNOWN_FIELDS} testId="admit-error" />
      </form>
    </section>
  );
}
