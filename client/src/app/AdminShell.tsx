import { useState } from 'react';
import { AdminPage } from '../admin/AdminPage';
import { UserBar } from '../components/UserBar';
import { PasswordForm } from '../views/PasswordView';

/** Shell of an administrator: no patient data and no dashboard socket, only the admin page. */
export function AdminShell() {
  const [changingPassword, setChangingPassword] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="app">
      <header className="app-header">
        <div className="app-header-row">
          <div className="app-brand">
            <span className="app-title">Ketamine infusion monitor</span>
            <span className="ruleset">Administration</span>
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
        ) : (
          <AdminPage />
        )}
      </main>
    </div>
  );
}
