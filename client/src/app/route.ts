export type Route = { view: 'overview' } | { view: 'session'; sessionId: string } | { view: 'reports' };

/** `#/` is the overview, `#/session/<id>` a session page, `#/reports` the alarm report; anything else falls back to the overview. */
export function parseRoute(hash: string): Route {
  if (/^#\/reports\/?$/.test(hash)) return { view: 'reports' };
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
