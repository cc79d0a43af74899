export type Route = { view: 'overview' } | { view: 'session'; sessionId: string } | { view: 'reports' } | { view: 'inbox' } | { view: 'admit' };

/**
 * `#/` is the overview, `#/session/<id>` a session page, `#/reports` the alarm report, `#/inbox` the
 * physician's escalation inbox, `#/admit` the form opening a session; anything else falls back to the overview.
 */
export function parseRoute(hash: string): Route {
  if (/^#\/reports\/?$/.test(hash)) return { view: 'reports' };
  if (/^#\/inbox\/?$/.test(hash)) return { view: 'inbox' };
  if (/^#\/admit\/?$/.test(hash)) return { view: 'admit' };
  const m = /^#\/session\/([^/?#]+)\/?$/.exec(hash);
  if (m?.[1]) {
    try {
      return { view: 'session', sessionId: decodeURIComponent(m[1]) };
    } catch {
      return { view: 'overview' };
    }
  }
  return { view: 'overview' };
}

export const sessionHref = (sessionId: string) => `#/session/${encodeURIComponent(sessionId)}`;
export const OVERVIEW_HREF = '#/';
export const REPORTS_HREF = '#/reports';
export const INBOX_HREF = '#/inbox';
export const ADMIT_HREF = '#/admit';
