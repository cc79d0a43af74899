import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Starts the real server entry point as a child process and resolves with its URL once it listens.
 * With TEST_STORE=postgres, DB_PATH stands for a database of its own on the run's PostgreSQL server.
 */
export async function spawnServer(env: Record<string, string>, args: string[] = []): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const { databaseFor, testOnPostgres } = await import('./postgres');
  if (testOnPostgres() && env.DB_PATH && !env.DATABASE_URL) env = { ...env, DATABASE_URL: await databaseFor(env.DB_PATH === ':memory:' ? `memory-${Math.random()}` : env.DB_PATH) };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PORT: '0', HL7_PORT: '0', ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => out });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export const CHILD_ADMIN_PASSWORD = 'child-admin-password';

/** Logs in as the first-start admin, then creates a nurse and a device (real, or a simulator) over the API. */
export async function provision(url: string, opts: { simulator?: boolean } = {}): Promise<{ nurseHeaders: Record<string, string>; deviceKey: string; deviceId: number }> {
  const { login, api, TEST_PASSWORD } = await import('./server');
  const admin = await login(url, 'admin', CHILD_ADMIN_PASSWORD);
  const existing = await api<{ username: string }[]>(admin, 'GET', '/api/users');
  if (!existing.body.data.some((u) => u.username === 'nurse'))
    await api(admin, 'POST', '/api/users', { username: 'nurse', displayName: 'Nurse', role: 'nurse', password: TEST_PASSWORD, mustChangePassword: false });
  const dev = await api<{ key: string; device: { id: number } }>(admin, 'POST', '/api/devices', { name: 'load device', simulator: opts.simulator ?? false });
  const nurse = await login(url, 'nurse');
  return { nurseHeaders: nurse.headers, deviceKey: dev.body.data.key, deviceId: dev.body.data.device.id };
}
