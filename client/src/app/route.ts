export type Route =
  | { view: 'overview' }
  | { view: 'session'; sessionId: string }
  | { view: 'reports' }
  | { view: 'inbox' }
  | { view: 'admit' }
  | { view: 'patients' }
  | { view: 'patient'; patientId: number }
  | { view: 'debrief'; runId: string }
  | { view: 'progress'; username: string }
  | { view: 'training' };

/** A path segment decoded, or null when it is not valid percent-encoding. */
const segment = (s: string): string | null => {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
};

/**
 * `#/` is the overview, `#/session/<id>` a session page, `#/reports` the alarm report, `#/inbox` the
 * physician's escalation inbox, `#/admit` the form opening a session, `#/patients` the patients on file,
 * `#/patient/<id>` a patient's course of care, `#/training` the trainer console (a trainee: their own
 * runs), `#/training/runs/<id>/debrief` a training run's debrief, `#/training/trainees/<username>/progress`
 * a trainee's scores; anything else falls back to the overview.
 */
export function parseRoute(hash: string): Route {
  const d = /^#\/training\/runs\/([^/?#]+)\/debrief\/?$/.exec(hash);
  const runId = d?.[1] ? segment(d[1]) : null;
  if (runId) return { view: 'debrief', runId };
  const g = /^#\/training\/trainees\/([^/?#]+)\/progress\/?$/.exec(hash);
  const username = g?.[1] ? segment(g[1]) : null;
  if (username) return { view: 'progress', username };
  if (/^#\/patients\/?$/.test(hash)) return { view: 'patients' };
  const p = /^#\/patient\/(\d{1,15})\/?$/.exec(hash);
  if (p?.[1]) return { view: 'patient', patientId: Number(p[1]) };
  if (/^#\/reports\/?$/.test(hash)) return { view: 'reports' };
  if (/^#\/training\/?$/.test(hash)) return { view: 'training' };
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
export const PATIENTS_HREF = '#/patients';
export const patientHref = (patientId: number) => `#/patient/${patientId}`;
export const TRAINING_HREF = '#/training';
/** The debrief page of a training run (the trainer console links here). */
export const debriefHref = (runId: string) => `#/training/runs/${encodeURIComponent(runId)}/debrief`;
/** A trainee's progress over their ended runs. */
export const progressHref = (username: string) => `#/training/trainees/${encodeURIComponent(username)}/progress`;
