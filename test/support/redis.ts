import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A port nobody listens on right now (bound and released by the OS). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM) and waits until it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (no persistence: what a restarted cache looks like). */
  start(): Promise<void>;
}

/**
 * A real redis-server (Debian's `redis-server`, installed by `.ci/run`) on a free port, without
 * persistence, in the foreground of a child process.
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
      // Ready once it accepts a TCP connection.
      const ready = () => {
        const sock = connect(port, '127.0.0.1');
        sock.once('connect', () => {
          sock.end();
          clearTimeout(timer);
          resolve();
        });
        sock.once('error', () => setTimeout(ready, 50));
      };
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`redis-server could not be run (apt-get install redis-server): ${err.message}`));
      });
      c.once('exit', (code) => {
        if (child === c) child = null;
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
      ready();
    });
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
