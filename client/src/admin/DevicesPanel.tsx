import { useState, type FormEvent } from 'react';
import type { FieldError } from '@infusion/shared';
import { api } from '../auth/authActions';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { formatDateTime } from '../format';
import { useApiData } from './useApiData';

/** A device as GET /api/devices lists it. */
export interface DeviceInfo {
  id: number;
  name: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastSeenAt: number | null;
}

const CREATE_FIELDS = ['name'] as const;

/**
 * The key of a new device, shown once: the server stores only its hash. Held in this component's
 * state only (no store, no storage) and gone when dismissed.
 */
function NewKey({ name, deviceKey, onDismiss }: { name: string; deviceKey: string; onDismiss: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(deviceKey);
      setCopied('Copied.');
    } catch {
      // No clipboard access (e.g. plain HTTP): the key is selectable text.
      setCopied('Copying is not available here: select the key and copy it.');
    }
  };
  return (
    <div className="device-key-panel" data-testid="device-key-notice">
      <p className="device-key-warning" role="alert">
        Key for device “{name}”: copy it now, it will not be shown again. The server keeps only a hash of it.
      </p>
      <code className="device-key" data-testid="device-key">
        {deviceKey}
      </code>
      <div className="form-buttons">
        <button type="button" className="primary-button" data-testid="device-key-copy" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" className="header-button" data-testid="device-key-dismiss" onClick={onDismiss}>
          I have stored the key
        </button>
        {copied && <span className="hint">{copied}</span>}
      </div>
    </div>
  );
}

function CreateDeviceForm({ onCreated }: { onCreated: (device: DeviceInfo, key: string) => void }) {
  const [name, setName] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setPending(true);
    setRefusal(null);
    const res = await api<{ device: DeviceInfo; key: string }>('POST', '/api/devices', { name });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    setName('');
    onCreated(res.data.device, res.data.key);
  };

  return (
    <form className="admin-form" data-testid="device-create-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h3>Register device</h3>
      <label>
        Name
        <input data-testid="device-name" autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} />
        <FieldErrorText fields={refusal?.fields} name="name" />
      </label>
      <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={CREATE_FIELDS} testId="device-create-error" />
      <button type="submit" className="primary-button" data-testid="device-create-submit" disabled={pending}>
        {pending ? 'Creating…' : 'Create device key'}
      </button>
    </form>
  );
}

/** Revoking is final (the device must get a new key): asks for a second click. */
function RevokeButton({ device, onRevoked }: { device: DeviceInfo; onRevoked: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const revoke = async () => {
    setPending(true);
    setError(null);
    const res = await api<DeviceInfo>('POST', `/api/devices/${device.id}/revoke`);
    setPending(false);
    setConfirming(false);
    if (res.ok) onRevoked();
    else setError(res.error);
  };
  return (
    <>
      {confirming ? (
        <>
          <button type="button" className="danger-button" data-testid={`device-revoke-confirm-${device.id}`} disabled={pending} onClick={() => void revoke()}>
            {pending ? 'Revoking…' : 'Revoke now'}
          </button>
          <button type="button" className="header-button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" className="header-button" data-testid={`device-revoke-${device.id}`} onClick={() => setConfirming(true)}>
          Revoke
        </button>
      )}
      {error && (
        <div className="field-error" role="alert" data-testid={`device-revoke-error-${device.id}`}>
          {error}
        </div>
      )}
    </>
  );
}

export function DevicesPanel() {
  const { data: devices, error, loading, reload } = useApiData<DeviceInfo[]>('/api/devices');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <section className="admin-section" id="admin-devices" data-testid="admin-devices">
      <h2>Devices</h2>
      {error && (
        <p className="form-error" role="alert">
          Could not load devices: {error}
        </p>
      )}
      {message && (
        <p className="flash" role="status" data-testid="devices-message">
          {message}
        </p>
      )}
      {created && <NewKey name={created.name} deviceKey={created.key} onDismiss={() => setCreated(null)} />}
      {loading && !devices ? (
        <p className="empty">Loading…</p>
      ) : (
        <table className="admin-table" data-testid="devices-table">
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Created</th>
              <th>Created by</th>
              <th>Last seen</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(devices ?? []).map((d) => (
              <tr key={d.id} data-testid={`device-row-${d.id}`} data-revoked={d.revokedAt !== null} className={d.revokedAt !== null ? 'row-disabled' : undefined}>
                <td>{d.id}</td>
                <td>{d.name}</td>
                <td>{formatDateTime(d.createdAt)}</td>
                <td>{d.createdBy}</td>
                <td>{d.lastSeenAt === null ? 'never' : formatDateTime(d.lastSeenAt)}</td>
                <td>{d.revokedAt === null ? 'active' : `revoked ${formatDateTime(d.revokedAt)}`}</td>
                <td className="row-actions">
                  {d.revokedAt === null && (
                    <RevokeButton
                      device={d}
                      onRevoked={() => {
                        setMessage(`Device ${d.name} revoked.`);
                        reload();
                      }}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <CreateDeviceForm
        onCreated={(device, key) => {
          setMessage(null);
          setCreated({ name: device.name, key });
          reload();
        }}
      />
    </section>
  );
}
