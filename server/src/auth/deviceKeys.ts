import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { DevicesTable } from '../persistence/schema';
import { fieldErrors } from '@infusion/shared';
import { insertAudit } from '../persistence/auditRepo';
import { unlessStorageFailsAsync } from '../persistence/storageErrors';
import type { Store } from '../persistence/store';
import type { Clock } from '../util/clock';
import { badRequest, conflict, notFound } from '../util/errors';
import type { Actor } from '../sessions/sessionService';

export interface Device {
  id: number;
  name: string;
  /** HL7 equipment id (OBX-18, else MSH-3) this device sends as, if it speaks HL7. */
  hl7Id: string | null;
  /** Decided at registration: a simulator feeds only simulated sessions, a real device only real ones. */
  simulator: boolean;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  lastSeenAt: number | null;
}
type Row = Selectable<DevicesTable>;
const toDevice = (r: Row): Device => ({ id: r.id, name: r.name, hl7Id: r.hl7_id, simulator: r.simulator === 1, createdAt: r.created_at, createdBy: r.created_by, revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at });
// Keys are 256 random bits, so a fast hash is enough (argon2 is for guessable secrets like passwords).
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export const deviceCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  hl7Id: z.string().trim().regex(/^[\w.:-]{1,64}$/, { error: '1-64 letters, digits, dot, colon, dash or underscore' }).optional(),
  /** A simulator (training data) rather than a real monitor: fixed for the device's life. */
  simulator: z.boolean().default(false),
});

/** How long a device row read from storage is trusted (a revoke on another node reaches this one within it). */
const CACHE_MS = 5_000;

