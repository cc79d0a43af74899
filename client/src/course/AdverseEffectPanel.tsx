import { useState, type FormEvent } from 'react';
import { ADVERSE_EFFECT_IDS, ADVERSE_EFFECT_TYPES, CADSS, CADSS_TYPES, SEVERITIES, type AdverseEffect, type AdverseEffectInput, type AdverseEffectType, type Alarm, type FieldError, type RescueDose, type RuleSet, type Severity } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { api } from '../auth/authActions';
import { useCan } from '../auth/useCan';
import { shownPerson, shownText } from '../clinicianWords';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { formatClock } from '../format';
import { addAdverseEffect } from '../stores/monitorState';
import { updateMonitor } from '../stores/useMonitor';

/** Adverse effects of the session, newest first, each with the source that lists it. */
export function AdverseEffectList({ effects }: { effects: readonly AdverseEffect[] }) {
  if (effects.length === 0) return <p className="empty">No adverse effects documented.</p>;
  return (
    <table className="adverse-effects" data-testid="adverse-effects">
      <thead>
        <tr>
          <th>Time</th>
          <th>Effect</th>
          <th>Severity</th>
          <th>By</th>
          <th>Note</th>
        </tr>
      </thead>
      <tbody>
        {[...effects].reverse().map((a) => (
          <tr key={a.id} data-testid={`adverse-effect-row-${a.id}`}>
            <td>{formatClock(a.t)}</td>
            <td>
              {ADVERSE_EFFECT_TYPES[a.type].label}
              <div className="source">{shownText(ADVERSE_EFFECT_TYPES[a.type].source)}</div>
            </td>
            <td className={`severity severity-${a.severity}`}>{a.severity}</td>
            <td>{shownPerson(a.by)}</td>
            <td>
              {[a.cadssTotal !== null ? `${CADSS.label} ${a.cadssTotal}` : null, a.rescueDoseId !== null ? 'rescue dose given' : null, a.alarmId !== null ? `with alarm ${a.alarmId}` : null, a.note].filter(Boolean).join('; ')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Document an adverse effect: type (each cites where the guideline lists it: Table 4 for psychomimetic effects, nausea, vision, headache; Q6 for hemodynamic ones), severity, how long ago, optionally the
 * rescue dose given for it and the alarm it came with; a CADSS total where the site scores dissociation.
 */
export function AdverseEffectForm({ sessionId, ruleSetVersion, rescueDoses, alarms }: { sessionId: string; ruleSetVersion: number; rescueDoses: readonly RescueDose[]; alarms: readonly Alarm[] }) {
  const allowed = useCan('adverse.document');
  const { data: ruleSet } = useApiData<RuleSet>(`/api/rulesets/versions/${ruleSetVersion}`);
  const [type, setType] = useState<AdverseEffectType>('nausea');
  const [severity, setSeverity] = useState<Severity>('mild');
  const [minutesAgo, setMinutesAgo] = useState('0');
  const [note, setNote] = useState('');
  const [rescueDoseId, setRescueDoseId] = useState('');
  const [alarmId, setAlarmId] = useState('');
  const [cadss, setCadss] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (!allowed) return null;
  const cadssOn = ruleSet?.adverseEffects?.cadss === true && CADSS_TYPES.includes(type);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (pending) return;
    const ago = Number(minutesAgo);
    const body: AdverseEffectInput = {
      type,
      severity,
      ...(Number.isFinite(ago) && ago > 0 ? { t: Date.now() - Math.round(ago * 60_000) } : {}),
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(rescueDoseId ? { rescueDoseId: Number(rescueDoseId) } : {}),
      ...(alarmId ? { alarmId: Number(alarmId) } : {}),
      ...(cadssOn && cadss.trim() ? { cadssTotal: Number(cadss) } : {}),
    };
    setPending(true);
    const res = await api<AdverseEffect>('POST', `/api/sessions/${encodeURIComponent(sessionId)}/adverse-effects`, body);
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      setDone(null);
      return;
    }
    updateMonitor((s) => addAdverseEffect(s, res.data));
    setRefusal(null);
    setDone(`Documented: ${ADVERSE_EFFECT_TYPES[res.data.type].label} (${res.data.severity}) at ${formatClock(res.data.t)}`);
    setNote('');
    setCadss('');
    setMinutesAgo('0');
  };
  const f = refusal?.fields;
  return (
    <form className="adverse-form" data-testid="adverse-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <label>
        Effect
        <select data-testid="adverse-type" value={type} onChange={(e) => setType(e.target.value as AdverseEffectType)}>
          {ADVERSE_EFFECT_IDS.map((id) => (
            <option key={id} value={id}>
              {ADVERSE_EFFECT_TYPES[id].label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Severity
        <select data-testid="adverse-severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
          {SEVERITIES.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      </label>
      <label>
        Minutes ago
        <input data-testid="adverse-minutes-ago" inputMode="numeric" value={minutesAgo} onChange={(e) => setMinutesAgo(e.target.value)} size={4} />
        <FieldErrorText fields={f} name="t" testId="adverse-error-t" />
      </label>
      {rescueDoses.length > 0 && (
        <label>
          Rescue dose given for it
          <select data-testid="adverse-rescue" value={rescueDoseId} onChange={(e) => setRescueDoseId(e.target.value)}>
            <option value="">none</option>
            {rescueDoses.map((d) => (
              <option key={d.id} value={d.id}>
                {formatClock(d.t)} {shownText(d.drug)} {d.doseMg} mg
              </option>
            ))}
          </select>
        </label>
      )}
      {alarms.length > 0 && (
        <label>
          With alarm
          <select data-testid="adverse-alarm" value={alarmId} onChange={(e) => setAlarmId(e.target.value)}>
            <option value="">none</option>
            {alarms.map((a) => (
              <option key={a.id} value={a.id}>
                {formatClock(a.startedAt)} {shownText(a.title)}
              </option>
            ))}
          </select>
        </label>
      )}
      {cadssOn && (
        <label>
          {CADSS.label} (0-{CADSS.max})
          <input data-testid="adverse-cadss" inputMode="numeric" value={cadss} onChange={(e) => setCadss(e.target.value)} size={4} />
          <FieldErrorText fields={f} name="cadssTotal" testId="adverse-error-cadss" />
        </label>
      )}
      <label className="wide">
        Note
        <input data-testid="adverse-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
      </label>
      <p className="source">{shownText(ADVERSE_EFFECT_TYPES[type].source)}</p>
      <button type="submit" className="primary-button" data-testid="adverse-submit" disabled={pending}>
        {pending ? 'Documenting…' : 'Document adverse effect'}
      </button>
      <FormError error={refusal?.error ?? null} fields={f} known={['t', 'cadssTotal']} testId="adverse-error" />
      {done && (
        <p className="done" role="status" data-testid="adverse-done">
          {done}
        </p>
      )}
    </form>
  );
}
