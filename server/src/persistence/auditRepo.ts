import type { Db } from './db';

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

/** Append-only (the schema's triggers refuse UPDATE and DELETE). */
export class AuditRepo {
  private readonly sInsert;
  private readonly sList;
  private readonly sListDesc;
  constructor(db: Db) {
    this.sInsert = db.prepare(`INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, request_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sList = db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?');
    this.sListDesc = db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
  }
  record(e: AuditEntry): void {
    this.sInsert.run(
      e.at,
      e.actor,
      e.action,
      e.entity,
      e.entityId,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.requestId ?? null,
    );
  }
  list(afterId: number, limit: number): unknown[] {
    return this.sList.all(afterId, limit);
  }
  /** Newest first, before an id (the newest page when beforeId is omitted). */
  listNewest(beforeId: number | undefined, limit: number): unknown[] {
    return this.sListDesc.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit);
  }
}
