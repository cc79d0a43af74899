import { ALL_UNITS, ROLES, fieldErrors, type PublicUser, type Role } from '@infusion/shared';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AuditRepo } from '../persistence/auditRepo';
import type { Db } from '../persistence/db';
import type { Clock } from '../util/clock';
import { badRequest, conflict, notFound } from '../util/errors';
import type { Actor } from '../sessions/sessionService';
import { hashPassword, passwordProblem, verifyPassword } from './passwords';

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  units: string;
  password_hash: string;
  must_change_password: number;
  disabled: number;
  created_at: number;
}

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
  private readonly sByName;
  private readonly sById;
  private readonly sInsert;
  private readonly sList;
  private readonly sCount;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
  ) {
    this.sByName = db.prepare('SELECT * FROM users WHERE username = ?');
    this.sById = db.prepare('SELECT * FROM users WHERE id = ?');
    this.sInsert = db.prepare(`INSERT INTO users (username, display_name, role, units, password_hash, must_change_password, disabled, created_at)
      VALUES (?, ?, ?, ?, ?, ?, 0, ?)`);
    this.sList = db.prepare('SELECT * FROM users ORDER BY id');
    this.sCount = db.prepare('SELECT COUNT(*) n FROM users');
  }

  count(): number {
    return (this.sCount.get() as { n: number }).n;
  }

  list(): PublicUser[] {
    return (this.sList.all() as UserRow[]).map(toPublic);
  }

  get(id: number): PublicUser {
    const r = this.sById.get(id) as UserRow | undefined;
    if (!r) throw notFound(`user ${id}`);
    return toPublic(r);
  }

  findByUsername(username: string): PublicUser | null {
    const r = this.sByName.get(username) as UserRow | undefined;
    return r ? toPublic(r) : null;
  }

  async create(input: unknown, actor: Actor): Promise<PublicUser> {
    const p = userCreateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid user', fieldErrors(p.error));
    const u = p.data;
    if (this.sByName.get(u.username)) throw conflict(`username ${u.username} is taken`);
    const now = this.clock.now();
    const info = this.sInsert.run(u.username, u.displayName, u.role, JSON.stringify(u.units), await hashPassword(u.password), u.mustChangePassword ? 1 : 0, now);
    const created = this.get(Number(info.lastInsertRowid));
    this.audit.record({ at: now, actor: actor.id, action: 'user.create', entity: 'user', entityId: String(created.id), after: created, requestId: actor.requestId ?? null });
    return created;
  }

  async update(id: number, input: unknown, actor: Actor): Promise<PublicUser> {
    const before = this.get(id);
    const p = userUpdateSchema.safeParse(input);
    if (!p.success) throw badRequest('invalid user update', fieldErrors(p.error));
    const u = p.data;
    const sets: string[] = [];
    const args: unknown[] = [];
    const set = (sql: string, v: unknown) => {
      sets.push(sql);
      args.push(v);
    };
    if (u.displayName !== undefined) set('display_name = ?', u.displayName);
    if (u.role !== undefined) set('role = ?', u.role);
    if (u.units !== undefined) set('units = ?', JSON.stringify(u.units));
    if (u.disabled !== undefined) set('disabled = ?', u.disabled ? 1 : 0);
    // A password set by an admin is temporary: the user must choose a new one at next login.
    if (u.password !== undefined) set('password_hash = ?, must_change_password = 1', await hashPassword(u.password));
    if (sets.length) this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...args, id);
    const after = this.get(id);
    this.audit.record({ at: this.clock.now(), actor: actor.id, action: 'user.update', entity: 'user', entityId: String(id), before, after: { ...after, passwordChanged: u.password !== undefined }, requestId: actor.requestId ?? null });
    return after;
  }

  /** Checks a password; null when the user is unknown, disabled or the password is wrong. */
  async verify(username: string, pw: string): Promise<PublicUser | null> {
    const r = this.sByName.get(username) as UserRow | undefined;
    if (!r) {
      // Same cost as a real check, so response time does not reveal which usernames exist.
      await verifyPassword(DUMMY_HASH ??= await hashPassword(randomBytes(16).toString('hex')), pw);
      return null;
    }
    if (!(await verifyPassword(r.password_hash, pw)) || r.disabled) return null;
    return toPublic(r);
  }

  async changeOwnPassword(id: number, current: string, next: string, actor: Actor): Promise<void> {
    const r = this.sById.get(id) as UserRow | undefined;
    if (!r) throw notFound(`user ${id}`);
    if (!(await verifyPassword(r.password_hash, current))) throw badRequest('invalid password change', [{ field: 'currentPassword', reason: 'does not match' }]);
    const problem = passwordProblem(next);
    if (problem) throw badRequest('invalid password change', [{ field: 'newPassword', reason: problem }]);
    if (next === current) throw badRequest('invalid password change', [{ field: 'newPassword', reason: 'must differ from the current password' }]);
    this.db.prepare('UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?').run(await hashPassword(next), id);
    this.audit.record({ at: this.clock.now(), actor: actor.id, action: 'user.password_change', entity: 'user', entityId: String(id), requestId: actor.requestId ?? null });
  }

  /** First start: an admin account from ADMIN_PASSWORD, or a one-time password the caller prints once. */
  async ensureAdmin(adminPassword: string | undefined): Promise<{ created: boolean; oneTimePassword?: string }> {
    if (this.count() > 0) return { created: false };
    const oneTime = adminPassword ? undefined : randomBytes(12).toString('base64url');
    await this.create(
      { username: 'admin', displayName: 'Administrator', role: 'admin', units: [ALL_UNITS], password: adminPassword ?? oneTime, mustChangePassword: !adminPassword },
      { id: 'system:first-start' },
    );
    return oneTime ? { created: true, oneTimePassword: oneTime } : { created: true };
  }
}

let DUMMY_HASH: string | undefined;
