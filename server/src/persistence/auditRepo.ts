import type { SessionScope } from '@infusion/shared';
import type { AuditRow } from './auditPrivacy';
import type { Store, Tx } from './store';

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

const toRow = (e: AuditEntry) => ({
  at: e.at,
  actor: e.actor,
  action: e.action,
  entity: e.entity,
  entity_id: e.entityId,
  before: e.before === undefined ? null : JSON.stringify(e.before),
  after: e.after === undefined ? null : JSON.stringify(e.after),
  request_id: e.requestId ?? null,
});

/** Writes an audit entry inside the caller's transaction (with the change it records). */
export async function insertAudit(trx: Tx, e: AuditEntry): Promise<void> {
  await trx.insertInto('audit_log').values(toRow(e)).execute();
}

/** Session ids per query when reading scopes (bounded IN lists; an export can name thousands). */
const SCOPE_CHUNK = 500;

/** Append-only (the schema's triggers refuse UPDATE and DELETE). */
export class AuditRepo {
  constructor(private readonly store: Store) {}

  /** Writes one entry on its own; throws what the store throws (a storage failure answers 503). */
  async record(e: AuditEntry): Promise<void> {
    await insertAudit(this.store.db, e);
  }

  /** As stored, patient fields included: readers get them through `redactAudit`. */
  async list(afterId: number, limit: number): Promise<AuditRow[]> {
    return this.store.db.selectFrom('audit_log').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
  }

  /** Newest first, before an id (the newest page when beforeId is omitted). */
  async listNewest(beforeId: number | undefined, limit: number): Promise<AuditRow[]> {
    return this.store.db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '<', beforeId ?? Number.MAX_SAFE_INTEGER)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** The unit and simulated flag of each known session, for deciding who may read its audit entries. */
  async sessionScopes(ids: Iterable<string>): Promise<Map<string, SessionScope>> {
    const all = [...new Set(ids)];
    const out = new Map<string, SessionScope>();
    for (let i = 0; i < all.length; i += SCOPE_CHUNK) {
      const rows = await this.store.db
        .selectFrom('sessions')
        .select(['id', 'unit', 'simulated'])
        .where('id', 'in', all.slice(i, i + SCOPE_CHUNK))
        .execute();
      for (const r of rows) out.set(r.id, { unit: r.unit, simulated: r.simulated === 1 });
    }
    return out;
  }
}
