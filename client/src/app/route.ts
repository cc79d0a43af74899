export type Route = { view: 'overview' } | { view: 'session'; sessionId: string } | { view: 'reports' } | { view: 'inbox' } | { view: 'admit' } | { view: 'patients' } | { view: 'patient'; patientId: number } | { view: 'training' };

/**
 * `#/` is the overview, `#/session/<id>` a session page, `#/reports` the alarm report, `#/inbox` the
 * physician's escalation inbox, `#/admit` the form opening a session, `#/patients` the patients on file,
 * `#/patient/<id>` a patient's course of care, `#/training` the trainer console (a trainee: their own
 * runs); anything else falls back to the overview.
 */
export function parseRoute(hash: string): Route {
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
/** A training run's debrief (its page is the debrief's own). */
export const trainingDebriefHref = (runId: string) => `#/training/runs/${encodeURIComponent(runId)}/debrief`;
