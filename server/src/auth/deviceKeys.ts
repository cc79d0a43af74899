import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { fieldErrors } from '@infusion/shared';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import { unlessStorageFails } from '../persistence/storageErrors';
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
interface Row {
  id: number;
  name: string;
  hl7_id: string | null;
  simulator: number;
  key_hash: string;
  created_at: number;
  created_by: string;
  revoked_at: number | null;
  last_seen_at: number | null;
}
const toDevice = (r: Row): Device => ({ id: r.id, name: r.name, hl7Id: r.hl7_id, simulator: r.simulator === 1, createdAt: r.created_at, createdBy: r.created_by, revokedAt: r.revoked_at, lastSeenAt: r.last_seen_at });
// Keys are 256 random bits, so a fast hash is enough (argon2 is for guessable secrets like passwords).
const sha256 = (s: string) => createHash('sha256').update(s).digest();

export const deviceCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  hl7Id: z.string().trim().regex(/^[\w.:-]{1,64}$/, { error: '1-64 letters, digits, dot, colon, dash or underscore' }).optional(),
  /** A simulator (training data) rather than a real monitor: fixed for the device's life. */
  simulator: z.boolean().default(false),
});

/** Per-device keys, shown once at creation as `dk_<id>_<secret>`, stored hashed, revocable. */
export class DeviceKeys {
  private readonly sInsert;
  private readonly sSetHash;
  private readonly sGet;
  private readonly sList;
  private readonly sRevoke;
  private readonly sSeen;
  private readonly sByHl7;
  private readonly revokeListeners: ((id: number) => void)[] = [];

  constructor(
    db: Db,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
  ) {
    this.sInsert = db.prepare("INSERT INTO devices (name, hl7_id, simulator, key_hash, created_at, created_by) VALUES (?, ?, ?, '', ?, ?)");
    this.sByHl7 = db.prepare('SELECT * FROM devices WHERE hl7_id = ?');
    this.sSetHash = db.prepare('UPDATE devices SET key_hash = ? WHERE id = ?');
    this.sGet = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.sList = db.prepare('SELECT * FROM devices ORDER BY id');
    this.sRevoke = db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.sSeen = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?');
  }

  onRevoke(fn: (id: number) => void): void {
    this.revokeListeners.push(fn);
  }

  /** Told after a revoke made on this node (other nodes then close the device's connections too). */
  revokedHere: (id: number) => void = () => {};

  /** A device was revoked (here, or on another node): its connections here are closed. */
  revoked(id: number): void {
    for (const fn of this.revokeListeners) fn(id);
  }

  create(input: unknown, actor: Actor): { device: Device; key: string } {
    const p = deviceCreateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid device', fieldErrors(p.error));
    const now = this.clock.now();
    if (p.data.hl7Id && this.sByHl7.get(p.data.hl7Id)) throw conflict(`HL7 equipment id ${p.data.hl7Id} is already registered`);
    const id = Number(this.sInsert.run(p.data.name, p.data.hl7Id ?? null, p.data.simulator ? 1 : 0, now, actor.id).lastInsertRowid);
    const key = `dk_${id}_${randomBytes(32).toString('base64url')}`;
    this.sSetHash.run(sha256(key).toString('hex'), id);
    const device = this.get(id);
    this.audit.record({ at: now, actor: actor.id, action: 'device.create', entity: 'device', entityId: String(id), after: device, requestId: actor.requestId ?? null });
    return { device, key };
  }

  get(id: number): Device {
    const r = this.sGet.get(id) as Row | undefined;
    if (!r) throw notFound(`device ${id}`);
    return toDevice(r);
  }

  list(): Device[] {
    return (this.sList.all() as Row[]).map(toDevice);
  }

  revoke(id: number, actor: Actor): Device {
    const before = this.get(id);
    if (before.revokedAt) throw conflict(`device ${id} is already revoked`);
    this.sRevoke.run(this.clock.now(), id);
    const after = this.get(id);
    this.audit.record({ at: this.clock.now(), actor: actor.id, action: 'device.revoke', entity: 'device', entityId: String(id), before, after, requestId: actor.requestId ?? null });
    this.revoked(id);
    this.revokedHere(id);
    return after;
  }

  /** A registered, unrevoked device by its HL7 equipment id. */
  byHl7Id(hl7Id: string): Device | null {
    const r = this.sByHl7.get(hl7Id) as Row | undefined;
    return r && r.revoked_at === null ? toDevice(r) : null;
  }

  /** The device a key belongs to, or null for a malformed, unknown or revoked key. */
  authenticate(key: unknown): Device | null {
    if (typeof key !== 'string') return null;
    const m = /^dk_(\d{1,12})_[A-Za-z0-9_-]{20,100}$/.exec(key);
    if (!m) return null;
    const r = this.sGet.get(Number(m[1])) as Row | undefined;
    if (!r || r.revoked_at !== null || !r.key_hash) return null;
    const a = Buffer.from(r.key_hash, 'hex');
    const b = sha256(key);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const now = this.clock.now();
    // Bookkeeping only: a full disk must not lock devices out (their frames are then refused with "resend").
    if (!r.last_seen_at || now - r.last_seen_at > 60_000) unlessStorageFails(() => this.sSeen.run(now, r.id));
    return toDevice(r);
  }
}
