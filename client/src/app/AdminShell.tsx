import { useState } from 'react';
import { AdminPage } from '../admin/AdminPage';
import { useCan } from '../auth/useCan';
import { UserBar } from '../components/UserBar';
import { ReportsPage } from '../reports/ReportsPage';
import { PasswordForm } from '../views/PasswordView';
import { OVERVIEW_HREF, REPORTS_HREF } from './route';
import { useRoute } from './useRoute';

/** Shell of an administrator: no patient data and no dashboard socket, only the admin page. */
export function AdminShell() {
  const route = useRoute();
  const canReport = useCan('report.view');
  const [changingPassword, setChangingPassword] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-header-row">
          <div className="app-brand">
            <span className="app-title">Ketamine infusion monitor</span>
            <span className="ruleset">Administration</span>
            <span className="header-links">
              <a className="header-link" href={OVERVIEW_HREF}>
                Admin
              </a>
              {canReport && (
                <a className="header-link" href={REPORTS_HREF} data-testid="reports-link">
                  Reports
                </a>
              )}
            </span>
          </div>
          <div className="header-spacer" />
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
        ) : route.view === 'reports' && canReport ? (
          <ReportsPage />
        ) : (
          <AdminPage />
        )}
      </main>
    </div>
  );
}
