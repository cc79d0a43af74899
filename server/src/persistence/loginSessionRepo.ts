import type { Store } from './store';

export interface LoginSessionRow {
  userId: number;
  csrfToken: string;
  lastSeenAt: number;
  expiresAt: number;
}

/** Cookie sessions, by a hash of their token (the token itself is never stored). */
export interface LoginSessionRepo {
  insert(tokenHash: string, userId: number, csrfToken: string, at: number, expiresAt: number): Promise<void>;
  get(tokenHash: string): Promise<LoginSessionRow | null>;
  touch(tokenHash: string, at: number): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  deleteForUser(userId: number): Promise<void>;
  /** Removes sessions past their lifetime or idle since before `idleBefore`. */
  purge(now: number, idleBefore: number): Promise<void>;
}

export function loginSessionRepo(store: Store): LoginSessionRepo {
  const { db } = store;
  return {
    async insert(tokenHash, userId, csrfToken, at, expiresAt) {
      await db.insertInto('auth_sessions').values({ token_hash: tokenHash, user_id: userId, csrf_token: csrfToken, created_at: at, last_seen_at: at, expires_at: expiresAt }).execute();
    },
    async get(tokenHash) {
      const r = await db.selectFrom('auth_sessions').select(['user_id', 'csrf_token', 'last_seen_at', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
      return r ? { userId: r.user_id, csrfToken: r.csrf_token, lastSeenAt: r.last_seen_at, expiresAt: r.expires_at } : null;
    },
    async touch(tokenHash, at) {
      await db.updateTable('auth_sessions').set({ last_seen_at: at }).where('token_hash', '=', tokenHash).execute();
    },
    async delete(tokenHash) {
      await db.deleteFrom('auth_sessions').where('token_hash', '=', tokenHash).execute();
    },
    async deleteForUser(userId) {
      await db.deleteFrom('auth_sessions').where('user_id', '=', userId).execute();
    },
    async purge(now, idleBefore) {
      await db
        .deleteFrom('auth_sessions')
        .where((eb) => eb.or([eb('expires_at', '<', now), eb('last_seen_at', '<', idleBefore)]))
        .execute();
    },
  };
}
