import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveVitals, Result, Snapshot } from '@infusion/shared';
import { ROOT, exited } from '../support/child';
import { connected, dashboard, login, waitFor } from '../support/server';

/**
 * `npm start` (after the client build) runs simulator/src/demo/start.ts: the server and the demo
 * simulator as two processes. Real processes, a real SQLite file in a temp dir, conditions polled.
 */

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Child processes of a pid (from /proc), with their command lines. */
function childrenOf(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(e), cmd: readFileSync(`/proc/${e}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // The process ended while being read.
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, f: () => T | null | undefined | false | Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts the launcher as `npm start` does; resolves once the server listens and the simulator runs. */
async function launch() {
  const dir = mkdtempSync(join(tmpdir(), 'ikm-start-'));
  dirs.push(dir);
  const launcher = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'simulator/src/demo/start.ts'), '--sessions', '2', '--speed', '10'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HL7_PORT: '0', DB_PATH: join(dir, 'infusion.db'), LOG_LEVEL: 'warn', ADMIN_PASSWORD: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(launcher);
  let out = '';
  launcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
  launcher.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const url = await until('the server to listen', () => /listening on (https?:\/\/localhost:\d+)/.exec(out)?.[1]?.replace('localhost', '127.0.0.1'));
  const kids = await until('server and simulator processes', () => {
    const k = childrenOf(launcher.pid!);
    const server = k.find((c) => c.cmd.includes('server/src/main.ts'));
    const sim = k.find((c) => c.cmd.includes('simulator/src/cli.ts'));
    const host = k.find((c) => c.cmd.includes('simulator/src/training/host.ts'));
    return server && sim && host ? { server: server.pid, sim: sim.pid, host: host.pid } : null;
  });
  return { launcher, dir, url, kids, output: () => out };
}

describe('npm start: server and simulator as separate processes', () => {
  it('the server does not depend on the simulator package', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'server/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).not.toContain('@infusion/simulator');
    const sources = (readdirSync(join(ROOT, 'server/src'), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    const importing = sources.filter((f) => readFileSync(join(ROOT, 'server/src', f), 'utf8').includes('@infusion/simulator'));
    expect(importing).toEqual([]);
  });

  it('brings up the server with demo sessions streaming from the simulator process, and stops both on SIGTERM', async () => {
    const { launcher, dir, url, kids } = await launch();
    expect(kids.server).not.toBe(kids.sim);
    // The key reaches the simulator through a file only its user can read.
    const keyFile = join(dir, 'demo-device.json');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const trainer = await login(url, 'trainer', 'trainer-demo-2026');
    const dash = dashboard(trainer);
    try {
      await connected(dash);
      const snap = (await dash.emitWithAck('subscribe', {})) as Result<Snapshot>;
      expect(snap.ok).toBe(true);
      // Both demo sessions stream live vitals (the simulator opens them after the server came up).
      const seen = new Set<string>();
      await waitFor<LiveVitals[]>(
        dash,
        'vitals',
        (batch) => {
          for (const b of batch) if (b.samples.length) seen.add(b.sessionId);
          return seen.size >= 2;
        },
        60_000,
      );
    } finally {
      dash.close();
    }
    // The training host (its own process, its own key) offers its scenarios to the trainer's console.
    await until('the training host offers scenarios', async () => {
      const r = await fetch(`${url}/api/training/scenarios`, { headers: trainer.headers });
      return ((await r.json()) as { data?: unknown[] }).data?.length;
    });

    launcher.kill('SIGTERM');
    expect(await exited(launcher)).toBe(0);
    expect(alive(kids.sim)).toBe(false);
    expect(alive(kids.host)).toBe(false);
    expect(alive(kids.server)).toBe(false);
    // The server removed the key file on the way out.
    expect(existsSync(keyFile)).toBe(false);
  }, 120_000);

  it('stops the simulator and forwards the exit code when the server dies', async () => {
    const { launcher, kids } = await launch();
    process.kill(kids.server, 'SIGKILL');
    expect(await exited(launcher)).toBe(1);
    expect(alive(kids.sim)).toBe(false);
    expect(alive(kids.host)).toBe(false);
  }, 120_000);

  it('a launcher killed outright takes both processes with it', async () => {
    const { launcher, kids } = await launch();
    launcher.kill('SIGKILL');
    await exited(launcher);
    await until(`the server, the simulator and the training host to exit`, () => !alive(kids.server) && !alive(kids.sim) && !alive(kids.host), 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)} (alive: ${Object.entries(kids).filter(([, p]) => alive(p)).map(([k]) => k).join(', ')})`);
    });
  }, 120_000);
});
