import { useState, type FormEvent } from 'react';
import { ADVERSE_EFFECT_TYPES, latestMeasures, patientCursor, type FieldError, type FollowUp, type FollowUpInput, type Patient, type PatientRecord, type Satisfaction } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { patientHref, sessionHref, OVERVIEW_HREF } from '../app/route';
import { api } from '../auth/authActions';
import { useCan } from '../auth/useCan';
import { shownPerson } from '../clinicianWords';
import { FormError } from '../components/FormErrors';
import { SimulatedBadge } from '../components/SimulatedBadge';
import { SeriesNoticePanel } from '../course/SeriesNoticePanel';
import { formatDateTime } from '../format';
import { parseDecimal } from '../forms';
import { SatisfactionSelect } from '../course/SatisfactionSelect';

const hm = (ms: number) => {
  const min = Math.round(ms / 60_000);
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
};
const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/** Sessions on the patient page per page, newest first; "Older sessions" asks for the next page. */
export const SESSIONS_PAGE = 20;

/** Patients asked for per page; "more" asks for the next page after the last one shown. */
export const PATIENTS_PAGE = 50;

/** Patients on file: search by the site's pseudonymous id (trainers see simulated patients only), a page at a time. */
export function PatientsView() {
  const [q, setQ] = useState('');
  const { data, error } = useApiData<Patient[]>(`/api/patients?q=${encodeURIComponent(q.trim())}&limit=${PATIENTS_PAGE}`);
  // Pages fetched with "more" after the first (reset when the search or the first page changes).
  const [more, setMore] = useState<{ for: Patient[] | null; pages: Patient[]; done: boolean; error: string | null }>({ for: null, pages: [], done: false, error: null });
  const extra = more.for === data ? more : { for: data, pages: [], done: false, error: null };
  const shown = [...(data ?? []), ...extra.pages];
  const canMore = data !== null && data.length === PATIENTS_PAGE && !extra.done;
  const [loadingMore, setLoadingMore] = useState(false);
  const loadMore = async () => {
    const last = shown.at(-1);
    if (!last || loadingMore) return;
    setLoadingMore(true);
    const r = await api<Patient[]>('GET', `/api/patients?q=${encodeURIComponent(q.trim())}&limit=${PATIENTS_PAGE}&cursor=${patientCursor(last)}`);
    setLoadingMore(false);
    setMore(r.ok ? { for: data, pages: [...extra.pages, ...r.data], done: r.data.length < PATIENTS_PAGE, error: null } : { ...extra, error: r.error });
  };
  return (
    <section className="page-panel patients-page" data-testid="patients">
      <h2>Patients</h2>
      <label>
        Site patient id{' '}
        <input data-testid="patients-search" value={q} onChange={(e) => setQ(e.target.value)} autoComplete="off" placeholder="starts with…" />
      </label>
      {error && <p className="fetch-error">{error}</p>}
      <table className="patients-table">
        <thead>
          <tr>
            <th>Site patient id</th>
            <th>Born</th>
            <th>Sex</th>
            <th>On file since</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((p) => (
            <tr key={p.id} data-testid={`patient-row-${p.id}`}>
              <td>
                <a href={patientHref(p.id)}>{p.sitePatientId}</a> {p.simulated && <SimulatedBadge />}
              </td>
              <td>{p.yearOfBirth ?? '—'}</td>
              <td>{p.sex ?? '—'}</td>
              <td>{day(p.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {extra.error && <p className="fetch-error">{extra.error}</p>}
      {canMore && (
        <button type="button" className="header-button" data-testid="patients-more" disabled={loadingMore} onClick={() => void loadMore()}>
          {loadingMore ? 'Loading…' : 'More patients'}
        </button>
      )}
    </section>
  );
}

function OnFile({ patient, onChanged }: { patient: Patient; onChanged: () => void }) {
  const allowed = useCan('patient.manage');
  const [weight, setWeight] = useState('');
  const [height, setHeight] = useState('');
  const [allergies, setAllergies] = useState(patient.allergies.join(', '));
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const m = latestMeasures(patient);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const w = parseDecimal(weight);
    const h = parseDecimal(height);
    const list = allergies.split(',').map((x) => x.trim()).filter(Boolean);
    const body = { ...(w !== null ? { weightKg: w } : {}), ...(h !== null ? { heightCm: h } : {}), ...(list.join(',') !== patient.allergies.join(',') ? { allergies: list } : {}) };
    const res = await api<Patient>('PATCH', `/api/patients/${patient.id}`, body);
    if (!res.ok) return setRefusal({ error: res.error, fields: res.fields });
    setRefusal(null);
    setWeight('');
    setHeight('');
    onChanged();
  };
  return (
    <div className="patient-onfile">
      <dl className="session-fields">
        <div className="field">
          <dt>Born</dt>
          <dd>{patient.yearOfBirth ?? '—'}</dd>
        </div>
        <div className="field">
          <dt>Sex</dt>
          <dd>{patient.sex ?? 'not recorded'}</dd>
        </div>
        <div className="field">
          <dt>Weight, height (latest)</dt>
          <dd data-testid="patient-latest">
            {m.weightKg ?? '—'} kg · {m.heightCm ?? '—'} cm
          </dd>
        </div>
        <div className="field">
          <dt>Allergies</dt>
          <dd data-testid="patient-allergies">{patient.allergies.join(', ') || 'none on file'}</dd>
        </div>
        <div className="field">
          <dt>Contraindications on file</dt>
          <dd>{patient.contraindications.join(', ') || 'none on file'}</dd>
        </div>
      </dl>
      <details className="measurements">
        <summary>Weight and height history ({patient.measurements.length})</summary>
        <ul>
          {patient.measurements.map((x, i) => (
            <li key={i}>
              {formatDateTime(x.t)}: {x.weightKg !== null ? `${x.weightKg} kg` : ''} {x.heightCm !== null ? `${x.heightCm} cm` : ''} ({shownPerson(x.by)})
            </li>
          ))}
        </ul>
      </details>
      {allowed && (
        <form className="inline-form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <label>
            New weight (kg) <input data-testid="patient-weight" inputMode="decimal" size={5} value={weight} onChange={(e) => setWeight(e.target.value)} />
          </label>
          <label>
            height (cm) <input data-testid="patient-height" inputMode="decimal" size={5} value={height} onChange={(e) => setHeight(e.target.value)} />
          </label>
          <label>
            Allergies <input data-testid="patient-allergies-input" value={allergies} onChange={(e) => setAllergies(e.target.value)} />
          </label>
          <button type="submit" data-testid="patient-save">
            Save
          </button>
          <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={[]} testId="patient-error" />
        </form>
      )}
    </div>
  );
}

function FollowUpForm({ patientId, sessions, onAdded }: { patientId: number; sessions: PatientRecord['sessions']; onAdded: () => void }) {
  const [date, setDate] = useState(day(Date.now()));
  const [pain, setPain] = useState('');
  const [satisfaction, setSatisfaction] = useState<'' | Satisfaction>('');
  const [opioid, setOpioid] = useState('');
  const [sessionId, setSessionId] = useState(sessions[0]?.sessionId ?? '');
  const [note, setNote] = useState('');
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const t = Date.parse(`${date}T12:00:00Z`);
    const p = pain.trim() === '' ? undefined : Number(pain);
    const o = parseDecimal(opioid);
    const body: FollowUpInput = {
      t: Number.isFinite(t) ? Math.min(t, Date.now()) : Date.now(),
      ...(sessionId ? { sessionId } : {}),
      ...(p !== undefined ? { pain: p } : {}),
      ...(satisfaction ? { satisfaction } : {}),
      ...(o !== null ? { opioidMmePerDay: o } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
    };
    const res = await api<FollowUp>('POST', `/api/patients/${patientId}/follow-ups`, body);
    if (!res.ok) return setRefusal({ error: res.error, fields: res.fields });
    setRefusal(null);
    setPain('');
    setNote('');
    onAdded();
  };
  return (
    <form className="inline-form followup-form" data-testid="followup-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <label>
        Date <input type="date" data-testid="followup-date" value={date} onChange={(e) => setDate(e.target.value)} />
      </label>
      <label>
        After session
        <select value={sessionId} onChange={(e) => setSessionId(e.target.value)}>
          <option value="">none</option>
          {sessions.map((s) => (
            <option key={s.sessionId} value={s.sessionId}>
              {day(s.createdAt)} {s.location}
            </option>
          ))}
        </select>
      </label>
      <label>
        Pain (0-10) <input data-testid="followup-pain" inputMode="numeric" size={3} value={pain} onChange={(e) => setPain(e.target.value)} />
      </label>
      <label>
        Satisfaction
        <SatisfactionSelect testId="followup-satisfaction" value={satisfaction} onChange={setSatisfaction} />
      </label>
      <label>
        Opioid (mg MME/day) <input inputMode="decimal" size={5} value={opioid} onChange={(e) => setOpioid(e.target.value)} />
      </label>
      <label className="wide">
        Note <input data-testid="followup-note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" data-testid="followup-submit">
        Add follow-up
      </button>
      <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={[]} testId="followup-error" />
    </form>
  );
}

/**
 * A patient's course of care: what is on file, the sessions newest first, a page at a time (date, dose in mg and mg/kg, pain before
 * and after, response, adverse effects, alarms), the course against Q3 and Q8, and the follow-ups.
 */
export function PatientView({ patientId }: { patientId: number }) {
  const { data, error, reload } = useApiData<PatientRecord>(`/api/patients/${patientId}?limit=${SESSIONS_PAGE}`);
  const canFollowUp = useCan('outcome.document');
  // Older pages fetched with "Older sessions" (dropped when the first page is read again).
  const [older, setOlder] = useState<{ for: PatientRecord | null; sessions: PatientRecord['sessions']; cursor: string | null; error: string | null }>({ for: null, sessions: [], cursor: null, error: null });
  const [loadingOlder, setLoadingOlder] = useState(false);
  if (error && !data) return <p className="fetch-error">Patient not available: {error}</p>;
  if (!data) return <p className="empty">Loading patient…</p>;
  const extra = older.for === data ? older : { for: data, sessions: [], cursor: data.sessionsCursor, error: null };
  const { patient, followUps } = data;
  const sessions = [...data.sessions, ...extra.sessions];
  const loadOlder = async () => {
    if (!extra.cursor || loadingOlder) return;
    setLoadingOlder(true);
    const r = await api<PatientRecord>('GET', `/api/patients/${patientId}?limit=${SESSIONS_PAGE}&cursor=${encodeURIComponent(extra.cursor)}`);
    setLoadingOlder(false);
    setOlder(r.ok ? { for: data, sessions: [...extra.sessions, ...r.data.sessions], cursor: r.data.sessionsCursor, error: null } : { ...extra, error: r.error });
  };
  return (
    <section className="page-panel patient-page" data-testid="patient-page" data-patient-id={patient.id}>
      <a className="back-link" href={OVERVIEW_HREF}>
        ← All infusions
      </a>
      <div className="session-title">
        <h2 data-testid="patient-site-id">Patient {patient.sitePatientId}</h2>
        {patient.simulated && <SimulatedBadge />}
      </div>
      <OnFile key={patient.allergies.join(',')} patient={patient} onChanged={reload} />
      <SeriesNoticePanel key={sessions.length} path={`/api/patients/${patient.id}/series`} />
      <h3>Sessions</h3>
      {sessions.length === 0 ? (
        <p className="empty">No sessions yet.</p>
      ) : (
        <table className="course-table" data-testid="patient-sessions">
          <thead>
            <tr>
              <th>Date</th>
              <th>Location</th>
              <th>Ketamine</th>
              <th>Infusion time</th>
              <th>Pain before → after</th>
              <th>Response</th>
              <th>Adverse effects</th>
              <th>Alarms</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <tr key={s.sessionId} data-testid={`course-row-${s.sessionId}`} data-responder={String(s.response.pain.responder)}>
                <td>
                  <a href={sessionHref(s.sessionId)}>{formatDateTime(s.startedAt ?? s.createdAt)}</a>
                  {s.startedAt === null && <div className="hint">not started</div>}
                </td>
                <td>{s.location}</td>
                <td data-testid="course-dose">
                  {s.totalMg.toFixed(1)} mg · {s.mgPerKg.toFixed(2)} mg/kg
                </td>
                <td>{s.startedAt === null ? '—' : hm(s.runningMs)}</td>
                <td data-testid="course-pain">
                  {s.response.pain.before ?? '—'} → {s.response.pain.after ?? '—'}
                </td>
                <td data-testid="course-response">
                  {s.response.pain.decreasePct === null ? '—' : `${s.response.pain.decreasePct}% `}
                  {s.response.pain.responder === null ? '' : s.response.pain.responder ? 'responder' : 'not a responder'}
                  {s.response.positive !== null && <div className="hint">positive response (Q8): {s.response.positive ? 'yes' : 'no'}</div>}
                </td>
                <td data-testid="course-adverse">{s.adverseEffects.map((a) => `${ADVERSE_EFFECT_TYPES[a.type].label} (${a.severity})`).join(', ') || 'none'}</td>
                <td>{s.alarmCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {extra.error && <p className="fetch-error">{extra.error}</p>}
      {extra.cursor && (
        <button type="button" className="header-button" data-testid="patient-sessions-more" disabled={loadingOlder} onClick={() => void loadOlder()}>
          {loadingOlder ? 'Loading…' : 'Older sessions'}
        </button>
      )}
      <h3>Follow-ups</h3>
      {followUps.length === 0 ? (
        <p className="empty">No follow-ups yet (guideline Q8: a response lasting more than 3 weeks after a single infusion).</p>
      ) : (
        <table className="course-table" data-testid="patient-followups">
          <thead>
            <tr>
              <th>Date</th>
              <th>Pain</th>
              <th>Satisfaction</th>
              <th>Opioid (mg MME/day)</th>
              <th>Note</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {followUps.map((f) => (
              <tr key={f.id}>
                <td>{day(f.t)}</td>
                <td>{f.pain ?? '—'}</td>
                <td>{f.satisfaction ?? '—'}</td>
                <td>{f.opioidMmePerDay ?? '—'}</td>
                <td>{f.note ?? ''}</td>
                <td>{shownPerson(f.by)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canFollowUp && <FollowUpForm patientId={patient.id} sessions={sessions} onAdded={reload} />}
    </section>
  );
}
