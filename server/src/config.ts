import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

const port = (dflt: number) =>
  z
    .string()
    .default(String(dflt))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!/^\d+$/.test(s.trim()) || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `must be a port number 0-65535 (got "${s}")` });
        return z.NEVER;
      }
      return n;
    });

const intMs = (dflt: number, min: number, max: number) =>
  z
    .string()
    .default(String(dflt))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!/^\d+$/.test(s.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of milliseconds ${min}-${max} (got "${s}")` });
        return z.NEVER;
      }
      return n;
    });

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address or subnet (`10.0.0.0/8`, `fd00::/8`) or one of express's names for a range. */
function proxyEntryError(e: string): string | null {
  if (PROXY_NAMES.has(e)) return null;
  const [addr, prefix, extra] = e.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return `"${e}" is not an address, a subnet or one of loopback, linklocal, uniquelocal`;
  if (prefix !== undefined && (!/^\d+$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) return `"${e}" has an invalid prefix length`;
  return null;
}

/**
 * Which reverse proxies may set X-Forwarded-For (the client address the login throttle counts).
 * Off by default: a header anyone can send must not choose the address. `true` (trust everything) is
 * refused for the same reason.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((s, ctx): false | number | string[] => {
    const v = s.trim();
    if (v === 'false') return false;
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      if (n >= 1 && n <= 10) return n;
    }
    if (v === 'true' || /^\d+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `must be false, a hop count 1-10, or the proxies' addresses/subnets (e.g. loopback or 10.0.0.5,10.1.0.0/16); trusting every address lets any client choose its own (got "${s}")` });
      return z.NEVER;
    }
    const entries = v.split(',').map((x) => x.trim());
    for (const e of entries) {
      const err = proxyEntryError(e);
      if (err) ctx.addIssue({ code: 'custom', message: `${err} (got "${s}")` });
    }
    return entries;
  });

/** A URL for messages: the password replaced, so a configuration error never prints it. */
export function redactUrl(s: string): string {
  try {
    const u = new URL(s);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return s.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/**
 * `postgres://user:password@host:port/database`: selects PostgreSQL instead of the SQLite file.
 * Checked for shape here; whether the server answers is checked when the store opens.
 */
const databaseUrl = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (s === undefined) return undefined;
    const shown = redactUrl(s);
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `must be a postgres://user:password@host:port/database URL (got "${shown}")` });
      return z.NEVER;
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      ctx.addIssue({ code: 'custom', message: `must start with postgres:// or postgresql:// (got "${shown}"); leave it unset for the SQLite file at DB_PATH` });
      return z.NEVER;
    }
    // A host is needed unless a Unix socket directory is given as ?host=/path.
    if (!u.hostname && !u.searchParams.get('host')) ctx.addIssue({ code: 'custom', message: `names no host (got "${shown}")` });
    if (u.pathname.replace(/^\//, '') === '') ctx.addIssue({ code: 'custom', message: `names no database: add /<database> after the host (got "${shown}")` });
    return s;
  });

