import { useState } from 'react';
import type { FieldError, RuleSet } from '@infusion/shared';
import { api } from '../auth/authActions';
import { formatDateTime } from '../format';
import { editableRuleSetText, parseRuleSetText } from './ruleSetEdit';
import { useApiData } from './useApiData';

/** GET /api/rulesets/versions. */
interface RuleSetVersionInfo {
  id: string;
  version: number;
  name: string;
  createdAt: number;
  createdBy: string;
}

function VersionView({ version }: { version: number }) {
  const { data, error, loading } = useApiData<RuleSet>(`/api/rulesets/versions/${version}`);
  if (error) return <p className="form-error">Could not load version {version}: {error}</p>;
  if (loading && !data) return <p className="empty">Loading…</p>;
  return (
    <pre className="json-view" data-testid="ruleset-version-json">
      {JSON.stringify(data, null, 2)}
    </pre>
  );
}

/** Edit box: the whole document (minus id and version); saving makes the next version. */
function RuleSetEdit({ current, onSaved }: { current: RuleSet; onSaved: (rs: RuleSet) => void }) {
  const [text, setText] = useState(() => editableRuleSetText(current));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fields, setFields] = useState<FieldError[]>([]);

  const save = async () => {
    if (pending) return;
    const parsed = parseRuleSetText(text);
    if (!parsed.ok) {
      setError(parsed.reason);
      setFields([]);
      return;
    }
    setPending(true);
    setError(null);
    setFields([]);
    const res = await api<RuleSet>('PUT', '/api/rulesets/current', parsed.doc);
    setPending(false);
    if (!res.ok) {
      setError(res.error);
      setFields(res.fields ?? []);
      return;
    }
    onSaved(res.data);
  };

  return (
    <div className="ruleset-edit">
      <h3>Edit</h3>
      <p className="hint">New sessions use the new version; running sessions keep the version they were opened under.</p>
      <textarea data-testid="ruleset-edit" className="json-edit" spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} rows={24} />
      {error && (
        <div className="form-error" role="alert" data-testid="ruleset-error">
          {error}
          {fields.length > 0 && (
            <ul>
              {fields.map((f) => (
                <li key={`${f.field}:${f.reason}`} data-testid="ruleset-field-error">
                  <code>{f.field}</code>: {f.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="form-buttons">
        <button type="button" className="primary-button" data-testid="ruleset-save" disabled={pending} onClick={() => void save()}>
          {pending ? 'Saving…' : 'Save as new version'}
        </button>
        <button type="button" className="header-button" onClick={() => setText(editableRuleSetText(current))}>
          Start again from the current version
        </button>
      </div>
    </div>
  );
}

/** Rule-set versions, the current document (read-only) and an edit box that saves a new version. */
export function RuleSetPanel() {
  const versions = useApiData<RuleSetVersionInfo[]>('/api/rulesets/versions');
  const current = useApiData<RuleSet>('/api/rulesets/current');
  const [viewing, setViewing] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const cur = current.data;
  return (
    <section className="admin-section" id="admin-ruleset" data-testid="ruleset-editor">
      <h2>Alarm rule set {cur && <span className="hint" data-testid="ruleset-current-version">current: version {cur.version}</span>}</h2>
      {(versions.error || current.error) && (
        <p className="form-error" role="alert">
          Could not load the rule set: {versions.error ?? current.error}
        </p>
      )}
      {message && (
        <p className="flash" role="status" data-testid="ruleset-message">
          {message}
        </p>
      )}
      <table className="admin-table" data-testid="ruleset-versions">
        <thead>
          <tr>
            <th>Version</th>
            <th>Name</th>
            <th>Created</th>
            <th>By</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {[...(versions.data ?? [])].reverse().map((v) => (
            <tr key={v.version} data-testid={`ruleset-version-${v.version}`}>
              <td>
                {v.version}
                {cur?.version === v.version && <span className="ack-marker">CURRENT</span>}
              </td>
              <td>{v.name}</td>
              <td>{formatDateTime(v.createdAt)}</td>
              <td>{v.createdBy}</td>
              <td>
                <button type="button" className="header-button" onClick={() => setViewing(viewing === v.version ? null : v.version)}>
                  {viewing === v.version ? 'Hide' : 'View'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {viewing !== null && <VersionView version={viewing} />}
      {cur && (
        <>
          <h3>Current document (version {cur.version}, read-only)</h3>
          <pre className="json-view" data-testid="ruleset-json">
            {JSON.stringify(cur, null, 2)}
          </pre>
          <RuleSetEdit
            key={cur.version}
            current={cur}
            onSaved={(rs) => {
              setMessage(`Saved as version ${rs.version}.`);
              current.reload();
              versions.reload();
            }}
          />
        </>
      )}
    </section>
  );
}
