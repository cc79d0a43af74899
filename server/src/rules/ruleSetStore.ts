import { fieldErrors, ruleSetSchema, type RuleSet } from '@infusion/shared';
import { insertAudit } from '../persistence/auditRepo';
import type { Store } from '../persistence/store';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { Serial } from '../util/serial';
import { isKeyViolation } from '../persistence/storageErrors';
import { badRequest, conflict, notFound } from '../util/errors';

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
 * Every evaluation asks `get`/`current`, so the versions live in memory: read once at start (`open`),
 * again when another node stored one (`reload`).
 */
export class RuleSetStore {
  private readonly versions = new Map<number, RuleSet>();
  /** Edits run one at a time: the next version number and its write stay one step. */
  private readonly edits = new Serial();

  /** Told after this node stored a new version (other nodes then reload theirs). */
  changed: () => void = () => {};

  private constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private latest: RuleSet,
  ) {}

  /** Reads the stored versions; stores the shipped set while the site has not edited its own. */
  static async open(store: Store, clock: Clock, shipped: RuleSet): Promise<RuleSetStore> {
    const self = new RuleSetStore(store, clock, shipped);
    const rows = await self.rows(shipped.id);
    for (const r of rows) self.take(r);
    const last = rows.at(-1);
    // A newer shipped set is taken only while the site has not edited its own.
    if (!last || (last.created_by === SHIPPED && last.version < shipped.version)) {
      // Several nodes may start at once: the first one stores it, the others find it stored.
      await store.db
        .insertInto('rule_set_versions')
        .values({ rule_set_id: shipped.id, version: shipped.version, body: JSON.stringify(shipped), created_at: clock.now(), created_by: SHIPPED })
        .onConflict((oc) => oc.doNothing())
        .execute();
      self.versions.set(shipped.version, shipped);
    }
    self.latest = self.versions.get(Math.max(...self.versions.keys()))!;
    return self;
  }

  private rows(ruleSetId: string) {
    return this.store.db.selectFrom('rule_set_versions').select(['version', 'body', 'created_at', 'created_by']).where('rule_set_id', '=', ruleSetId).orderBy('version').execute();
  }

  private take(r: { version: number; body: string }): void {
    // A stored version this server can no longer read is skipped, not fatal: the shipped set still runs.
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return;
    }
    const parsed = ruleSetSchema.safeParse(body);
    if (parsed.success) this.versions.set(r.version, parsed.data);
  }

  /** Another node stored a new version: read the versions again (the shipped one is already stored). */
  async reload(): Promise<void> {
    for (const r of await this.rows(this.latest.id)) if (!this.versions.has(r.version)) this.take(r);
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

  async list(): Promise<RuleSetVersionInfo[]> {
    return (await this.rows(this.latest.id)).map((r) => ({
      id: this.latest.id,
      version: r.version,
      name: (JSON.parse(r.body) as RuleSet).name,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  /** An admin's edit: the whole document, validated; it becomes the next version. */
  update(input: unknown, actor: Actor): Promise<RuleSet> {
    return this.edits.run(() => this.updateNow(input, actor));
  }

  private async updateNow(input: unknown, actor: Actor): Promise<RuleSet> {
    const body = { ...(input as object), id: this.latest.id, version: this.latest.version + 1 };
    const p = ruleSetSchema.safeParse(body);
    if (!p.success) throw badRequest('invalid rule set', fieldErrors(p.error));
    const now = this.clock.now();
    const before = this.latest.version;
    // The version and its audit entry commit together. A version another node stored first (edits at
    // the same moment, or one whose news has not reached this node yet) fails on the key and writes
    // nothing: a conflict to reload and edit again, as any stale edit is. This node reads the versions
    // again at once, so the retry builds on the one stored meanwhile.
    try {
      await this.store.transaction(async (trx) => {
        await trx.insertInto('rule_set_versions').values({ rule_set_id: p.data.id, version: p.data.version, body: JSON.stringify(p.data), created_at: now, created_by: actor.id }).execute();
        await insertAudit(trx, { at: now, actor: actor.id, action: 'ruleset.update', entity: 'rule_set', entityId: `${p.data.id}@${p.data.version}`, before: { version: before }, after: p.data, requestId: actor.requestId ?? null });
      });
    } catch (err) {
      if (!isKeyViolation(err)) throw err;
      // Best effort: failing, the next edit conflicts again and reads again.
      await this.reload().catch(() => {});
      throw conflict(`rule set version ${p.data.version} was stored meanwhile by someone else: reload the rule set and edit it again`);
    }
    this.versions.set(p.data.version, p.data);
    this.latest = p.data;
    this.changed();
    return p.data;
  }
}