const envSchema = z.object({
  PORT: port(3000),
  DB_PATH: z.string().min(1, { error: 'must not be empty' }).default('./data/infusion.db'),
  /** Set: PostgreSQL at this URL is the store (DB_PATH is then unused). */
  DATABASE_URL: databaseUrl,
  /** Connections each server process keeps to PostgreSQL. */
  DATABASE_POOL_SIZE: z
    .string()
    .default('10')
    .transform((s, ctx) => {
      const n = Number(s);
      if (!/^\d+$/.test(s.trim()) || n < 1 || n > 100) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of connections 1-100 (got "${s}")` });
        return z.NEVER;
      }
      return n;
    }),
  /** Reserved for the HL7 v2 MLLP listener; 0 turns it off. */
  HL7_PORT: port(2575),
  /** The MLLP listener binds to loopback unless told otherwise (it trusts the network, not a key). */
  HL7_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Batch window of the write queue; the design caps it at 100 ms. */
  WRITE_FLUSH_MS: intMs(10, 1, 100),
  /** Frames stamped further ahead of the server clock than this are refused. */
  MAX_FUTURE_SKEW_MS: intMs(30_000, 0, 3_600_000),
  /** Live vitals are coalesced per session and pushed at this interval. */
  LIVE_PUSH_MS: intMs(250, 50, 5_000),
  /** Institutional defaults for the alarm lifecycle (clinical-reference.md section 4), editable per site. */
  ALARM_REARM_MS: intMs(15_000, 0, 600_000),
  ALARM_REMINDER_MS: intMs(300_000, 10_000, 3_600_000),
  /** Audio pause has a fixed, disclosed duration (IEC 60601-1-8): shown as a countdown. */
  AUDIO_PAUSE_MS: intMs(120_000, 10_000, 600_000),
  /** Institutional defaults for escalation (clinical-reference.md section 4), editable per site. */
  ESCALATE_MEDIUM_MS: intMs(60_000, 5_000, 3_600_000),
  ESCALATE_UNIT_MS: intMs(120_000, 5_000, 3_600_000),
  /** Comma-separated URLs that receive every escalation step as JSON (a paging gateway). */
  WEBHOOK_URLS: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const urls = s.split(',').map((x) => x.trim()).filter(Boolean);
      for (const u of urls) {
        try {
          const p = new URL(u);
          if (p.protocol !== 'http:' && p.protocol !== 'https:') throw new Error();
        } catch {
          ctx.addIssue({ code: 'custom', message: `not an http(s) URL: ${u}` });
        }
      }
      return urls;
    }),
  /** First start only: the admin account's password (else a one-time password is printed once). */
  ADMIN_PASSWORD: z.string().min(12, { error: 'must be at least 12 characters' }).optional(),
  /** Login session: absolute lifetime and idle timeout. */
  SESSION_TTL_MS: intMs(8 * 3_600_000, 60_000, 7 * 24 * 3_600_000),
  SESSION_IDLE_MS: intMs(30 * 60_000, 10_000, 24 * 3_600_000),
  /** Set the Secure flag on the session cookie (behind HTTPS). */
  COOKIE_SECURE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false').transform((v) => v === 'true'),
  /** PEM certificate and key files: when both are set the server speaks HTTPS (and Socket.IO over it). */
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  /** Reverse proxies whose X-Forwarded-For is believed; off unless configured. */
  TRUST_PROXY: trustProxy,
  /** Several nodes: Redis carries events between them (hub, Socket.IO adapter, login throttle). Unset: one node. */
  REDIS_URL: z
    .string()
    .optional()
    .refine((s) => s === undefined || /^rediss?:\/\/[^\s]+$/.test(s), { error: 'must be a redis:// or rediss:// URL' }),
  /** This node's name in session leases and logs (default: host name and process id). */
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, { error: 'must be 1-64 letters, digits or . _ : -' })
    .optional(),
  /**
   * Units flagged for training (comma-separated; default "training"): training runs live there, and
   * their alarms and escalations reach only the unit's trainers and each run's trainee.
   */
  TRAINING_UNITS: z
    .string()
    .default('training')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {}

/** Validates the environment at start; a bad value stops the server with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = envSchema.safeParse(picked);
  const lines = r.success ? tlsErrors(r.data) : r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  if (r.success && lines.length === 0) return r.data;
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** The certificate and key as the HTTPS server reads them (null: plain HTTP). */
export function readTls(c: Pick<Config, 'TLS_CERT' | 'TLS_KEY'>): { cert: Buffer; key: Buffer } | null {
  return c.TLS_CERT && c.TLS_KEY ? { cert: readFileSync(c.TLS_CERT), key: readFileSync(c.TLS_KEY) } : null;
}

/** Both files or neither; each readable; a PEM certificate and the key that belongs to it. */
function tlsErrors(c: Config): string[] {
  if (!c.TLS_CERT && !c.TLS_KEY) return [];
  if (!c.TLS_CERT) return ['  TLS_CERT: must be set when TLS_KEY is (both files, or neither for plain HTTP)'];
  if (!c.TLS_KEY) return ['  TLS_KEY: must be set when TLS_CERT is (both files, or neither for plain HTTP)'];
  const read = (name: 'TLS_CERT' | 'TLS_KEY', path: string): Buffer | string => {
    try {
      return readFileSync(path);
    } catch (e) {
      return `  ${name}: cannot read "${path}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    }
  };
  const cert = read('TLS_CERT', c.TLS_CERT);
  const key = read('TLS_KEY', c.TLS_KEY);
  const unread = [cert, key].filter((x): x is string => typeof x === 'string');
  if (unread.length > 0) return unread;
  try {
    new X509Certificate(cert);
  } catch {
    return [`  TLS_CERT: "${c.TLS_CERT}" is not a PEM certificate`];
  }
  try {
    createSecureContext({ cert, key });
  } catch (e) {
    return [`  TLS_KEY: "${c.TLS_KEY}" is not the PEM private key of TLS_CERT (${(e as Error).message})`];
  }
  return [];
}

export const testConfig = (over: Partial<Config> = {}): Config => ({ ...loadConfig({}), ...over });
