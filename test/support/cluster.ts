import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHILD_ADMIN_PASSWORD, ROOT } from './child';
import { freePort, startRedis, type RedisServer } from './redis';

/**
 * Where the nodes keep their data. `sqlite`: one SQLite file shared by the node processes on this
 * host (WAL mode allows several processes; it proves messaging and failover, not a database server's
 * behaviour). `url`: a database server (DATABASE_URL), once the server supports one.
 */
export type ClusterStore = { kind: 'sqlite' } | { kind: 'url'; databaseUrl: string };

export interface ClusterNode {
  id: string;
  port: number;
  /** Direct address of this node (bypassing the load balancer). */
  url: string;
  child: ChildProcess | null;
  output(): string;
}

export interface Cluster {
  redis: RedisServer;
  /** The sticky load balancer in front of the nodes. */
  url: string;
  nodes: ClusterNode[];
  dir: string;
  /** SIGKILL: the node dies at once, without releasing its leases or closing its sockets. */
  kill(node: ClusterNode): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes?: number;
  store?: ClusterStore;
  /** Extra environment for every node (e.g. LIVE_PUSH_MS). */
  env?: Record<string, string>;
}

/**
 * A real cluster on this host: redis-server on a free port, N server processes (`node --import tsx
 * server/src/main.ts`) sharing one store, and nginx in front of them with sticky routing by client
 * address (`hash $remote_addr consistent`, what Socket.IO's polling transport needs) and WebSocket
 * upgrades proxied. A dead node's clients go to the next node. Debian's `redis-server` and `nginx`
 * (installed by `.ci/run`).
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const n = opts.nodes ?? 2;
  const store = opts.store ?? { kind: 'sqlite' };
  const dir = mkdtempSync(join(tmpdir(), 'infusion-cluster-'));
  const redis = await startRedis();
  const nodes: ClusterNode[] = [];
  const children: ChildProcess[] = [];
  let lb: ChildProcess | null = null;
  const stop = async () => {
    // Nodes are killed (nothing to hand over at the end of a test); nginx is stopped.
    await Promise.all([...children.map((c) => terminate(c, 'SIGKILL')), ...(lb ? [terminate(lb, 'SIGTERM')] : [])]);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < n; i++) {
      const id = `node-${String.fromCharCode(97 + i)}`;
      const port = await freePort();
      const env: Record<string, string> = {
        ...opts.env,
        PORT: String(port),
        HL7_PORT: '0',
        NODE_ID: id,
        REDIS_URL: redis.url,
        ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD,
        LOG_LEVEL: opts.env?.LOG_LEVEL ?? 'warn',
        // Behind the load balancer on this host: the client address the login throttle counts is the forwarded one.
        TRUST_PROXY: 'loopback',
        ...(store.kind === 'sqlite' ? { DB_PATH: join(dir, 'infusion.db') } : { DATABASE_URL: store.databaseUrl }),
      };
      // One after the other: the first creates the schema.
      const node = await spawnNode(id, port, env);
      children.push(node.child!);
      nodes.push(node);
    }
    const lbPort = await freePort();
    lb = await startNginx(join(dir, 'nginx'), lbPort, nodes.map((x) => x.port));
    return {
      redis,
      url: `http://127.0.0.1:${lbPort}`,
      nodes,
      dir,
      async kill(node) {
        const c = node.child;
        if (!c) return;
        node.child = null;
        await new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        });
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function spawnNode(id: string, port: number, env: Record<string, string>): Promise<ClusterNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/src/main.ts')], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const node: ClusterNode = { id, port, url: `http://127.0.0.1:${port}`, child, output: () => out };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${id} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/listening on http/.test(out)) {
        clearTimeout(timer);
        resolve(node);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${id} exited with ${code}:\n${out}`));
    });
  });
}

function startNginx(dir: string, port: number, upstream: number[]): Promise<ChildProcess> {
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  # Bodies and answers stay in memory: started as root, nginx's workers run as another user that may not
  # write to this test's temp dir (an ingest batch over 16 kB would otherwise answer 500).
  client_body_buffer_size 2m;
  client_max_body_size 2m;
  proxy_request_buffering off;
  proxy_buffering off;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream nodes {
    hash $remote_addr consistent;
${upstream.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://nodes;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502;
      proxy_connect_timeout 1s;
      proxy_read_timeout 1h;
    }
  }
}
`,
  );
  // /usr/sbin is not on every user's PATH.
  const child = spawn(existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx', ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nginx did not start:\n${out}`)), 10_000);
    child.once('error', (err) => reject(new Error(`nginx could not be run (apt-get install nginx): ${err.message}`)));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nginx exited with ${code}:\n${out}`));
    });
    // Ready once a request through it reaches a node.
    const probe = () => {
      fetch(`http://127.0.0.1:${port}/api/health`)
        .then((r) => {
          if (r.status === 200) {
            clearTimeout(timer);
            resolve(child);
          } else setTimeout(probe, 50);
        })
        .catch(() => setTimeout(probe, 50));
    };
    probe();
  });
}

function terminate(c: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => c.kill('SIGKILL'), 5_000);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.kill(signal);
  });
}
