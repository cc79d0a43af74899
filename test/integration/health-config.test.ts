import { ConfigError, loadConfig } from '@infusion/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, ROOT } from '../support/child';
import { startServer, type TestServer } from '../support/server';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DB_PATH).toBe('./data/infusion.db');
    expect(c.HL7_PORT).toBe(2575);
  });
  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['HL7_PORT', '-1'],
    ['WRITE_FLUSH_MS', '500'],
    ['REDIS_URL', 'http://cache:6379'],
    ['NODE_ID', 'node a'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });
  it('accepts a Redis URL and a node id (several nodes)', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example:6380', NODE_ID: 'ward-a-1' })).toMatchObject({ REDIS_URL: 'rediss://cache.example:6380', NODE_ID: 'ward-a-1' });
  });
  it('accepts HL7_PORT=0 (off)', () => {
    expect(loadConfig({ HL7_PORT: '0' }).HL7_PORT).toBe(0);
  });
  it('the server entry point refuses to start with a bad environment variable and names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infusion-config-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts')], {
        cwd: ROOT,
        env: { ...process.env, PORT: 'not-a-port', DB_PATH: join(dir, 'infusion.db') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      expect(await exited(child)).toBe(2);
      expect(err).toMatch(/PORT: must be a port number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GET /api/health', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('answers 200 with a JSON status once the server accepts frames', async () => {
    const res = await fetch(s.url + '/api/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; data: { status: string; schemaVersion: number; activeSessions: number } };
    expect(body.ok).toBe(true);
    expect(body.data.status).toBe('ok');
    expect(body.data.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(body.data.activeSessions).toBe(0);
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await fetch(s.url + '/api/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no route GET \/api\/nope/);
  });
});
