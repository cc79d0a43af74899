import { useState, type FormEvent } from 'react';
import { OBSERVATION_SCALES, type FieldError, type Observation, type ObservationScale } from '@infusion/shared';
import { useCan } from '../auth/useCan';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { formatClock } from '../format';
import { recordObservation } from './careActions';
import { OBSERVATION_SCALE_IDS, lastScores, parseScore, scoreText } from './observations';
import { shownPerson, shownText } from '../clinicianWords';

const KNOWN_FIELDS = ['scale', 'score', 'note'] as const;

function LastScore({ label, o, testId }: { label: string; o: Observation | null; testId: string }) {
  return (
    <div className="last-score" data-testid={testId}>
      <span className="detail-label">{label}</span> {o ? `${scoreText(o)} at ${formatClock(o.t)} (${shownPerson(o.by)})` : 'none recorded'}
    </div>
  );
}

/**
 * Sedation (validated scale) and pain scores. Needed before the start (checklist) and every 15 min
 * during the infusion (the sedation-due rule alarms otherwise).
 */
export function ObservationForm({ sessionId, observations }: { sessionId: string; observations: readonly Observation[] }) {
  const allowed = useCan('observation.record');
  const [scale, setScale] = useState<ObservationScale>('RASS');
  const [score, setScore] = useState('');
  const [note, setNote] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const last = lastScores(observations);
  const range = OBSERVATION_SCALES[scale];

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const parsed = parseScore(scale, score);
    if (!parsed.ok) {
      setRefusal({ error: 'Not recorded:', fields: [{ field: 'score', reason: parsed.reason }] });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await recordObservation(sessionId, { scale, score: parsed.score, ...(note.trim() ? { note: note.trim() } : {}) });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setScore('');
    setNote('');
  };

  return (
    <div className="care-block observation-block">
      <h4>Sedation and pain scores</h4>
      <LastScore label="Last sedation:" o={last.sedation} testId="last-sedation" />
      <LastScore label="Last pain:" o={last.pain} testId="last-pain" />
      {allowed && (
        <form className="care-form" data-testid="obs-form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <label>
            Scale
            <select data-testid="obs-scale" value={scale} onChange={(e) => setScale(e.target.value as ObservationScale)}>
              {OBSERVATION_SCALE_IDS.map((id) => (
                <option key={id} value={id}>
                  {OBSERVATION_SCALES[id].label} ({OBSERVATION_SCALES[id].kind}, {OBSERVATION_SCALES[id].min} to {OBSERVATION_SCALES[id].max})
                </option>
              ))}
            </select>
          </label>
          <label>
            Score ({range.min} to {range.max})
            <input data-testid="obs-score" inputMode="numeric" autoComplete="off" value={score} onChange={(e) => setScore(e.target.value)} />
            <FieldErrorText fields={refusal?.fields} name="score" />
          </label>
          <label>
            Note
            <input data-testid="obs-note" autoComplete="off" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" className="primary-button" data-testid="obs-submit" disabled={pending}>
            {pending ? 'Recording…' : 'Record score'}
          </button>
          <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={KNOWN_FIELDS} testId="obs-error" />
          <div className="hint">Scale: {shownText(range.source)}</div>
        </form>
      )}
    </div>
  );
}
