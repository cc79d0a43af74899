import { useState } from 'react';
import { useCan } from '../auth/useCan';
import { EXPORT_FORMATS, fetchExport, formatBytes, saveFile, type ExportFormat } from './exportDownload';

type State = { busy: ExportFormat | null; bytes: number; error: string | null };

/**
 * "Export PDF / CSV / FHIR" for the session's record. One export at a time: the running one shows
 * its progress (bytes received), a failure shows the server's reason.
 */
export function ExportButtons({ sessionId }: { sessionId: string }) {
  const canExport = useCan('session.export');
  const [state, setState] = useState<State>({ busy: null, bytes: 0, error: null });
  if (!canExport) return null;

  const run = async (format: ExportFormat) => {
    setState({ busy: format, bytes: 0, error: null });
    const r = await fetchExport(sessionId, format, (bytes) => setState((s) => (s.busy === format ? { ...s, bytes } : s)));
    if (r.ok) saveFile(r.file, r.name);
    setState({ busy: null, bytes: 0, error: r.ok ? null : `${format.toUpperCase()} export failed: ${r.error}` });
  };

  return (
    <div className="export-buttons" data-testid="export-buttons" role="group" aria-label="Export the session record">
      {EXPORT_FORMATS.map(({ format, label, what }) => {
        const busy = state.busy === format;
        return (
          <button
            key={format}
            type="button"
            className="export-button"
            data-testid={`export-${format}`}
            title={`Download ${what}`}
            disabled={state.busy !== null}
            aria-busy={busy}
            onClick={() => void run(format)}
          >
            {busy ? `Exporting… ${state.bytes ? formatBytes(state.bytes) : ''}`.trim() : label}
          </button>
        );
      })}
      {state.error && (
        <p className="fetch-error" role="alert" data-testid="export-error">
          {state.error}
        </p>
      )}
    </div>
  );
}
