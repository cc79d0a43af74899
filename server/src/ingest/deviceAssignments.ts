import type { Session } from '@infusion/shared';
import type { Device, DeviceKeys } from '../auth/deviceKeys';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { badRequest, conflict, DomainError } from '../util/errors';

/** A device allowed to feed a session; a gateway's assignment names the bed (HL7 PV1-3) it is for. */
export interface Assignment {
  id: number;
  deviceId: number;
  sessionId: string;
  bed: string | null;
  assignedAt: number;
  assignedBy: string;
}
interface Row {
  id: number;
  device_id: number;
  session_id: string;
  bed: string | null;
  assigned_at: number;
  assigned_by: string;
}
const toAssignment = (r: Row): Assignment => ({ id: r.id, deviceId: r.device_id, sessionId: r.session_id, bed: r.bed, assignedAt: r.assigned_at, assignedBy: r.assigned_by });

/** A bed as HL7 PV1-3 carries it ("ICU^7^1"): trimmed, trailing empty components dropped. */
export const normaliseBed = (bed: string): string => bed.trim().replace(/\^+$/, '');

const kindRefusal = (device: Pick<Device, 'id' | 'simulator'>, session: Pick<Session, 'simulated'>): string | null =>
  device.simulator && !session.simulated
    ? `device ${device.id} is a simulator: it never feeds a real session`
    : !device.simulator && session.simulated
      ? `device ${device.id} is a real device: it never feeds a simulated session`
      : null;

/**
 * Which device may feed which session: binding and assignment are one concept. A clinician assigns
 * a device at session start (`deviceIds`) or later (`POST /api/devices/:id/bind`); every change is
 * audited; a session's assignments end with it. Owns the device_assignments table and its cache.
 */
export class DeviceAssignments {
  /** Open assignments by device. */
  private readonly open = new Map<number, Assignment[]>();
  private readonly sInsert;
  private readonly sEnd;
  private readonly sGet;
  private readonly sOpenAll;

  /** Told after this node changed an assignment (other nodes then reload theirs). */
  changed: () => void = () => {};

  constructor(
    db: Db,
    private readonly devices: DeviceKeys,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
    /** An active session by id, or undefined (ended or unknown). */
    private readonly activeSession: (id: string) => Pick<Session, 'id' | 'simulated' | 'status'> | undefined,
  ) {
    this.sInsert = db.prepare('INSERT INTO device_assignments (device_id, session_id, bed, assigned_at, assigned_by) VALUES (?, ?, ?, ?, ?)');
    this.sEnd = db.prepare('UPDATE device_assignments SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL');
    this.sGet = db.prepare('SELECT * FROM device_assignments WHERE id = ?');
    this.sOpenAll = db.prepare('SELECT * FROM device_assignments WHERE ended_at IS NULL ORDER BY id');
    this.reload();
  }

  /** Reads the open assignments again (another node changed them). */
  reload(): void {
    this.open.clear();
    for (const r of this.sOpenAll.all() as Row[]) this.cache(toAssignment(r));
  }

  private cache(a: Assignment): void {
    const list = this.open.get(a.deviceId) ?? [];
    list.push(a);
    this.open.set(a.deviceId, list);
  }

  /** The device's assignments to sessions that are still active. */
  forDevice(deviceId: number): Assignment[] {
    return (this.open.get(deviceId) ?? []).filter((a) => this.activeSession(a.sessionId));
  }

  /** Why this device may not feed this session (a reason naming it), or null when it may. */
  refusal(device: Pick<Device, 'id' | 'simulator'>, session: Pick<Session, 'id' | 'simulated'>): string | null {
    const kind = kindRefusal(device, session);
    if (kind) return kind;
    if (!(this.open.get(device.id) ?? []).some((a) => a.sessionId === session.id)) return `device ${device.id} is not assigned to session ${session.id}`;
    return null;
  }

