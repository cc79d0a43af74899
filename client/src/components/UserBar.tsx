import { useState } from 'react';
import { logOut } from '../auth/authActions';
import { seesOnlySimulated, TRAINING_MARKER_TEXT } from '../auth/permissions';
import { useAuth } from '../auth/useAuth';

/** A strip across the header of a trainer's page: nothing here is a real patient. */
export function TrainingMarker() {
  const role = useAuth((s) => s.user?.role);
  if (!role || !seesOnlySimulated(role)) return null;
  return (
    <div className="training-marker" data-testid="training-marker" title="Training login: the server sends simulated sessions only">
      {TRAINING_MARKER_TEXT}
    </div>
  );
}

/** A Logout button with its own error text (the page stays logged in until the server agreed). */
export function LogoutButton() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const onClick = async () => {
    setPending(true);
    setError(null);
    const res = await logOut();
    // On success this component is gone with the logged-in page.
    if (!res.ok && res.status !== 401) {
      setPending(false);
      setError(res.error);
    }
  };
  return (
    <>
      <button type="button" className="header-button" data-testid="logout" disabled={pending} onClick={() => void onClick()}>
        {pending ? 'Logging out…' : 'Logout'}
      </button>
      {error && (
        <span className="logout-error" role="alert" data-testid="logout-error">
          Logout failed: {error}
        </span>
      )}
    </>
  );
}

/** Header: who is logged in and as what, password change and logout. */
export function UserBar({ onChangePassword }: { onChangePassword?: () => void }) {
  const user = useAuth((s) => s.user);
  if (!user) return null;
  return (
    <div className="user-bar">
      <span className="current-user" data-testid="current-user" data-username={user.username} data-role={user.role}>
        <span className="current-user-name">{user.displayName}</span>
        <span className="current-user-role"> · {user.role}</span>
      </span>
      <div className="user-actions">
        {onChangePassword && (
          <button type="button" className="header-button" data-testid="change-password" onClick={onChangePassword}>
            Password
          </button>
        )}
        <LogoutButton />
      </div>
    </div>
  );
}
