import { useState, type FormEvent } from 'react';
import { ROLES, type FieldError, type PublicUser, type Role } from '@infusion/shared';
import { api } from '../auth/authActions';
import { useAuth } from '../auth/useAuth';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { formatDateTime } from '../format';
import { formatUnits, MIN_PASSWORD_LENGTH, parseUnits } from '../forms';
import { useApiData } from './useApiData';

interface Refusal {
  error: string;
  fields?: FieldError[] | undefined;
}

const CREATE_FIELDS = ['username', 'displayName', 'role', 'units', 'password', 'mustChangePassword'] as const;
const EDIT_FIELDS = ['displayName', 'role', 'units', 'password', 'disabled'] as const;

function RoleSelect({ value, onChange, disabled, testId }: { value: Role; onChange: (r: Role) => void; disabled?: boolean; testId: string }) {
  return (
    <select data-testid={testId} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (u: PublicUser) => void }) {
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>('nurse');
  const [units, setUnits] = useState('infusion-suite');
  const [password, setPassword] = useState('');
  const [mustChange, setMustChange] = useState(true);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setPending(true);
    setRefusal(null);
    const res = await api<PublicUser>('POST', '/api/users', { username: username.trim(), displayName, role, units: parseUnits(units), password, mustChangePassword: mustChange });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setUsername('');
    setDisplayName('');
    setPassword('');
    onCreated(res.data);
  };

  const fields = refusal?.fields;
  return (
    <form className="admin-form" data-testid="user-create-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h3>Create user</h3>
      <label>
        Username
        <input data-testid="user-username" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} />
        <FieldErrorText fields={fields} name="username" />
      </label>
      <label>
        Display name
        <input data-testid="user-display-name" autoComplete="off" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        <FieldErrorText fields={fields} name="displayName" />
      </label>
      <label>
        Role
        <RoleSelect testId="user-role" value={role} onChange={setRole} />
        <FieldErrorText fields={fields} name="role" />
      </label>
      <label>
        Units <span className="hint">(comma-separated; * = all)</span>
        <input data-testid="user-units" autoComplete="off" value={units} onChange={(e) => setUnits(e.target.value)} />
        <FieldErrorText fields={fields} name="units" />
      </label>
      <label>
        Password <span className="hint">(at least {MIN_PASSWORD_LENGTH} characters)</span>
        <input data-testid="user-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <FieldErrorText fields={fields} name="password" />
      </label>
      <label className="checkbox">
        <input data-testid="user-must-change" type="checkbox" checked={mustChange} onChange={(e) => setMustChange(e.target.checked)} />
        Must change the password at first login
      </label>
      <FormError error={refusal?.error ?? null} fields={fields} known={CREATE_FIELDS} testId="user-create-error" />
      <button type="submit" className="primary-button" data-testid="user-create-submit" disabled={pending}>
        {pending ? 'Creating…' : 'Create user'}
      </button>
    </form>
  );
}

