import { useState } from 'react';
import { transitionError, type FieldError, type InfusionEventInput, type InfusionEventType, type Session } from '@infusion/shared';
import { useCan } from '../auth/useCan';
import { formatRate } from '../format';
import { parseDecimal } from '../forms';
import { documentInfusion } from './careActions';

/** Whether the infusion's state allows the action (the server checks again and says why not). */
const allowed = (session: Session, type: InfusionEventType) => transitionError(session.infusion.status, type) === null;

/**
 * Start, rate change, pause, resume, stop (infusion.document) and bolus (infusion.bolus: within the
 * physician's order). A refused request shows the server's reason: a refused start lists the
 * checklist items that are not met, a dose the limits crossed (hard: refused; soft: needs a reason).
 */
export function InfusionControls({ session, orderedRate }: { session: Session; orderedRate: number | null }) {
  const canDocument = useCan('infusion.document');
  const canBolus = useCan('infusion.bolus');
  const [rate, setRate] = useState('');
  const [bolus, setBolus] = useState('');
  const [pending, setPending] = useState<InfusionEventType | null>(null);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  if (!canDocument || session.status !== 'active') return null;

  const send = async (type: InfusionEventType) => {
    if (pending) return;
    setDone(null);
    let input: InfusionEventInput;
    if (type === 'start' || type === 'rate_change') {
      const r = parseDecimal(rate);
      if (r === null || r <= 0) {
        setRefusal({ error: 'Enter the rate in mg/kg/h first.' });
        return;
      }
      input = { type, rateMgKgH: r };
    } else if (type === 'bolus') {
      const d = parseDecimal(bolus);
      if (d === null || d <= 0) {
        setRefusal({ error: 'Enter the bolus dose in mg first.' });
        return;
      }
      input = { type, doseMg: d };
    } else {
      input = { type };
    }
    setPending(type);
    setRefusal(null);
    const res = await documentInfusion(session.id, input);
    setPending(null);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setDone(`Documented: ${type.replace('_', ' ')}${res.data.event.rateMgKgH !== null ? ` at ${formatRate(res.data.event.rateMgKgH)}` : ''}${res.data.event.doseMg !== null ? ` ${res.data.event.doseMg} mg` : ''}`);
    if (type === 'bolus') setBolus('');
  };

  const button = (type: InfusionEventType, label: string, testId: string, className = 'header-button') => (
    <button type="button" className={className} data-testid={testId} disabled={pending !== null || !allowed(session, type)} onClick={() => void send(type)}>
      {pending === type ? '…' : label}
    </button>
  );

  return (
    <div className="care-block infusion-controls" data-testid="infusion-controls">
      <h4>Infusion</h4>
      <div className="care-form">
        <label>
          Rate (mg/kg/h)
          <input data-testid="infusion-rate" inputMode="decimal" autoComplete="off" value={rate} placeholder={orderedRate !== null ? `ordered ${orderedRate}` : undefined} onChange={(e) => setRate(e.target.value)} />
        </label>
        <div className="form-buttons">
          {button('start', 'Start', 'infusion-start', 'primary-button')}
          {button('rate_change', 'Change rate', 'infusion-change')}
          {button('pause', 'Pause', 'infusion-pause')}
          {button('resume', 'Resume', 'infusion-resume')}
          {button('stop', 'Stop', 'infusion-stop', 'danger-button')}
        </div>
      </div>
      {canBolus && (
        <div className="care-form">
          <label>
            Bolus (mg)
            <input data-testid="infusion-bolus-dose" inputMode="decimal" autoComplete="off" value={bolus} onChange={(e) => setBolus(e.target.value)} />
          </label>
          <div className="form-buttons">{button('bolus', 'Give bolus', 'infusion-bolus')}</div>
        </div>
      )}
      {refusal && (
        <div className="form-error" role="alert" data-testid="infusion-error">
          {refusal.error}
          {refusal.fields && refusal.fields.length > 0 && (
            <ul className="infusion-error-items">
              {refusal.fields.map((f) => (
                <li key={`${f.field}:${f.reason}`}>{f.field === 'checklist' ? f.reason : `${f.field}: ${f.reason}`}</li>
              ))}
            </ul>
          )}
        </div>
      )}
      {done && (
        <div className="flash" role="status" data-testid="infusion-done">
          {done}
        </div>
      )}
    </div>
  );
}
