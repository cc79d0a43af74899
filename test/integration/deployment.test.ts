import { createApp, loadConfig, testConfig, type App } from '@infusion/server';
import type { Session, Snapshot } from '@infusion/shared';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/child';
import { demoSession, startServer, TEST_PASSWORD, waitFor, type DashClient, type TestServer } from '../support/server';

/** A self-signed certificate for localhost and 127.0.0.1, made for this run. */
function selfSigned(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** One HTTPS request that trusts only the test certificate. */
function httpsJson(url: string, ca: Buffer, method: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('HTTPS when TLS_CERT and TLS_KEY are set', () => {
  let dir: string;
  let app: App;
  let url: string;
  let ca: Buffer;
  let dash: DashClient | null = null;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'infusion-tls-'));
    const tls = selfSigned(dir);
    ca = readFileSync(tls.cert);
    app = await createApp({ config: testConfig({ DB_PATH: join(dir, 'db.sqlite'), LOG_LEVEL: 'silent', TLS_CERT: tls.cert, TLS_KEY: tls.key }), clientDist: null });
    url = `https://localhost:${await app.listen(0, '127.0.0.1')}`;
    await app.users.create({ username: 'nurse', displayName: 'Nurse', role: 'nurse', units: ['infusion-suite'], password: TEST_PASSWORD, mustChangePassword: false }, { id: 'test' });
  });
  afterAll(async () => {
    dash?.close();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over TLS with a Secure cookie and HSTS, and Socket.IO over the same server', async () => {
    expect(app.protocol).toBe('https');
    const login = await httpsJson(`${url}/api/auth/login`, ca, 'POST', {}, { username: 'nurse', password: TEST_PASSWORD });
    expect(login.status).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/ikm_sid=[^;]+;.*\bSecure\b/);
    expect(login.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const cookie = setCookie.split(';')[0]!;
    const csrf = (login.body as { data: { csrfToken: string } }).data.csrfToken;

    dash = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, ca: ca.toString(), extraHeaders: { cookie } }) as DashClient;
    const snap = await dash.emitWithAck('subscribe', {});
    expect(snap.ok).toBe(true);
    expect((snap as { data: Snapshot }).data.sessions).toEqual([]);
    const broadcast = waitFor<Session>(dash, 'session');
    const created = await httpsJson(`${url}/api/sessions`, ca, 'POST', { cookie, 'x-csrf-token': csrf }, demoSession());
    expect(created.status).toBe(201);
    expect((await broadcast).id).toBe((created.body as { data: Session }).data.id);
  });
});

describe('plain HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('does not tell the browser to upgrade to an HTTPS port nobody serves, nor send HSTS or a Secure cookie', async () => {
    const res = await fetch(s.url + '/api/health');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('strict-transport-security')).toBeNull();
    const login = await fetch(s.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nurse', password: TEST_PASSWORD }) });
    expect(login.headers.get('set-cookie')).not.toMatch(/Secure/i);
  });

  it('counts login attempts per connection address: a changing X-Forwarded-For from loopback is not believed', async () => {
    // More than 30 attempts a minute from one address answer 429 (docs/roles.md; the logins above count too);
    // distinct usernames, so the account lock plays no part.
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await fetch(s.url + '/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
        body: JSON.stringify({ username: `spray-${i}`, password: 'wrong-password-123' }),
      });
      statuses.push(res.status);
    }
    const first429 = statuses.indexOf(429);
    expect(first429).toBeGreaterThan(0);
    expect(statuses.slice(0, first429).every((x) => x === 401)).toBe(true);
    expect(statuses.slice(first429).every((x) => x === 429)).toBe(true);
  });
});

describe('TRUST_PROXY', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ config: { TRUST_PROXY: loadConfig({ TRUST_PROXY: 'loopback' }).TRUST_PROXY } });
  });
  afterAll(() => s.close());

  it('believes the forwarded address only from a configured proxy', async () => {
    const attempt = (i: number, from: string) =>
      fetch(s.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ username: `via-proxy-${i}`, password: 'wrong-password-123' }) }).then((r) => r.status);
    // 31 clients behind the proxy are 31 addresses; one client trying 31 times through it is throttled.
    const many: number[] = [];
    for (let i = 0; i < 31; i++) many.push(await attempt(i, `198.51.100.${i + 1}`));
    expect(many.every((x) => x === 401)).toBe(true);
    const one: number[] = [];
    for (let i = 0; i < 31; i++) one.push(await attempt(100 + i, '192.0.2.7'));
    expect(one[30]).toBe(429);
  });
});

describe('deployment configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'infusion-cfg-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the variable when a certificate or key is missing, unreadable, not PEM or not a pair', () => {
    const a = selfSigned(mkdtempSync(join(dir, 'a-')));
    const b = selfSigned(mkdtempSync(join(dir, 'b-')));
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const fails = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(fails({ TLS_CERT: a.cert })).toMatch(/TLS_KEY: must be set/);
    expect(fails({ TLS_KEY: a.key })).toMatch(/TLS_CERT: must be set/);
    expect(fails({ TLS_CERT: join(dir, 'missing.pem'), TLS_KEY: a.key })).toMatch(/TLS_CERT: cannot read ".*missing.pem" \(ENOENT\)/);
    expect(fails({ TLS_CERT: a.cert, TLS_KEY: dir })).toMatch(/TLS_KEY: cannot read/);
    expect(fails({ TLS_CERT: junk, TLS_KEY: a.key })).toMatch(/TLS_CERT: .* is not a PEM certificate/);
    expect(fails({ TLS_CERT: a.cert, TLS_KEY: b.key })).toMatch(/TLS_KEY: .* is not the PEM private key of TLS_CERT/);
    expect(fails({ TLS_CERT: a.cert, TLS_KEY: a.key })).toBe('accepted');
  });

  it('validates TRUST_PROXY and refuses to trust every address', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    for (const bad of ['true', '0', 'proxy.local', '10.0.0.0/33', '10.0.0.1/8/2'])
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY: /);
  });

  it('stops the server with exit code 2 naming TLS_CERT when the certificate file is missing', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HL7_PORT: '0', DB_PATH: join(dir, 'db.sqlite'), TLS_CERT: join(dir, 'nowhere.pem'), TLS_KEY: join(dir, 'nowhere-key.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // A server that starts instead of stopping is killed, so the test fails rather than hangs.
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(guard);
    expect(code).toBe(2);
    expect(err).toMatch(/TLS_CERT: cannot read ".*nowhere.pem"/);
  });
});
