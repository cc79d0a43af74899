import type { Session } from '@infusion/shared';
import type { Selectable } from 'kysely';
import type { DeviceAssignmentsTable } from '../persistence/schema';
import type { Device, DeviceKeys } from '../auth/deviceKeys';
import { insertAudit } from '../persistence/auditRepo';
import type { Store, Tx } from '../persistence/store';
import type { Actor } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import { Serial } from '../util/serial';
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
type Row = Pick<Selectable<DeviceAssignmentsTable>, 'id' | 'device_id' | 'session_id' | 'bed' | 'assigned_at' | 'assigned_by'>;
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
  /**
   * Open assignments by device: ingest asks `refusal` for every frame, so the module keeps them in
   * memory (loaded by `reload`, changed here with each write, reloaded when another node changes them).
   */
  private readonly open = new Map<number, Assignment[]>();
  /** Changes run one at a time: "already assigned?" and the write it decides stay one step. */
  private readonly changes = new Serial();

  /** Told after this node changed an assignment (other nodes then reload theirs). */
  changed: () => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly devices: DeviceKeys,
    private readonly clock: Clock,
    /** An active session by id, or undefined (ended or unknown). */
    private readonly activeSession: (id: string) => Pick<Session, 'id' | 'simulated' | 'status'> | undefined,
  ) {}

  /** The read in flight, and whether another change was announced since it started. */
  private reloading: Promise<void> | null = null;
  private reloadAgain = false;

  /**
   * Reads the open assignments (at start, and when another node changed them). Announcements that
   * arrive during a read are answered by one more read after it, not one each (another node opening
   * 1,000 sessions with their devices announced 1,000 changes, each a read of every open assignment).
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    const run = async (): Promise<void> => {
      do {
        this.reloadAgain = false;
        const rows = await this.store.db.selectFrom('device_assignments').selectAll().where('ended_at', 'is', null).orderBy('id').execute();
        this.open.clear();
        for (const r of rows) this.cache(toAssignment(r));
      } while (this.reloadAgain);
    };
    this.reloading = run().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
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
  async check(deviceId: number, session: Pick<Session, 'id' | 'simulated'>, bed: string | null, maySee: (sessionId: string) => boolean): Promise<Device> {
    const device = await this.devices.get(deviceId);
    this.checkDevice(device, session, bed, maySee);
    return device;
  }

  /** `check` on a device already read (inside a transaction nothing may be read through the store). */
  private checkDevice(device: Device, session: Pick<Session, 'id' | 'simulated'>, bed: string | null, maySee: (sessionId: string) => boolean): void {
    const deviceId = device.id;
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
  }

  /** Assigns (idempotent for the same session and bed); audited as `device.bind`. */
  assign(deviceId: number, session: Pick<Session, 'id' | 'simulated'>, bedIn: unknown, actor: Actor, maySee: (sessionId: string) => boolean): Promise<Assignment> {
    return this.changes.run(() => this.assignNow(deviceId, session, bedIn, actor, maySee));
  }

  private async assignNow(deviceId: number, session: Pick<Session, 'id' | 'simulated'>, bedIn: unknown, actor: Actor, maySee: (sessionId: string) => boolean): Promise<Assignment> {
    if (bedIn !== undefined && bedIn !== null && (typeof bedIn !== 'string' || !normaliseBed(bedIn) || bedIn.length > 80))
      throw badRequest('invalid binding', [{ field: 'bed', reason: 'must be the bed as HL7 PV1-3 sends it, e.g. "ICU^7^1" (1-80 characters)' }]);
    const bed = typeof bedIn === 'string' ? normaliseBed(bedIn) : null;
    await this.check(deviceId, session, bed, maySee);
    const existing = (this.open.get(deviceId) ?? []).find((a) => a.sessionId === session.id);
    if (existing && existing.bed === bed) return existing;
    if (existing) await this.end(existing, actor);
    // The assignment and its audit entry commit together.
    const a = await this.store.transaction((trx) => this.insertIn(trx, deviceId, session.id, bed, actor));
    this.cache(a);
    this.changed();
    return a;
  }

  /**
   * A session's creation naming its devices: `create` opens the session, and the `within` it is handed
   * writes each device's assignment (audited as `device.bind`) in the creation's transaction, so the
   * session and its assignments commit together. Runs as one change of this module.
   */
  withCreation<T>(
    deviceIds: readonly number[],
    actor: Actor,
    maySee: (sessionId: string) => boolean,
    create: (within: (trx: Tx, session: Pick<Session, 'id' | 'simulated'>) => Promise<void>) => Promise<T>,
  ): Promise<T> {
    return this.changes.run(async () => {
      // The devices are read before the creation's transaction, never inside it: a read through the
      // store there (the device cache aged while this creation waited its turn) waits on SQLite's one
      // connection for the transaction, which waits for the read, and the server's storage hangs.
      const devices = await Promise.all([...new Set(deviceIds)].map((d) => this.devices.get(d)));
      const made: Assignment[] = [];
      const result = await create(async (trx, session) => {
        // A creation retried in a new transaction (the first rolled back) starts over.
        made.length = 0;
        for (const device of devices) {
          this.checkDevice(device, session, null, maySee);
          made.push(await this.insertIn(trx, device.id, session.id, null, actor));
        }
      });
      for (const a of made) this.cache(a);
      if (made.length) this.changed();
      return result;
    });
  }

  private async insertIn(trx: Tx, deviceId: number, sessionId: string, bed: string | null, actor: Actor): Promise<Assignment> {
    const now = this.clock.now();
    const r = await trx
      .insertInto('device_assignments')
      .values({ device_id: deviceId, session_id: sessionId, bed, assigned_at: now, assigned_by: actor.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertAudit(trx, { at: now, actor: actor.id, action: 'device.bind', entity: 'device', entityId: String(deviceId), after: { sessionId, bed }, requestId: actor.requestId ?? null });
    return toAssignment(r);
  }

  /** Ends the device's assignment to one session, or all of them; audited as `device.unbind`. */
  unassign(deviceId: number, sessionId: string | null, actor: Actor): Promise<Assignment[]> {
    return this.changes.run(async () => {
      const ended = (this.open.get(deviceId) ?? []).filter((a) => sessionId === null || a.sessionId === sessionId);
      for (const a of ended) await this.end(a, actor);
      return ended;
    });
  }

  /** Every open assignment of the device (including those of sessions that have since ended). */
  allOpen(deviceId: number): Assignment[] {
    return [...(this.open.get(deviceId) ?? [])];
  }

  /** A session that ends releases its devices. */
  endForSession(sessionId: string, actor: Actor): Promise<void> {
    return this.changes.run(async () => {
      for (const list of [...this.open.values()]) for (const a of list.filter((x) => x.sessionId === sessionId)) await this.end(a, actor, false);
    });
  }

  private async end(a: Assignment, actor: Actor, audit = true): Promise<void> {
    const now = this.clock.now();
    await this.store.transaction(async (trx) => {
      await trx.updateTable('device_assignments').set({ ended_at: now, ended_by: actor.id }).where('id', '=', a.id).where('ended_at', 'is', null).execute();
      if (audit) await insertAudit(trx, { at: now, actor: actor.id, action: 'device.unbind', entity: 'device', entityId: String(a.deviceId), before: { sessionId: a.sessionId, bed: a.bed }, requestId: actor.requestId ?? null });
    });
    const list = (this.open.get(a.deviceId) ?? []).filter((x) => x.id !== a.id);
    if (list.length) this.open.set(a.deviceId, list);
    else this.open.delete(a.deviceId);
    this.changed();
  }
}
