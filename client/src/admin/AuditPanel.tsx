import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../auth/authActions';
import { formatDateTime } from '../format';
import { AUDIT_FETCH_LIMIT, AUDIT_KEEP, AUDIT_PAGE_SIZE, appendAudit, auditPage, emptyAuditBuffer, prettyJson, type AuditBuffer, type AuditRow } from './auditLog';

function Changes({ row }: { row: AuditRow }) {
  if (row.before === null && row.after === null) return null;
  return (
    <details>
      <summary>changes</summary>
      {row.before !== null && (
        <>
          <div className="hint">before</div>
          <pre>{prettyJson(row.before)}</pre>
        </>
      )}
      {row.after !== null && (
        <>
          <div className="hint">after</div>
          <pre>{prettyJson(row.after)}</pre>
        </>
      )}
    </details>
  );
}

/**
 * The newest entries of the audit log, newest first, a page at a time. Reads forward from the
 * last id held, so Refresh fetches only new entries; the full log is in the exports.
 */
export function AuditPanel() {
  const [buf, setBuf] = useState<AuditBuffer>(emptyAuditBuffer);
  const bufRef = useRef(buf);
  const [page, setPage] = useState(0);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const running = useRef(false);

  const readNewer = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    setLoading(true);
    setError(null);
    try {
      for (;;) {
        const res = await api<AuditRow[]>('GET', `/api/audit?afterId=${bufRef.current.lastId}&limit=${AUDIT_FETCH_LIMIT}`);
        if (!res.ok) {
          setError(res.error);
          break;
        }
        bufRef.current = appendAudit(bufRef.current, res.data);
        setBuf(bufRef.current);
        if (res.data.length < AUDIT_FETCH_LIMIT) break;
      }
    } finally {
      running.current = false;
      setLoading(false);
      setPage(0);
    }
  }, []);

  useEffect(() => {
    void readNewer();
  }, [readNewer]);

  const view = auditPage(buf, page, AUDIT_PAGE_SIZE);
  return (
    <section className="admin-section" id="admin-audit" data-testid="admin-audit">
      <h2>Audit log</h2>
      <div className="audit-tools">
        <button type="button" className="header-button" data-testid="audit-refresh" disabled={loading} onClick={() => void readNewer()}>
          {loading ? 'Loading…' : 'Refresh'}
        </button>
        <button type="button" className="header-button" data-testid="audit-newer" disabled={view.page === 0} onClick={() => setPage(view.page - 1)}>
          ← Newer
        </button>
        <span data-testid="audit-page">
          Page {view.page + 1} of {view.pages}
        </span>
        <button type="button" className="header-button" data-testid="audit-older" disabled={view.page >= view.pages - 1} onClick={() => setPage(view.page + 1)}>
          Older →
        </button>
        <span className="audit-exports">
          Download the whole log:{' '}
          <a href="/api/audit/export?format=csv" download data-testid="audit-export-csv">
            CSV
          </a>{' '}
          <a href="/api/audit/export?format=json" download data-testid="audit-export-json">
            JSON
          </a>
        </span>
      </div>
      <p className="hint" data-testid="audit-redaction-note">
        Patient fields of session and escalation entries read [redacted]: admins see who did what, when, to which session, but no patient data.
      </p>
      {buf.truncated && <p className="hint">Only the newest {AUDIT_KEEP} entries are held here; the download has all of them.</p>}
      {error && (
        <p className="form-error" role="alert" data-testid="audit-error">
          Could not load the audit log: {error}
        </p>
      )}
      <table className="admin-table audit-table" data-testid="audit-table">
        <thead>
          <tr>
            <th>Id</th>
            <th>Time</th>
            <th>Actor</th>
            <th>Action</th>
            <th>Entity</th>
            <th>Request</th>
            <th>Details</th>
          </tr>
        </thead>
        <tbody>
          {view.rows.map((r) => (
            <tr key={r.id} data-testid={`audit-row-${r.id}`} data-action={r.action}>
              <td>{r.id}</td>
              <td>{formatDateTime(r.at)}</td>
              <td>{r.actor}</td>
              <td>{r.action}</td>
              <td>
                {r.entity}
                {r.entity_id !== null && ` ${r.entity_id}`}
              </td>
              <td className="hint">{r.request_id ?? ''}</td>
              <td>
                <Changes row={r} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && buf.rows.length === 0 && !error && <p className="empty">No entries.</p>}
    </section>
  );
}
