import type { DoseCheck, FieldError } from '@infusion/shared';
import { crossingText, limitLines, markOf } from './doseLimits';
import { shownText } from '../clinicianWords';

/** The limits that apply to a dose form, before submit; the ones the typed value crosses are marked. */
export function DoseLimitsList({ check, testId, empty }: { check: Pick<DoseCheck, 'limits' | 'crossings' | 'outcome'> | null; testId: string; empty?: string }) {
  if (!check) return empty ? <p className="hint dose-limits" data-testid={testId}>{empty}</p> : null;
  const lines = limitLines(check);
  const mark = markOf(check);
  return (
    <div className={`dose-limits mark-${mark}`} data-testid={testId} data-mark={mark}>
      {mark !== 'ok' && (
        <div className={mark === 'hard' ? 'limit-verdict verdict-hard' : 'limit-verdict verdict-soft'} role="status">
          {mark === 'hard' ? 'Crosses a hard limit: will be refused' : 'Crosses a soft limit: needs a confirmed reason'}
        </div>
      )}
      {lines.length === 0 ? (
        <p className="hint">No dose limit applies to this action.</p>
      ) : (
        <ul>
          {lines.map((l) => (
            <li key={`${l.ids.join('+')}|${l.text}|${l.level}`} className={l.crossed ? `limit-line crossed-${l.level}` : 'limit-line'} data-limit={l.ids.join(' ')} data-crossed={l.crossed ? l.level : undefined}>
              {l.crossed && <span className="limit-mark">{l.level === 'hard' ? 'HARD ✕' : 'SOFT !'}</span>}
              {l.text} <span className="limit-level">({l.level}{l.physicianConfirms ? ', physician confirms' : ''})</span>
              <div className="hint">{shownText(l.source)}</div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * A dose the server refused. Hard limits: what, value, limit, source; cannot be overridden at the
 * bedside and nothing was stored. Other refusals (checklist, state, a physician must confirm) show
 * the server's reason and items.
 */
export function DoseRefusal({ error, fields, check, testId }: { error: string; fields?: FieldError[] | undefined; check: DoseCheck | null; testId: string }) {
  const hard = check?.crossings.filter((c) => c.level === 'hard') ?? [];
  if (check && hard.length > 0) {
    return (
      <div className="form-error hard-refusal" role="alert" data-testid={testId} data-kind="hard-limit">
        <strong>Refused: not given, nothing was recorded.</strong> {hard.length === 1 ? 'A hard limit' : `${hard.length} hard limits`} cannot be overridden at the bedside (only an admin changes the rule set; a physician the order).
        <ul className="refusal-items">
          {hard.map((c) => (
            <li key={`${c.id}|${c.limit}`} data-limit={c.id}>
              <strong>{crossingText(c)}</strong>
              <div className="hint">Source: {shownText(c.source)}</div>
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="form-error" role="alert" data-testid={testId} data-kind={check ? 'confirm-refused' : 'error'}>
      {error}
      {fields && fields.length > 0 && (
        <ul className="infusion-error-items">
          {fields.map((f) => (
            <li key={`${f.field}:${f.reason}`}>{f.field === 'checklist' ? f.reason : `${f.field}: ${f.reason}`}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
