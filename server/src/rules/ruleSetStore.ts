import { fieldErrors, ruleSetSchema, type RuleSet } from '@infusion/shared';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest, notFound } from '../util/errors';

export interface RuleSetVersionInfo {
  id: string;
  version: number;
  name: string;
  createdAt: number;
  createdBy: string;
}

const SHIPPED = 'system:shipped';

/**
 * Versioned rule sets. Every edit is a new version (validated, audited); a session keeps the version it
 * was opened under, so a change never alters the limits of an infusion already running.
 */
export class RuleSetStore {
  private readonly versions = new Map<number, RuleSet>();
  private latest: RuleSet;
  private readonly sInsert;
  private readonly sList;

  /** Told after this node stored a new version (other nodes then reload theirs). */
  changed: () => void = () => {};

  constructor(
    db: Db,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
    shipped: RuleSet,
  ) {
    this.sInsert = db.prepare('INSERT INTO rule_set_versions (rule_set_id, version, body, created_at, created_by) VALUES (?, ?, ?, ?, ?)');
    this.sList = db.prepare('SELECT version, body, created_at, created_by FROM rule_set_versions WHERE rule_set_id = ? ORDER BY version');
    const rows = this.sList.all(shipped.id) as { version: number; body: string; created_at: number; created_by: string }[];
    for (const r of rows) {
      const parsed = ruleSetSchema.safeParse(JSON.parse(r.body));
      // A stored version this server can no longer read is skipped, not fatal: the shipped set still runs.
      if (parsed.success) this.versions.set(r.version, parsed.data);
    }
    const last = rows.at(-1);
    // A newer shipped set is taken only while the site has not edited its own.
    if (!last || (last.created_by === SHIPPED && last.version < shipped.version)) {
      this.sInsert.run(shipped.id, shipped.version, JSON.stringify(shipped), this.clock.now(), SHIPPED);
      this.versions.set(shipped.version, shipped);
    }
    this.latest = this.versions.get(Math.max(...this.versions.keys()))!;
  }

  /** Another node stored a new version: read the versions again (the shipped one is already stored). */
  reload(): void {
    for (const r of this.sList.all(this.latest.id) as { version: number; body: string }[]) {
      if (this.versions.has(r.version)) continue;
      const parsed = ruleSetSchema.safeParse(JSON.parse(r.body));
      if (parsed.success) this.versions.set(r.version, parsed.data);
    }
    this.latest = this.versions.get(Math.max(...this.versions.keys()))!;
  }

  current(): RuleSet {
    return this.latest;
  }

  /** The version a session runs under (falls back to the current one if it is unknown here). */
  get(version: number): RuleSet {
    return this.versions.get(version) ?? this.latest;
  }

  getStrict(version: number): RuleSet {
    const rs = this.versions.get(version);
    if (!rs) throw notFound(`rule set version ${version}`);
    return rs;
  }

  list(): RuleSetVersionInfo[] {
    return (this.sList.all(this.latest.id) as { version: number; body: string; created_at: number; created_by: string }[]).map((r) => ({
      id: this.latest.id,
      version: r.version,
      name: (JSON.parse(r.body) as RuleSet).name,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  /** An admin's edit: the whole document, validated; it becomes the next version. */
  update(input: unknown, actor: Actor): RuleSet {
    const body = { ...(input as object), id: this.latest.id, version: this.latest.version + 1 };
    const p = ruleSetSchema.safeParse(body);
    if (!p.success) throw badRequest('invalid rule set', fieldErrors(p.error));
    const now = this.clock.now();
    this.sInsert.run(p.data.id, p.data.version, JSON.stringify(p.data), now, actor.id);
    this.audit.record({ at: now, actor: actor.id, action: 'ruleset.update', entity: 'rule_set', entityId: `${p.data.id}@${p.data.version}`, before: { version: this.latest.version }, after: p.data, requestId: actor.requestId ?? null });
    this.versions.set(p.data.version, p.data);
    this.latest = p.data;
    this.changed();
    return p.data;
  }
}
