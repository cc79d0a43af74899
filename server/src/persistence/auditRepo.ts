import type { SessionScope } from '@infusion/shared';
import type { AuditRow } from './auditPrivacy';
import type { Db } from './db';
import type { Tx } from './store';

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

/** Writes an audit entry inside the caller's transaction (with the change it records). */
export async function insertAudit(trx: Tx, e: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at: e.at,
      actor: e.actor,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
      request_id: e.requestId ?? null,
    })
    .execute();
}

/** Append-only (the schema's triggers refuse UPDATE and DELETE). */
export class AuditRepo {
  private readonly sInsert;
  private readonly sList;
  private readonly sListDesc;
  private readonly sScope;
  constructor(db: Db) {
    this.sInsert = db.prepare(`INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, request_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.sList = db.prepare('SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?');
    this.sListDesc = db.prepare('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?');
    this.sScope = db.prepare('SELECT unit, simulated FROM sessions WHERE id = ?');
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
  /** As stored, patient fields included: readers get them through `redactAudit`. */
  list(afterId: number, limit: number): AuditRow[] {
    return this.sList.all(afterId, limit) as AuditRow[];
  }
  /** Newest first, before an id (the newest page when beforeId is omitted). */
  listNewest(beforeId: number | undefined, limit: number): AuditRow[] {
    return this.sListDesc.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
  }
  /** The unit and simulated flag of a session, for deciding who may read its audit entries. */
  sessionScope(id: string): SessionScope | null {
    const r = this.sScope.get(id) as { unit: string; simulated: number } | undefined;
    return r ? { unit: r.unit, simulated: r.simulated === 1 } : null;
  }
}
