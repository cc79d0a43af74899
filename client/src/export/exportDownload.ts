import { readResult, UNREACHABLE } from '../auth/http';
import { handleRefusal } from '../auth/authActions';

export const EXPORT_FORMATS = [
  { format: 'pdf', label: 'Export PDF', what: 'the session report' },
  { format: 'csv', label: 'Export CSV', what: 'vitals and events' },
  { format: 'fhir', label: 'Export FHIR', what: 'FHIR R4 bundle' },
] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number]['format'];

export const exportPath = (sessionId: string, format: ExportFormat) => `/api/sessions/${encodeURIComponent(sessionId)}/export?format=${format}`;

/** The file name the server gives (`attachment; filename="…"`), else a plain one. */
export function fileNameOf(disposition: string | null, fallback: string): string {
  const m = disposition ? /filename="([^"]+)"/.exec(disposition) : null;
  const name = m?.[1]?.replace(/[/\\]/g, '_');
  return name || fallback;
}

export type ExportOutcome = { ok: true; file: Blob; name: string } | { ok: false; error: string };

/**
 * Fetches an export, reporting the bytes received as they arrive (a long session's CSV streams for a
 * while); a refusal becomes the server's reason, never a downloaded error page.
 */
export function fetchExport(sessionId: string, format: ExportFormat, onBytes: (n: number) => void, fetchFn: typeof fetch = fetch): Promise<ExportOutcome> {
  return fetchDownload(exportPath(sessionId, format), `session-${sessionId}.${format === 'fhir' ? 'fhir.json' : format}`, onBytes, fetchFn);
}

/** Any file the server offers for download (`fallbackName` when it names none), as `fetchExport`. */
export async function fetchDownload(path: string, fallbackName: string, onBytes: (n: number) => void, fetchFn: typeof fetch = fetch): Promise<ExportOutcome> {
  let res: Response;
  try {
    res = await fetchFn(path, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    return { ok: false, error: UNREACHABLE };
  }
  if (!res.ok) {
    const r = await readResult<unknown>(res);
    if (!r.ok) handleRefusal(r.error);
    return { ok: false, error: r.ok ? `export failed (HTTP ${res.status})` : r.error };
  }
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  try {
    const reader = res.body?.getReader();
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        received += value.byteLength;
        onBytes(received);
      }
    } else parts.push(new Uint8Array(await res.arrayBuffer()));
  } catch {
    // The server cuts the connection when an export fails midway: an incomplete file is not offered.
    return { ok: false, error: 'the export was interrupted; nothing was saved' };
  }
  return { ok: true, file: new Blob(parts, { type: res.headers.get('content-type') ?? 'application/octet-stream' }), name: fileNameOf(res.headers.get('content-disposition'), fallbackName) };
}

/** Hands the file to the browser's download (an object URL on a temporary link). */
export function saveFile(file: Blob, name: string): void {
  const url = URL.createObjectURL(file);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has taken the blob by the next turn; free it shortly after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "12 kB", "3.4 MB": how much of the file has arrived. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
