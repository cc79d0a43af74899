import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoDeviceFileSchema, type DemoDeviceFile } from '@infusion/shared';

/**
 * `npm start`: the server, the demo simulator and the training host as separate processes. The server does not contain the
 * simulator: it prepares the demo (accounts, a fresh simulator device key written with mode 0600
 * beside the database) and the simulator then connects as a device like any other. Stopping is
 * ordered: on SIGINT or SIGTERM the simulator stops first (ending its sessions), then the server;
 * when either exits on its own the other is stopped and its exit code is forwarded. The children run
 * in their own process groups (a terminal's Ctrl-C reaches only this launcher, which stops them in
 * order) and hold an IPC channel to it, so a launcher that dies takes them with it.
 */

const ROOT = resolve(import.meta.dirname, '../../..');
const STOP_GRACE_MS = 10_000;
const FILE_WAIT_MS = 120_000;

const { values } = parseArgs({ options: { sessions: { type: 'string', default: '4' }, speed: { type: 'string', default: '10' } } });
const dbPath = resolve(process.env.DB_PATH || './data/infusion.db');
const demoFile = join(dirname(dbPath), 'demo-device.json');

type Exit = { code: number | null; signal: NodeJS.Signals | null };

function start(name: string, script: string, args: string[], env: NodeJS.ProcessEnv = process.env): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], { cwd: process.cwd(), env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true });
  const exited = new Promise<Exit>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  child.once('error', (err) => console.error(`start: ${name}: ${err.message}`));
  return { child, exited };
}

async function stop(p: { child: ChildProcess; exited: Promise<Exit> } | null): Promise<Exit | null> {
  if (!p) return null;
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill('SIGTERM');
  const guard = setTimeout(() => p.child.kill('SIGKILL'), STOP_GRACE_MS);
  const e = await p.exited;
  clearTimeout(guard);
  return e;
}

const codeOf = (e: Exit | null): number => (e === null ? 0 : (e.code ?? 1));

/** Resolves with the file's content once the server has written it; null if the server exited first. */
async function demoFileOf(server: Promise<Exit>): Promise<DemoDeviceFile | null> {
  let gone = false;
  void server.then(() => (gone = true));
  const until = Date.now() + FILE_WAIT_MS;
  while (!gone && Date.now() < until) {
    if (existsSync(demoFile)) return demoDeviceFileSchema.parse(JSON.parse(readFileSync(demoFile, 'utf8')));
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!gone) throw new Error(`the server did not write ${demoFile} within ${FILE_WAIT_MS / 1000} s`);
  return null;
}

async function main(): Promise<number> {
  // A file from an earlier run holds a revoked key: the simulator waits for this run's.
  rmSync(demoFile, { force: true });
  const server = start('server', 'server/src/main.ts', ['--demo', '--demo-file', demoFile]);
  let sim: ReturnType<typeof start> | null = null;
  let host: ReturnType<typeof start> | null = null;
  let stopping: Promise<number> | null = null;
  /** Stops both in order, once. The exit code is the one of the process that exited first, else the server's. */
  const shutdown = (why: string, first: Exit | null = null): Promise<number> =>
    (stopping ??= (async () => {
      console.log(`start: ${why}: stopping the simulator and the training host, then the server`);
      await Promise.all([stop(sim), stop(host)]);
      const s = await stop(server);
      return codeOf(first ?? s);
    })());

  const signalled = new Promise<number>((res) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => res(shutdown(`${sig} received`)));
  });
  const serverExit = server.exited.then((e) => shutdown(`the server exited (${e.signal ?? e.code})`, e));

  let demo: DemoDeviceFile | null;
  try {
    demo = await Promise.race([demoFileOf(server.exited), signalled.then(() => null)]);
  } catch (err) {
    console.error(`start: ${(err as Error).message}`);
    await shutdown('no demo device file');
    return 1;
  }
  if (!demo || stopping) return Promise.race([signalled, serverExit]);
  sim = start('simulator', 'simulator/src/cli.ts', ['--url', demo.url, '--sessions', values.sessions, '--speed', values.speed], {
    ...process.env,
    SIM_DEVICE_KEY: demo.deviceKey,
    SIM_PASSWORD: demo.password,
  });
  const simExit = sim.exited.then((e) => shutdown(`the simulator exited (${e.signal ?? e.code})`, e));
  // The training host: a device of its own that simulates the trainers' training runs (and resumes them after a restart).
  const exits = [signalled, serverExit, simExit];
  if (demo.trainingHostKey) {
    host = start('training host', 'simulator/src/training/host.ts', ['--url', demo.url], { ...process.env, TRAINING_HOST_KEY: demo.trainingHostKey });
    exits.push(host.exited.then((e) => shutdown(`the training host exited (${e.signal ?? e.code})`, e)));
  }
  console.log(`Demo: ${values.sessions} simulated sessions streaming (physiology ${values.speed}x) from the simulator, a separate process`);
  return Promise.race(exits);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
