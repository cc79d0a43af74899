import type { AuditRow } from '@infusion/shared';

export type { AuditRow };

/**
 * The newest part of the audit log held by the admin page. The server lists the log oldest first
 * after an id (`afterId`, at most 1000 rows a request), so the page reads forward to the end and
 * keeps only the newest `keep` rows; a refresh then reads only what is newer than `lastId`.
 */
export interface AuditBuffer {
  /** Ascending by id. */
  rows: AuditRow[];
  /** Highest id read so far (0 before the first read): the next request's afterId. */
  lastId: number;
  /** Whether older rows were read and let go (the export has the whole log). */
  truncated: boolean;
}

/** Rows per request: the server's maximum. */
export const AUDIT_FETCH_LIMIT = 1000;
/** Rows held on the page. */
export const AUDIT_KEEP = 2000;
export const AUDIT_PAGE_SIZE = 50;

export const emptyAuditBuffer: AuditBuffer = { rows: [], lastId: 0, truncated: false };

/** Add rows read after buf.lastId: rows already held are ignored, and only the newest `keep` stay. */
export function appendAudit(buf: AuditBuffer, rows: readonly AuditRow[], keep = AUDIT_KEEP): AuditBuffer {
  const fresh = rows.filter((r) => r.id > buf.lastId).sort((a, b) => a.id - b.id);
  if (fresh.length === 0) return buf;
  const all = [...buf.rows, ...fresh];
  const drop = Math.max(0, all.length - keep);
  return { rows: drop ? all.slice(drop) : all, lastId: fresh[fresh.length - 1]!.id, truncated: buf.truncated || drop > 0 };
}

/** One page, newest first: page 0 is the newest. Out-of-range pages are clamped. */
export function auditPage(buf: AuditBuffer, page: number, size = AUDIT_PAGE_SIZE): { rows: AuditRow[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(buf.rows.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const end = buf.rows.length - p * size;
  const rows = buf.rows.slice(Math.max(0, end - size), end).reverse();
  return { rows, page: p, pages };
}

/** JSON text of a before/after column, indented for reading; other text as it is. */
export function prettyJson(text: string | null): string {
  if (text === null) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
