/** One audit-log row as stored and as `GET /api/audit` returns it (before/after are JSON text or null). */
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  before: string | null;
  after: string | null;
  request_id: string | null;
}
