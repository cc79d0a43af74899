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

const envSchema = z.object({
  PORT: port(3000),
  DB_PATH: z.string().min(1, { error: 'must not be empty' }).default('./data/infusion.db'),
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
});

export type Config = z.output<typeof envSchema>;

export class ConfigError extends Error {}

/** Validates the environment at start; a bad value stops the server with the variable's name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const r = envSchema.safeParse(picked);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export const testConfig = (over: Partial<Config> = {}): Config => ({ ...loadConfig({}), ...over });
