import { useState, type FormEvent } from 'react';
import type { FieldError } from '@infusion/shared';
import { changePassword } from '../auth/authActions';
import { refusalText } from '../auth/http';
import { useAuth } from '../auth/useAuth';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { LogoutButton } from '../components/UserBar';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../forms';

const FIELDS = ['currentPassword', 'newPassword'] as const;

/**
 * Change one's own password. Forced after a login with a one-time or reset password (the server
 * allows nothing else until then); otherwise opened from the header. The server then starts a new
 * login (new cookie and CSRF token) and ends every other login of this user.
 */
export function PasswordForm({ onDone, onCancel }: { onDone?: () => void; onCancel?: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldError[] | undefined>(undefined);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const local: FieldError[] = [];
    if (!current) local.push({ field: 'currentPassword', reason: 'enter your current password' });
    const problem = passwordProblem(next);
    if (problem) local.push({ field: 'newPassword', reason: problem });
    if (local.length) {
      setError('Check the fields below.');
      setFields(local);
      return;
    }
    setPending(true);
    setError(null);
    setFields(undefined);
    const res = await changePassword(current, next);
    if (res.ok) {
      onDone?.();
      return;
    }
    setPending(false);
    setError(refusalText(res));
    setFields(res.fields);
  };

  return (
    <form className="auth-panel password-form" data-testid="password-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <label>
        Current password
        <input data-testid="password-current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        <FieldErrorText fields={fields} name="currentPassword" testId="password-current-error" />
      </label>
      <label>
        New password <span className="hint">(at least {MIN_PASSWORD_LENGTH} characters)</span>
        <input data-testid="password-new" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        <FieldErrorText fields={fields} name="newPassword" testId="password-new-error" />
      </label>
      <FormError error={error} fields={fields} known={FIELDS} testId="password-error" />
      <div className="form-buttons">
        <button type="submit" className="primary-button" data-testid="password-submit" disabled={pending}>
          {pending ? 'Changing…' : 'Change password'}
        </button>
        {onCancel && (
          <button type="button" className="header-button" data-testid="password-cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/** The only page for a user whose password must be changed first. */
export function ForcedPasswordView() {
  const user = useAuth((s) => s.user);
  return (
    <div className="auth-page">
      <div className="auth-column">
        <h1>Choose a new password</h1>
        <p className="auth-notice" data-testid="password-required">
          {user ? `${user.displayName} (${user.username}): ` : ''}your password is temporary. Choose your own before using the monitor.
        </p>
        <PasswordForm />
        <div className="auth-footer">
          <LogoutButton />
        </div>
      </div>
    </div>
  );
}
