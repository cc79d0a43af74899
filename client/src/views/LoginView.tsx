import { useState, type FormEvent } from 'react';
import type { FieldError } from '@infusion/shared';
import { alarmTones } from '../audio/alarmTones';
import { logIn } from '../auth/authActions';
import { refusalText } from '../auth/http';
import { useAuth } from '../auth/useAuth';
import { fieldMessage } from '../forms';

/** The login form. A notice above it says when an earlier login ended by itself. */
export function LoginView() {
  const notice = useAuth((s) => s.notice);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldError[] | undefined>(undefined);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    // The login click is the user gesture browsers require before sound: alarm audio starts here.
    void alarmTones.enable();
    if (pending) return;
    const name = username.trim();
    if (!name || !password) {
      setError('Enter your username and password.');
      setFields(undefined);
      return;
    }
    setPending(true);
    setError(null);
    setFields(undefined);
    const res = await logIn(name, password);
    // On success the page moves on and this form is gone.
    if (res.ok) return;
    setPending(false);
    setPassword('');
    setError(refusalText(res));
    setFields(res.fields);
  };

  const usernameError = fieldMessage(fields, 'username');
  const passwordError = fieldMessage(fields, 'password');
  return (
    <div className="auth-page">
      <form className="auth-panel" data-testid="login-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <h1>Ketamine infusion monitor</h1>
        {notice && (
          <p className="auth-notice" role="alert" data-testid="login-notice">
            {notice}
          </p>
        )}
        <label>
          Username
          <input
            data-testid="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input data-testid="login-password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="login-error">
            {error}
            {usernameError && <span className="form-error-detail">Username: {usernameError}</span>}
            {passwordError && <span className="form-error-detail">Password: {passwordError}</span>}
          </p>
        )}
        <button type="submit" className="primary-button" data-testid="login-submit" disabled={pending}>
          {pending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}