  /**
   * Checks an assignment without making it. `maySee` says whether the caller has rights over a
   * session: a device already feeding a session the caller may not see cannot be taken from there.
   */
  check(deviceId: number, session: Pick<Session, 'id' | 'simulated'>, bed: string | null, maySee: (sessionId: string) => boolean): Device {
    const device = this.devices.get(deviceId);
    if (device.revokedAt) throw conflict(`device ${deviceId} is revoked`);
    const kind = kindRefusal(device, session);
    if (kind) throw new DomainError(409, kind, [{ field: 'sessionId', reason: kind }]);
    for (const a of this.forDevice(deviceId)) {
      if (a.sessionId === session.id) continue;
      if (!maySee(a.sessionId)) throw new DomainError(403, `device ${deviceId} is assigned to a session outside your rights: it must be unbound there first`);
      // HL7 routes a message by device and bed: two open sessions on the same bed key would be a guess.
      if (device.hl7Id && a.bed === bed)
        throw new DomainError(409, `device ${deviceId} already feeds session ${a.sessionId}${bed ? ` for bed ${bed}` : ''}: unbind it there first`, [{ field: 'bed', reason: 'already bound' }]);
    }
    return device;
  }

  /** Assigns (idempotent for the same session and bed); audited as `device.bind`. */
  assign(deviceId: number, session: Pick<Session, 'id' | 'simulated'>, bedIn: unknown, actor: Actor, maySee: (sessionId: string) => boolean): Assignment {
    if (bedIn !== undefined && bedIn !== null && (typeof bedIn !== 'string' || !normaliseBed(bedIn) || bedIn.length > 80))
      throw badRequest('invalid binding', [{ field: 'bed', reason: 'must be the bed as HL7 PV1-3 sends it, e.g. "ICU^7^1" (1-80 characters)' }]);
    const bed = typeof bedIn === 'string' ? normaliseBed(bedIn) : null;
    this.check(deviceId, session, bed, maySee);
    const existing = (this.open.get(deviceId) ?? []).find((a) => a.sessionId === session.id);
    if (existing && existing.bed === bed) return existing;
    if (existing) this.end(existing, actor);
    const now = this.clock.now();
    const id = Number(this.sInsert.run(deviceId, session.id, bed, now, actor.id).lastInsertRowid);
    const a = toAssignment(this.sGet.get(id) as Row);
    this.cache(a);
    this.changed();
    this.audit.record({ at: now, actor: actor.id, action: 'device.bind', entity: 'device', entityId: String(deviceId), after: { sessionId: session.id, bed }, requestId: actor.requestId ?? null });
    return a;
  }

  /** Ends the device's assignment to one session, or all of them; audited as `device.unbind`. */
  unassign(deviceId: number, sessionId: string | null, actor: Actor): Assignment[] {
    const ended = (this.open.get(deviceId) ?? []).filter((a) => sessionId === null || a.sessionId === sessionId);
    for (const a of ended) this.end(a, actor);
    return ended;
  }

  /** Every open assignment of the device (including those of sessions that have since ended). */
  allOpen(deviceId: number): Assignment[] {
    return [...(this.open.get(deviceId) ?? [])];
  }

  /** A session that ends releases its devices. */
  endForSession(sessionId: string, actor: Actor): void {
    for (const list of [...this.open.values()]) for (const a of list.filter((x) => x.sessionId === sessionId)) this.end(a, actor, false);
  }

  private end(a: Assignment, actor: Actor, audit = true): void {
    const now = this.clock.now();
    this.sEnd.run(now, actor.id, a.id);
    const list = (this.open.get(a.deviceId) ?? []).filter((x) => x.id !== a.id);
    if (list.length) this.open.set(a.deviceId, list);
    else this.open.delete(a.deviceId);
    this.changed();
    if (audit) this.audit.record({ at: now, actor: actor.id, action: 'device.unbind', entity: 'device', entityId: String(a.deviceId), before: { sessionId: a.sessionId, bed: a.bed }, requestId: actor.requestId ?? null });
  }
}