/** Per-device keys, shown once at creation as `dk_<id>_<secret>`, stored hashed, revocable. */
export class DeviceKeys {
  /**
   * Rows already read, by id: a device authenticates on every HTTP ingest request and socket
   * connection, so a known device costs at most one query per CACHE_MS. Filled on a miss (a device made
   * on another node); a revoke here or on another node (`revoked`) drops it at once, and the row is read
   * again after CACHE_MS in any case, so a revoke whose message to this node was lost still takes
   * effect within seconds. A key hash never changes once stored.
   */
  private readonly rows = new Map<number, { row: Row; readAt: number }>();
  /**
   * Reads in flight by id: connections that arrive together (a gateway's sockets after a restart, a
   * balancer moving a node's devices) share one query instead of each taking a pool connection for it.
   */
  private readonly reading = new Map<number, Promise<Row | undefined>>();
  /** HL7 equipment id → device id (an HL7 id never changes once registered): one lookup per message. */
  private readonly hl7Ids = new Map<string, number>();
  private readonly revokeListeners: ((id: number) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  onRevoke(fn: (id: number) => void): void {
    this.revokeListeners.push(fn);
  }

  /** Told after a revoke made on this node (other nodes then close the device's connections too). */
  revokedHere: (id: number) => void = () => {};

  /** A device was revoked (here, or on another node): its connections here are closed. */
  revoked(id: number): void {
    // The next use reads the row again (with its revoked_at).
    this.rows.delete(id);
    this.reading.delete(id);
    for (const fn of this.revokeListeners) fn(id);
  }

  private async row(id: number): Promise<Row | undefined> {
    const now = this.clock.now();
    const cached = this.rows.get(id);
    if (cached && Math.abs(now - cached.readAt) < CACHE_MS) return cached.row;
    const inFlight = this.reading.get(id);
    if (inFlight) return inFlight;
    const read = this.store.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .then((r) => {
        // A revoke meanwhile dropped the row: this read may predate it, so it is not kept.
        if (r && this.reading.get(id) === read) this.keep(r, now);
        return r;
      })
      .finally(() => {
        if (this.reading.get(id) === read) this.reading.delete(id);
      });
    this.reading.set(id, read);
    return read;
  }

  private keep(r: Row, readAt = this.clock.now()): void {
    this.rows.set(r.id, { row: r, readAt });
  }

  async create(input: unknown, actor: Actor): Promise<{ device: Device; key: string }> {
    const p = deviceCreateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid device', fieldErrors(p.error));
    const now = this.clock.now();
    if (p.data.hl7Id && (await this.store.db.selectFrom('devices').select('id').where('hl7_id', '=', p.data.hl7Id).executeTakeFirst()))
      throw conflict(`HL7 equipment id ${p.data.hl7Id} is already registered`);
    // The key names the row id, so the row is written first; row, key hash and audit entry commit
    // together, so no reader (another node) ever sees the device without its key.
    const { row, key } = await this.store.transaction(async (trx) => {
      const { id } = await trx
        .insertInto('devices')
        .values({ name: p.data.name, hl7_id: p.data.hl7Id ?? null, simulator: p.data.simulator ? 1 : 0, key_hash: '', created_at: now, created_by: actor.id })
        .returning('id')
        .executeTakeFirstOrThrow();
      const key = `dk_${id}_${randomBytes(32).toString('base64url')}`;
      const row = await trx.updateTable('devices').set({ key_hash: sha256(key).toString('hex') }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await insertAudit(trx, { at: now, actor: actor.id, action: 'device.create', entity: 'device', entityId: String(id), after: toDevice(row), requestId: actor.requestId ?? null });
      return { row, key };
    });
    this.keep(row);
    return { device: toDevice(row), key };
  }

  async get(id: number): Promise<Device> {
    const r = await this.row(id);
    if (!r) throw notFound(`device ${id}`);
    return toDevice(r);
  }

  async list(): Promise<Device[]> {
    return (await this.store.db.selectFrom('devices').selectAll().orderBy('id').execute()).map(toDevice);
  }

  async revoke(id: number, actor: Actor): Promise<Device> {
    this.rows.delete(id);
    this.reading.delete(id);
    const before = await this.get(id);
    if (before.revokedAt) throw conflict(`device ${id} is already revoked`);
    const now = this.clock.now();
    const row = await this.store.transaction(async (trx) => {
      const r = await trx.updateTable('devices').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).returningAll().executeTakeFirst();
      // Revoked meanwhile (another node): the same answer as above.
      if (!r) throw conflict(`device ${id} is already revoked`);
      await insertAudit(trx, { at: now, actor: actor.id, action: 'device.revoke', entity: 'device', entityId: String(id), before, after: toDevice(r), requestId: actor.requestId ?? null });
      return r;
    });
    this.revoked(id);
    this.revokedHere(id);
    return toDevice(row);
  }

  /** A registered, unrevoked device by its HL7 equipment id. */
  async byHl7Id(hl7Id: string): Promise<Device | null> {
    const known = this.hl7Ids.get(hl7Id);
    let r = known === undefined ? undefined : await this.row(known);
    if (!r) {
      r = await this.store.db.selectFrom('devices').selectAll().where('hl7_id', '=', hl7Id).executeTakeFirst();
      if (r) {
        this.keep(r);
        this.hl7Ids.set(hl7Id, r.id);
      }
    }
    return r && r.revoked_at === null ? toDevice(r) : null;
  }

  /** The device a key belongs to, or null for a malformed, unknown or revoked key. */
  async authenticate(key: unknown): Promise<Device | null> {
    if (typeof key !== 'string') return null;
    const m = /^dk_(\d{1,12})_[A-Za-z0-9_-]{20,100}$/.exec(key);
    if (!m) return null;
    const r = await this.row(Number(m[1]));
    if (!r || r.revoked_at !== null || !r.key_hash) return null;
    const a = Buffer.from(r.key_hash, 'hex');
    const b = sha256(key);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const now = this.clock.now();
    // Bookkeeping only: a full disk must not lock devices out (their frames are then refused with "resend").
    if (!r.last_seen_at || now - r.last_seen_at > 60_000) {
      r.last_seen_at = now;
      await unlessStorageFailsAsync(() => this.store.db.updateTable('devices').set({ last_seen_at: now }).where('id', '=', r.id).execute());
    }
    return toDevice(r);
  }
}
