import { useEffect, useState, type ReactNode } from 'react';
import { useAuth } from '../auth/useAuth';
import { AlarmBanner } from '../components/AlarmBanner';
import { AudioControl } from '../components/AudioControl';
import { ConnectionBanner } from '../components/ConnectionBanner';
import { TrainingMarker, UserBar } from '../components/UserBar';
import { startLiveUpdates } from '../realtime/liveUpdates';
import { createDashboardSocket } from '../socket';
import { resetDashboardStores } from '../stores/reset';
import { useMonitor } from '../stores/useMonitor';
import { OverviewView } from '../views/OverviewView';
import { PasswordForm } from '../views/PasswordView';
import { SessionView } from '../views/SessionView';
import { OVERVIEW_HREF } from './route';
import { SocketContext } from './socketContext';
import { useRoute } from './useRoute';

function RuleSetLabel() {
  const ruleSet = useMonitor((s) => s.ruleSet);
  if (!ruleSet) return null;
  return (
    <span className="ruleset" data-testid="ruleset">
      Rules: {ruleSet.name} v{ruleSet.version}
    </span>
  );
}

/**
 * The dashboard socket of one login: created when mounted (keyed by the login's CSRF token, so a new
 * login or a password change gets a fresh socket with the new cookie), stopped and forgotten when
 * unmounted. The stores start empty and are emptied again, so nothing passes to the next user.
 */
function LiveLink({ children }: { children: ReactNode }) {
  const [socket] = useState(createDashboardSocket);
  useEffect(() => {
    resetDashboardStores();
    const stop = startLiveUpdates(socket);
    return () => {
      stop();
      resetDashboardStores();
    };
  }, [socket]);
  return <SocketContext value={socket}>{children}</SocketContext>;
}

function RoutedView() {
  const route = useRoute();
  return route.view === 'session' ? <SessionView key={route.sessionId} sessionId={route.sessionId} /> : <OverviewView />;
}

/** Shell of a clinical user: header with the global alarm banner, connection warning, user, and the routed page. */
export function MonitorShell() {
  const csrfToken = useAuth((s) => s.csrfToken);
  const [changingPassword, setChangingPassword] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="app">
      <header className="app-header">
        <ConnectionBanner />
        <TrainingMarker />
        <div className="app-header-row">
          <div className="app-brand">
            <a href={OVERVIEW_HREF}>Ketamine infusion monitor</a>
            <RuleSetLabel />
          </div>
          <AlarmBanner />
          <AudioControl />
          <UserBar
            onChangePassword={() => {
              setMessage(null);
              setChangingPassword(true);
            }}
          />
        </div>
      </header>
      <main className="app-main">
        {message && (
          <p className="flash" role="status">
            {message}
          </p>
        )}
        <LiveLink key={csrfToken ?? ''}>
          {changingPassword ? (
            <section className="page-panel">
              <h2>Change password</h2>
              <PasswordForm
                onCancel={() => setChangingPassword(false)}
                onDone={() => {
                  setChangingPassword(false);
                  setMessage('Password changed. Your other logins have been ended.');
                }}
              />
            </section>
          ) : (
            <RoutedView />
          )}
        </LiveLink>
      </main>
    </div>
  );
}
