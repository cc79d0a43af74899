import { useEffect } from 'react';
import { checkLogin } from '../auth/authActions';
import { screenFor } from '../auth/authState';
import { useAuth } from '../auth/useAuth';
import { LogoutButton } from '../components/UserBar';
import { LoginView } from '../views/LoginView';
import { ForcedPasswordView } from '../views/PasswordView';
import { AdminShell } from './AdminShell';
import { MonitorShell } from './MonitorShell';

/** Longest setTimeout delay browsers honour (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** At the login's known end, ask the server, so the page leaves the monitor instead of waiting for a refusal. */
function useExpiryCheck() {
  const expiresAt = useAuth((s) => s.expiresAt);
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = setTimeout(() => void checkLogin(), Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now()) + 1000));
    return () => clearTimeout(timer);
  }, [expiresAt]);
}

function CheckingView() {
  const checkError = useAuth((s) => s.checkError);
  return (
    <div className="auth-page">
      <div className="auth-panel" data-testid="auth-checking">
        <h1>Ketamine infusion monitor</h1>
        {checkError ? (
          <p className="form-error" role="alert">
            Cannot check your login ({checkError}). Retrying…
          </p>
        ) : (
          <p className="empty">Checking your login…</p>
        )}
      </div>
    </div>
  );
}

function NoAccessView() {
  const user = useAuth((s) => s.user);
  return (
    <div className="auth-page">
      <div className="auth-panel" data-testid="no-access">
        <h1>No access</h1>
        <p>The role {user?.role} has no page in this application.</p>
        <LogoutButton />
      </div>
    </div>
  );
}

/** Root: what the page shows follows the login (src/auth/authState.ts screenFor). */
export function App() {
  const screen = useAuth(screenFor);
  const userId = useAuth((s) => s.user?.id);
  useExpiryCheck();
  switch (screen) {
    case 'checking':
      return <CheckingView />;
    case 'login':
      return <LoginView />;
    case 'password':
      return <ForcedPasswordView />;
    case 'monitor':
      return <MonitorShell key={userId} />;
    case 'admin':
      return <AdminShell key={userId} />;
    case 'noAccess':
      return <NoAccessView />;
  }
}
