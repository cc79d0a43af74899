import { useMemo, useState, type FormEvent } from 'react';
import { ALARM_PRIORITIES, type RuleChange, type RuleProfile, type RuleSet, type Session } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { useCan } from '../auth/useCan';
import { otherFieldErrors } from '../forms';
import { resetLimits, sessionRulesPath, setLimits } from './careActions';
import { limitParamOptions, paramInputText, paramValueText, parseParamValue, withLimitOverride, type ParamKey } from './limitParams';
import { shownText } from '../clinicianWords';

/** GET /api/sessions/:id/rules. */
interface SessionRules {
  ruleSetVersion: number;
  profile: RuleProfile;
  changes: RuleChange[];
  ruleSet: RuleSet;
}

/**
 * Patient-specific alarm limits (limits.override: the physician's decision, audited, and always shown
 * as CHANGED LIMITS). Only the parameters a rule has are offered; earlier changes are kept.
 */
export function LimitsEditor({ session }: { session: Session }) {
  const allowed = useCan('limits.override');
  if (!allowed || session.status !== 'active') return null;
  return <LimitsEditorForm session={session} />;
}

function LimitsEditorForm({ session }: { session: Session }) {
  // Re-read whenever the session's limits change (from here or another screen).
  const { data, error: loadError, reload } = useApiData<SessionRules>(sessionRulesPath(session.id));
  const changedKey = session.limitsChanged.join('\n');
  const [seenKey, setSeenKey] = useState(changedKey);
  if (seenKey !== changedKey) {
    setSeenKey(changedKey);
    reload();
  }
  const [ruleId, setRuleId] = useState('');
  const [param, setParam] = useState<ParamKey | ''>('');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const rules = data?.ruleSet.rules ?? [];
  const rule = rules.find((r) => r.id === ruleId) ?? null;
  const options = useMemo(() => (rule ? limitParamOptions(rule) : []), [rule]);
  const option = options.find((o) => o.key === param) ?? null;

  const chooseRule = (id: string) => {
    setRuleId(id);
    setParam('');
    setValue('');
  };
  const chooseParam = (key: string) => {
    const o = options.find((x) => x.key === key) ?? null;
    setParam(o ? o.key : '');
    setValue(o ? paramInputText(o, o.current) : '');
  };

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setDone(null);
    if (!rule || !option) {
      setError('Choose a rule and a parameter.');
      return;
    }
    const parsed = parseParamValue(option, value);
    if (!parsed.ok) {
      setError(parsed.reason);
      return;
    }
    if (reason.trim().length < 5) {
      setError('Give the clinical reason (at least 5 characters).');
      return;
    }
    setPending(true);
    setError(null);
    const res = await setLimits(session.id, withLimitOverride(session.limitOverrides?.overrides, rule.id, option.key, parsed.value), reason.trim());
    setPending(false);
    if (!res.ok) {
      const details = [...(res.fields ?? []).filter((f) => f.field === 'reason' || f.field.startsWith('overrides')), ...otherFieldErrors(res.fields, ['reason', 'overrides'])];
      setError(details.length ? `${res.error}: ${details.map((f) => f.reason).join('; ')}` : res.error);
      return;
    }
    setDone(`${rule.title}: ${option.label} set to ${paramValueText(option, parsed.value)}.`);
    reload();
  };

  const onReset = async () => {
    if (pending) return;
    setPending(true);
    setError(null);
    setDone(null);
    const res = await resetLimits(session.id);
    setPending(false);
    if (res.ok) {
      setDone('Patient-specific limits removed: the site limits (and the profile) apply.');
      reload();
    } else setError(res.error);
  };

  return (
    <section className="care-block limits-editor" data-testid="limits-editor">
      <h4>Patient-specific limits</h4>
      {loadError && <p className="form-error">Could not load the session's rules: {loadError}</p>}
      {data && data.changes.length > 0 && (
        <ul className="limits-changes">
          {data.changes.map((c) => (
            <li key={`${c.ruleId}:${c.param}:${c.origin}`}>
              {shownText(c.text)} <span className="hint">({c.origin === 'profile' ? 'profile' : 'physician'})</span>
            </li>
          ))}
        </ul>
      )}
      <form className="care-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <label>
          Rule
          <select data-testid="limits-rule" value={ruleId} onChange={(e) => chooseRule(e.target.value)}>
            <option value="">Choose…</option>
            {rules.map((r) => (
              <option key={r.id} value={r.id}>
                {r.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Parameter
          <select data-testid="limits-param" value={param} disabled={!rule} onChange={(e) => chooseParam(e.target.value)}>
            <option value="">Choose…</option>
            {options.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label} (now {paramValueText(o, o.current)})
              </option>
            ))}
          </select>
        </label>
        <label>
          Value{option?.unit ? ` (${option.unit})` : ''}
          {option?.kind === 'boolean' ? (
            <select data-testid="limits-value" value={value} onChange={(e) => setValue(e.target.value)}>
              <option value="true">yes</option>
              <option value="false">no</option>
            </select>
          ) : option?.kind === 'priority' ? (
            <select data-testid="limits-value" value={value} onChange={(e) => setValue(e.target.value)}>
              {ALARM_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          ) : (
            <input data-testid="limits-value" inputMode="decimal" autoComplete="off" disabled={!option} value={value} onChange={(e) => setValue(e.target.value)} />
          )}
        </label>
        <label>
          Reason
          <input data-testid="limits-reason" autoComplete="off" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
        </label>
        <div className="form-buttons">
          <button type="submit" className="primary-button" data-testid="limits-submit" disabled={pending}>
            Set limit
          </button>
          {session.limitOverrides && (
            <button type="button" className="header-button" data-testid="limits-reset" disabled={pending} onClick={() => void onReset()}>
              Reset to site limits
            </button>
          )}
        </div>
        {error && (
          <div className="form-error" role="alert" data-testid="limits-error">
            {error}
          </div>
        )}
        {done && (
          <div className="flash" role="status" data-testid="limits-done">
            {done}
          </div>
        )}
      </form>
    </section>
  );
}