/** Display name, role, units and a temporary password of one user; only what changed is sent. */
function EditUserForm({ user, self, onSaved, onCancel }: { user: PublicUser; self: boolean; onSaved: (u: PublicUser) => void; onCancel: () => void }) {
  const [displayName, setDisplayName] = useState(user.displayName);
  const [role, setRole] = useState<Role>(user.role);
  const [units, setUnits] = useState(formatUnits(user.units));
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    const patch: Record<string, unknown> = {};
    if (displayName !== user.displayName) patch.displayName = displayName;
    if (role !== user.role) patch.role = role;
    const parsed = parseUnits(units);
    if (formatUnits(parsed) !== formatUnits(user.units)) patch.units = parsed;
    if (password) patch.password = password;
    if (Object.keys(patch).length === 0) {
      onCancel();
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await api<PublicUser>('PATCH', `/api/users/${user.id}`, patch);
    setPending(false);
    if (res.ok) onSaved(res.data);
    else setRefusal({ error: res.error, fields: res.fields });
  };

  const fields = refusal?.fields;
  return (
    <form className="admin-form inline-form" data-testid={`user-edit-form-${user.id}`} onSubmit={(e) => void onSubmit(e)} noValidate>
      <label>
        Display name
        <input data-testid="user-edit-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        <FieldErrorText fields={fields} name="displayName" />
      </label>
      <label>
        Role
        <RoleSelect testId="user-edit-role" value={role} onChange={setRole} disabled={self} />
        <FieldErrorText fields={fields} name="role" />
      </label>
      <label>
        Units
        <input data-testid="user-edit-units" value={units} onChange={(e) => setUnits(e.target.value)} />
        <FieldErrorText fields={fields} name="units" />
      </label>
      <label>
        Temporary password <span className="hint">(optional; the user must change it at next login)</span>
        <input data-testid="user-edit-password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        <FieldErrorText fields={fields} name="password" />
      </label>
      <p className="hint">A new role, new units or a temporary password end this user&apos;s current logins.{self ? ' That includes yours.' : ''}</p>
      <FormError error={refusal?.error ?? null} fields={fields} known={EDIT_FIELDS} testId="user-edit-error" />
      <div className="form-buttons">
        <button type="submit" className="primary-button" data-testid="user-edit-save" disabled={pending}>
          {pending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="header-button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function UserRow({ user, self, onChanged }: { user: PublicUser; self: boolean; onChanged: (msg: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const toggleDisabled = async () => {
    setPending(true);
    setError(null);
    const res = await api<PublicUser>('PATCH', `/api/users/${user.id}`, { disabled: !user.disabled });
    setPending(false);
    if (res.ok) onChanged(`${res.data.username} ${res.data.disabled ? 'disabled' : 'enabled'}.`);
    else setError(res.error);
  };

  return (
    <>
      <tr data-testid={`user-row-${user.id}`} data-username={user.username} data-disabled={user.disabled} className={user.disabled ? 'row-disabled' : undefined}>
        <td>{user.id}</td>
        <td>{user.username}</td>
        <td>{user.displayName}</td>
        <td>{user.role}</td>
        <td>{formatUnits(user.units)}</td>
        <td>
          {user.disabled ? 'disabled' : 'active'}
          {user.mustChangePassword && <div className="hint">must change password</div>}
        </td>
        <td>{formatDateTime(user.createdAt)}</td>
        <td className="row-actions">
          <button type="button" className="header-button" data-testid={`user-edit-${user.id}`} onClick={() => setEditing((v) => !v)}>
            {editing ? 'Close' : 'Edit'}
          </button>
          <button
            type="button"
            className="header-button"
            data-testid={`user-toggle-${user.id}`}
            disabled={pending || self}
            title={self ? 'You cannot disable your own account' : undefined}
            onClick={() => void toggleDisabled()}
          >
            {user.disabled ? 'Enable' : 'Disable'}
          </button>
          {error && (
            <div className="field-error" role="alert" data-testid={`user-toggle-error-${user.id}`}>
              {error}
            </div>
          )}
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={8}>
            <EditUserForm
              user={user}
              self={self}
              onCancel={() => setEditing(false)}
              onSaved={(u) => {
                setEditing(false);
                onChanged(`${u.username} saved.`);
              }}
            />
          </td>
        </tr>
      )}
    </>
  );
}

export function UsersPanel() {
  const { data: users, error, loading, reload } = useApiData<PublicUser[]>('/api/users');
  const selfId = useAuth((s) => s.user?.id);
  const [message, setMessage] = useState<string | null>(null);
  const changed = (msg: string) => {
    setMessage(msg);
    reload();
  };
  return (
    <section className="admin-section" id="admin-users" data-testid="admin-users">
      <h2>Users</h2>
      {error && (
        <p className="form-error" role="alert">
          Could not load users: {error}
        </p>
      )}
      {message && (
        <p className="flash" role="status" data-testid="users-message">
          {message}
        </p>
      )}
      {loading && !users ? (
        <p className="empty">Loading…</p>
      ) : (
        <table className="admin-table" data-testid="users-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Username</th>
              <th>Name</th>
              <th>Role</th>
              <th>Units</th>
              <th>Status</th>
              <th>Created</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(users ?? []).map((u) => (
              <UserRow key={u.id} user={u} self={u.id === selfId} onChanged={changed} />
            ))}
          </tbody>
        </table>
      )}
      <CreateUserForm onCreated={(u) => changed(`User ${u.username} created.`)} />
    </section>
  );
}
