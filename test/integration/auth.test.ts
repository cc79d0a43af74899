import type { IngestResult, PublicUser, Result, Session, Snapshot } from '@infusion/shared';
import { createApp, ManualClock, testConfig } from '@infusion/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { io } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, dashboard, demoSession, device, login, startServer, TEST_PASSWORD, type Caller, type TestServer } from '../support/server';
import { countOf, dbOf } from '../support/storeSql';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

async function rawLogin(url: string, username: string, password: string, cookie?: string) {
  const res = await fetch(url + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, setCookie: res.headers.get('set-cookie'), retryAfter: res.headers.get('retry-after'), body: (await res.json()) as { ok: boolean; error?: string } };
}

describe('login, sessions and CSRF', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  it('sets an httpOnly SameSite=Strict cookie and answers /me; logout ends the session', async () => {
    const r = await rawLogin(s.url, 'nurse', TEST_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.setCookie).toMatch(/^ikm_sid=[\w-]{40,};/);
    expect(r.setCookie).toMatch(/HttpOnly/);
    expect(r.setCookie).toMatch(/SameSite=Strict/);
    const me = await api<{ user: PublicUser }>(s.nurse, 'GET', '/api/auth/me');
    expect(me.body.data.user).toMatchObject({ username: 'nurse', role: 'nurse' });
    expect(JSON.stringify(me.body)).not.toMatch(/argon2|password_hash/);
    expect((await api(s.nurse, 'POST', '/api/auth/logout')).status).toBe(200);
    expect((await api(s.nurse, 'GET', '/api/sessions')).status).toBe(401);
  });

  it('locks an account after 5 failures: 423 without checking the password, even the right one', async () => {
    for (let i = 0; i < 4; i++) expect((await rawLogin(s.url, 'physician', 'wrong-password-x')).status).toBe(401);
    expect((await rawLogin(s.url, 'physician', 'wrong-password-x')).status).toBe(401); // 5th: locks
    const locked = await rawLogin(s.url, 'physician', TEST_PASSWORD);
    expect(locked.status).toBe(423);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    clock.advance(16 * 60_000);
    expect((await rawLogin(s.url, 'physician', TEST_PASSWORD)).status).toBe(200);
    const actions = (await dbOf(s).selectFrom('audit_log').select('action').where('entity', '=', 'user').where('entity_id', 'in', ['physician', '2']).orderBy('id').execute()).map((r) => r.action);
    expect(actions).toEqual(['user.create', 'auth.login', 'auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.login_failed', 'auth.lockout', 'auth.login_refused', 'auth.login']);
  });

  it('slows down one address trying many usernames with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push((await rawLogin(s.url, `ghost${i}`, 'whatever-password')).status);
    expect(statuses.slice(0, 26).every((x) => x === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('never promotes a session token presented before login (fixation)', async () => {
    const planted = 'ikm_sid=attacker-chosen-token-value-0123456789abcdef';
    const r = await rawLogin(s.url, 'nurse', TEST_PASSWORD, planted);
    expect(r.setCookie).not.toContain('attacker-chosen');
    expect((await api(s.nurse, 'GET', '/api/sessions', undefined)).status).toBe(200);
    expect((await api({ url: s.url, headers: { cookie: planted } }, 'GET', '/api/sessions')).status).toBe(401);
  });

  it('expires sessions after the idle timeout and after the absolute lifetime', async () => {
    clock.advance(29 * 60_000);
    expect((await api(s.nurse, 'GET', '/api/sessions')).status).toBe(200);
    clock.advance(31 * 60_000); // 31 min since the last request: past the 30 min idle timeout
    expect((await api(s.nurse, 'GET', '/api/sessions')).status).toBe(401);

    const fresh = await login(s.url, 'physician');
    for (let i = 0; i < 16; i++) {
      clock.advance(29 * 60_000);
      expect((await api(fresh, 'GET', '/api/sessions')).status).toBe(200);
    }
    clock.advance(29 * 60_000); // 17 x 29 min = 8 h 13 min after login: active all along, but past the 8 h lifetime
    expect((await api(fresh, 'GET', '/api/sessions')).status).toBe(401);
  });

  it('refuses a cookie-authorised change without the CSRF token, and changes nothing', async () => {
    const noToken: Caller = { url: s.url, headers: { cookie: s.nurse.headers.cookie! } };
    const r = await api(noToken, 'POST', '/api/sessions', demoSession());
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('missing or invalid CSRF token');
    const wrong = await api({ url: s.url, headers: { ...noToken.headers, 'x-csrf-token': 'guess' } }, 'POST', '/api/sessions', demoSession());
    expect(wrong.status).toBe(403);
    expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data).toEqual([]);
  });

  it('refuses a dashboard socket without a login or from another origin, and disconnects after logout', async () => {
    const anon = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await expect(connected(anon)).rejects.toThrow(/not logged in/);
    anon.close();
    const foreign = io(s.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: s.nurse.headers.cookie!, origin: 'https://evil.example' } });
    await expect(connected(foreign)).rejects.toThrow(/forbidden origin/);
    foreign.close();
    const dash = dashboard(s.nurse);
    await connected(dash);
    expect(((await dash.emitWithAck('subscribe', {})) as Result<Snapshot>).ok).toBe(true);
    await api(s.nurse, 'POST', '/api/auth/logout');
    expect(await dash.emitWithAck('subscribe', {})).toEqual({ ok: false, error: 'not logged in' });
    dash.close();
  });

  it('stores text fields verbatim: SQL and HTML in labels are data, never code', async () => {
    const payloads = ["Robert'); DROP TABLE sessions;--", '<img src=x onerror=alert(1)>', '" OR 1=1 --', '${process.exit()}', '../../etc/passwd'];
    for (const p of payloads) {
      const created = await createSession(s.nurse, { patientLabel: p.slice(0, 64), indication: p, location: p.slice(0, 40), nurse: p, supervisingPhysician: p });
      const back = await api<{ session: Session }>(s.nurse, 'GET', `/api/sessions/${encodeURIComponent(created.id)}`);
      expect(back.body.data.session).toMatchObject({ patientLabel: p.slice(0, 64), indication: p, nurse: p });
      await api(s.nurse, 'POST', `/api/sessions/${created.id}/observations`, { scale: 'RASS', score: 0, note: p });
    }
    expect((await api<Session[]>(s.nurse, 'GET', '/api/sessions')).body.data).toHaveLength(payloads.length);
    expect((await api(s.nurse, 'GET', `/api/sessions/${encodeURIComponent("x' OR '1'='1")}`)).status).toBe(404);
    expect((await rawLogin(s.url, "admin' --", 'x')).status).toBe(401);
    const badUser = await api(s.admin, 'POST', '/api/users', { username: "x'; DROP TABLE users;--", displayName: 'x', role: 'nurse', password: TEST_PASSWORD });
    expect(badUser.status).toBe(400);
    expect(badUser.body.fields![0]!.field).toBe('username');
    expect(await countOf(dbOf(s).selectFrom('users'))).toBe(4);
  });

  it('takes ingest only with a valid device key and cuts a revoked key off at once', async () => {
    const sess = await createSession(s.nurse);
    const frame = { sessionId: sess.id, seq: 1, t: T0, hr: 70 };
    expect((await api({ url: s.url, headers: {} }, 'POST', '/api/ingest/frames', { frames: [frame] })).status).toBe(401);
    expect((await api(s.nurse, 'POST', '/api/ingest/frames', { frames: [frame] })).status).toBe(401);
    const dev = device(s);
    await connected(dev);
    expect(((await dev.emitWithAck('frames', [frame])) as Result<IngestResult>).ok).toBe(true);
    const devices = await api<{ id: number; name: string }[]>(s.admin, 'GET', '/api/devices');
    const id = devices.body.data.find((d) => d.name === 'test device')!.id;
    const disconnected = new Promise<void>((r) => dev.once('disconnect', () => r()));
    expect((await api(s.admin, 'POST', `/api/devices/${id}/revoke`)).status).toBe(200);
    await disconnected;
    const again = device(s);
    await expect(connected(again)).rejects.toThrow(/invalid or revoked device key/);
    again.close();
    const http = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: [{ ...frame, seq: 2 }] });
    expect(http.status).toBe(401);
    expect(http.body.error).toBe('invalid or revoked device key');
  });

  it('lets an admin export the audit log as CSV, with spreadsheet formulas neutralised', async () => {
    await createSession(s.nurse, { patientLabel: '=HYPERLINK("http://x")' });
    const res = await fetch(s.url + '/api/audit/export?format=csv', { headers: s.admin.headers });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="?audit-log.csv"?/);
    const text = await res.text();
    expect(text.split('\n')[0]).toBe('id,at,actor,action,entity,entity_id,before,after,request_id');
    expect(text).toContain('"user:nurse","session.create"');
    expect(text).not.toMatch(/(^|,)"=HYPERLINK/m);
    const denied = await fetch(s.url + '/api/audit/export?format=csv', { headers: s.nurse.headers });
    expect(denied.status).toBe(403);
  });

  it('sends security headers', async () => {
    const res = await fetch(s.url + '/api/health');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('first start', () => {
  it('creates the admin with a one-time password that must be changed before anything else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infusion-first-'));
    const app = await createApp({ config: testConfig({ DB_PATH: join(dir, 'db.sqlite'), LOG_LEVEL: 'silent' }), clientDist: null });
    try {
      const first = await app.users.ensureAdmin(undefined);
      expect(first.oneTimePassword).toMatch(/^[\w-]{16}$/);
      expect((await app.users.ensureAdmin(undefined)).created).toBe(false);
      const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
      const admin = await login(url, 'admin', first.oneTimePassword);
      const blocked = await api(admin, 'GET', '/api/users');
      expect(blocked.status).toBe(403);
      expect(blocked.body.error).toMatch(/password change required/);
      const weak = await api(admin, 'POST', '/api/auth/password', { currentPassword: first.oneTimePassword, newPassword: 'short' });
      expect(weak.body.fields![0]).toEqual({ field: 'newPassword', reason: 'must be at least 12 characters' });
      const changed = await fetch(url + '/api/auth/password', {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: first.oneTimePassword, newPassword: 'a-much-better-passphrase' }),
      });
      expect(changed.status).toBe(200);
      // The old session ended with the password change; the new password works.
      expect((await api(admin, 'GET', '/api/users')).status).toBe(401);
      const again = await login(url, 'admin', 'a-much-better-passphrase');
      expect((await api(again, 'GET', '/api/users')).status).toBe(200);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logs', () => {
  it('never contain patient labels, indications or names, and carry request ids', async () => {
    let text = '';
    let logged: { marker: string; resolve: () => void } | null = null;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        if (logged && text.includes(logged.marker)) logged.resolve();
        cb();
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'infusion-logs-'));
    const app = await createApp({ config: testConfig({ DB_PATH: join(dir, 'db.sqlite') }), logger: pino({ level: 'trace' }, sink), clientDist: null });
    await app.users.create({ username: 'nurse', displayName: 'N', role: 'nurse', password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
    const key = (await app.devices.create({ name: 'd' }, { id: 'test' })).key;
    const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    try {
      const nurse = await login(url, 'nurse');
      const sess = await createSession(nurse, { patientLabel: 'LABEL-7731', indication: 'INDICATION-5521', nurse: 'NURSENAME-1', supervisingPhysician: 'DOCNAME-2' });
      await api({ url, headers: { authorization: `Bearer ${key}` } }, 'POST', '/api/ingest/frames', { frames: [{ sessionId: sess.id, seq: 1, t: Date.now(), hr: 171 }, { sessionId: sess.id, seq: 2, t: 'x' }] });
      // The last request carries its own id: once its completion is logged, every earlier line is written.
      const lastLogged = new Promise<void>((resolve) => (logged = { marker: '"last-request-7"', resolve }));
      const last = { ...nurse, headers: { ...nurse.headers, 'x-request-id': 'last-request-7' } };
      expect((await api(last, 'POST', '/api/sessions', { ...demoSession({ patientLabel: 'LABEL-9999' }), weightKg: 'heavy' })).status).toBe(400);
      await lastLogged;
      expect(text.length).toBeGreaterThan(0);
      for (const secret of ['LABEL-7731', 'INDICATION-5521', 'NURSENAME-1', 'DOCNAME-2', 'LABEL-9999', TEST_PASSWORD, 'ikm_sid=', key]) expect(text).not.toContain(secret);
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { req?: { id?: string } });
      expect(lines.some((l) => typeof l.req?.id === 'string' && l.req.id.length > 0)).toBe(true);
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
