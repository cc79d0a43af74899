import { ALL_UNITS, ROLES, fieldErrors, type PublicUser } from '@infusion/shared';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Selectable, Updateable } from 'kysely';
import { insertAudit } from '../persistence/auditRepo';
import type { UsersTable } from '../persistence/schema';
import type { Store } from '../persistence/store';
import type { Clock } from '../util/clock';
import { badRequest, conflict, notFound } from '../util/errors';
import type { Actor } from '../sessions/sessionService';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';

type UserRow = Selectable<UsersTable>;

const toPublic = (r: UserRow): PublicUser => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  units: JSON.parse(r.units) as string[],
  disabled: r.disabled === 1,
  mustChangePassword: r.must_change_password === 1,
  createdAt: r.created_at,
});

const password = z.string().superRefine((pw, ctx) => {
  const p = passwordProblem(pw);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});
const units = z.array(z.string().trim().min(1).max(40)).min(1).max(50);

export const userCreateSchema = z.strictObject({
  username: z.string().trim().regex(/^[a-zA-Z0-9._-]{3,40}$/, { error: '3-40 letters, digits, dot, dash or underscore' }),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  units: units.default(['infusion-suite']),
  password,
  mustChangePassword: z.boolean().default(true),
});
export const userUpdateSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES).optional(),
  units: units.optional(),
  disabled: z.boolean().optional(),
  password: password.optional(),
});

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private byName(username: string): Promise<UserRow | undefined> {
    // Case-insensitive on both stores (COLLATE NOCASE / citext).
    return this.store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  private byId(id: number): Promise<UserRow | undefined> {
    return this.store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async count(): Promise<number> {
    // dialect: COUNT is a bigint on PostgreSQL (read as a number by pgStore); Number() covers either.
    const r = await this.store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async list(): Promise<PublicUser[]> {
    return (await this.store.db.selectFrom('users').selectAll().orderBy('id').execute()).map(toPublic);
  }

  async get(id: number): Promise<PublicUser> {
    const r = await this.byId(id);
    if (!r) throw notFound(`user ${id}`);
    return toPublic(r);
  }

  async findByUsername(username: string): Promise<PublicUser | null> {
    const r = await this.byName(username);
    return r ? toPublic(r) : null;
  }

  async create(input: unknown, actor: Actor): Promise<PublicUser> {
    const p = userCreateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid user', fieldErrors(p.error));
    const u = p.data;
    if (await this.byName(u.username)) throw conflict(`username ${u.username} is taken`);
    const hash = await hashPassword(u.password);
    const now = this.clock.now();
    // The account and its audit entry commit together.
    return this.store.transaction(async (trx) => {
      const row = await trx
        .insertInto('users')
        .values({ username: u.username, display_name: u.displayName, role: u.role, units: JSON.stringify(u.units), password_hash: hash, must_change_password: u.mustChangePassword ? 1 : 0, disabled: 0, created_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      const created = toPublic(row);
      await insertAudit(trx, { at: now, actor: actor.id, action: 'user.create', entity: 'user', entityId: String(created.id), after: created, requestId: actor.requestId ?? null });
      return created;
    });
  }

  async update(id: number, input: unknown, actor: Actor): Promise<PublicUser> {
    const before = await this.get(id);
    const p = userUpdateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid user update', fieldErrors(p.error));
    const u = p.data;
    const set: Updateable<UsersTable> = {};
    if (u.displayName !== undefined) set.display_name = u.displayName;
    if (u.role !== undefined) set.role = u.role;
    if (u.units !== undefined) set.units = JSON.stringify(u.units);
    if (u.disabled !== undefined) set.disabled = u.disabled ? 1 : 0;
    // A password set by an admin is temporary: the user must choose a new one at next login.
    if (u.password !== undefined) {
      set.password_hash = await hashPassword(u.password);
      set.must_change_password = 1;
    }
    return this.store.transaction(async (trx) => {
      if (Object.keys(set).length) await trx.updateTable('users').set(set).where('id', '=', id).execute();
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`user ${id}`);
      const after = toPublic(row);
      await insertAudit(trx, { at: this.clock.now(), actor: actor.id, action: 'user.update', entity: 'user', entityId: String(id), before, after: { ...after, passwordChanged: u.password !== undefined }, requestId: actor.requestId ?? null });
      return after;
    });
  }

  /** Checks a password; null when the user is unknown, disabled or the password is wrong. */
  async verify(username: string, pw: string): Promise<PublicUser | null> {
    const r = await this.byName(username);
    if (!r) {
      // Same cost as a real check, so response time does not reveal which usernames exist.
      await verifyPassword(DUMMY_HASH ??= await hashPassword(randomBytes(16).toString('hex')), pw);
      return null;
    }
    if (!(await verifyPassword(r.password_hash, pw)) || r.disabled) return null;
    return toPublic(r);
  }

  async changeOwnPassword(id: number, current: string, next: string, actor: Actor): Promise<void> {
    const r = await this.byId(id);
    if (!r) throw notFound(`user ${id}`);
    if (!(await verifyPassword(r.password_hash, current))) throw badRequest('invalid password change', [{ field: 'currentPassword', reason: 'does not match' }]);
    const problem = passwordProblem(next);
    if (problem) throw badRequest('invalid password change', [{ field: 'newPassword', reason: problem }]);
    if (next === current) throw badRequest('invalid password change', [{ field: 'newPassword', reason: 'must differ from the current password' }]);
    const hash = await hashPassword(next);
    await this.store.transaction(async (trx) => {
      await trx.updateTable('users').set({ password_hash: hash, must_change_password: 0 }).where('id', '=', id).execute();
      await insertAudit(trx, { at: this.clock.now(), actor: actor.id, action: 'user.password_change', entity: 'user', entityId: String(id), requestId: actor.requestId ?? null });
    });
  }

  /** First start: an admin account from ADMIN_PASSWORD, or a one-time password the caller prints once. */
  async ensureAdmin(adminPassword: string | undefined): Promise<{ created: boolean; oneTimePassword?: string }> {
    if ((await this.count()) > 0) return { created: false };
    const oneTime = adminPassword ? undefined : randomBytes(12).toString('base64url');
    await this.create(
      { username: 'admin', displayName: 'Administrator', role: 'admin', units: [ALL_UNITS], password: adminPassword ?? oneTime, mustChangePassword: !adminPassword },
      { id: 'system:first-start' },
    );
    return oneTime ? { created: true, oneTimePassword: oneTime } : { created: true };
  }
}

let DUMMY_HASH: string | undefined;
