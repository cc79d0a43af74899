import { canSeeSession, type AuditRow, type SessionScope, type UserScope } from '@infusion/shared';

export type { AuditRow };

export const REDACTED = '[redacted]';

/**
 * Keys of a patient entry's before/after that describe the workflow, not the patient. Everything else
 * (label, reference, age, weight, indication, doses, scores, checklist findings, notes, alarm text) is
 * redacted: an allowlist, so a field added later is hidden until someone decides it is not patient data.
 */
const NON_PATIENT_KEYS = new Set(['id', 'format', 'sessionId', 'alarmId', 'unit', 'location', 'simulated', 'status', 'state', 'level', 'priority', 'createdAt', 'endedAt', 'openedAt', 'acknowledgedAt', 'acknowledgedBy', 'closedAt', 'at', 'by', 'type', 'ruleSetId', 'ruleSetVersion', 'audioPausedUntil', 'until']);

/** Entities whose before/after carry patient data, and the session each row belongs to. */
export function sessionOf(row: AuditRow): string | null | undefined {
  if (row.entity === 'session') return row.entity_id;
  // A patient record spans sessions of several units: its fields are shown to no reader of the log.
  if (row.entity === 'patient') return null;
  if (row.entity === 'escalation') {
    for (const j of [row.after, row.before]) {
      const v = parse(j);
      if (v && typeof v === 'object' && typeof (v as { sessionId?: unknown }).sessionId === 'string') return (v as { sessionId: string }).sessionId;
    }
    return null;
  }
  return undefined;
}

function parse(j: string | null): unknown {
  if (j === null) return null;
  try {
    return JSON.parse(j) as unknown;
  } catch {
    return REDACTED;
  }
}

function redactJson(j: string | null): string | null {
  if (j === null) return null;
  const v = parse(j);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(REDACTED);
  return JSON.stringify(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, NON_PATIENT_KEYS.has(k) ? x : REDACTED])));
}

/**
 * The audit log as a reader may see it: patient fields only for a reader who may see that session
 * (docs/roles.md: clinicians of its unit; trainers its simulated sessions; admins never). The stored
 * rows are not changed. `scopeOf` answers a session's unit and simulated flag (null: unknown session).
 */
/** The sessions whose scope `redactAudit` asks for these rows (read them before, in one query). */
export function sessionsOf(rows: AuditRow[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    const id = sessionOf(row);
    if (typeof id === 'string') ids.add(id);
  }
  return [...ids];
}

export function redactAudit<R extends AuditRow>(rows: R[], reader: UserScope, scopeOf: (sessionId: string) => SessionScope | null): R[] {
  const seen = new Map<string, boolean>();
  const maySee = (id: string) => {
    let v = seen.get(id);
    if (v === undefined) {
      const scope = scopeOf(id);
      v = scope !== null && canSeeSession(reader, scope);
      seen.set(id, v);
    }
    return v;
  };
  return rows.map((row) => {
    const sessionId = sessionOf(row);
    if (sessionId === undefined) return row;
    if (sessionId !== null && maySee(sessionId)) return row;
    return { ...row, before: redactJson(row.before), after: redactJson(row.after) };
  });
}
