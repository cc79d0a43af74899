import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, isScenarioName, type ScenarioName } from './scenarios';

export interface CliOptions {
  url: string;
  sessions: number;
  speed: number;
  durationS?: number;
  seed: number;
  scenarios?: ScenarioName[];
  /** Unit the sessions are opened in (default: the server's default unit). */
  unit?: string;
  leaveSessions: boolean;
  help: boolean;
  user: string;
  /** From SIM_PASSWORD (preferred: not visible in the process list) or --password. */
  password: string | undefined;
  /** From SIM_DEVICE_KEY or --device-key: the key an admin created for this simulator (POST /api/devices). */
  deviceKey: string | undefined;
}

export const USAGE = `Usage: npm run simulate -- [options]

  --sessions N      simulated patients (1-1000, default 4)
  --speed X         scenario clock speed, e.g. 10 = ten minutes of drug effect per real minute (default 1)
  --url URL         server base URL (default http://localhost:3000)
  --duration S      stop after S real seconds (default: until Ctrl-C)
  --seed N          seed for reproducible patients and vitals (default 1)
  --scenario NAME   scenario for every session, or a comma-separated list used round-robin;
                    repeatable. Known: ${SCENARIO_NAMES.join(', ')}
  --unit NAME       unit the sessions are opened in (default: the server's default unit)
  --leave-sessions  do not end the sessions on exit
  --user NAME       account that creates the simulated sessions (default trainer)
  --password PW     its password (better: environment variable SIM_PASSWORD)
  --device-key KEY  device key for /ingest (better: environment variable SIM_DEVICE_KEY)
  -h, --help        show this help`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const MAX_SPEED = 600;

/** Parses and validates the command line; throws UsageError with a message naming the bad option. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sessions: { type: 'string', default: '4' },
        speed: { type: 'string', default: '1' },
        url: { type: 'string', default: 'http://localhost:3000' },
        duration: { type: 'string' },
        seed: { type: 'string', default: '1' },
        scenario: { type: 'string', multiple: true },
        unit: { type: 'string' },
        'leave-sessions': { type: 'boolean', default: false },
        user: { type: 'string', default: 'trainer' },
        password: { type: 'string' },
        'device-key': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const sessions = number('--sessions', values.sessions);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 1000) throw new UsageError(`--sessions must be an integer from 1 to 1000 (got ${values.sessions})`);
  const speed = number('--speed', values.speed);
  if (!(speed > 0) || speed > MAX_SPEED) throw new UsageError(`--speed must be greater than 0 and at most ${MAX_SPEED} (got ${values.speed})`);
  const seed = number('--seed', values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer from 0 to 4294967295 (got ${values.seed})`);
  let durationS: number | undefined;
  if (values.duration !== undefined) {
    durationS = number('--duration', values.duration);
    if (!(durationS > 0)) throw new UsageError(`--duration must be a positive number of seconds (got ${values.duration})`);
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new UsageError(`--url must be a URL such as http://localhost:3000 (got ${values.url})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must use http or https (got ${url.protocol})`);
  let scenarios: ScenarioName[] | undefined;
  if (values.scenario) {
    const names = values.scenario.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !isScenarioName(n));
    if (unknown.length) throw new UsageError(`unknown scenario ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${SCENARIO_NAMES.join(', ')})`);
    if (names.length) scenarios = names as ScenarioName[];
  }
  const unit = values.unit?.trim();
  if (values.unit !== undefined && (!unit || unit.length > 40)) throw new UsageError(`--unit must be a unit name of 1 to 40 characters (got "${values.unit}")`);
  return {
    ...(unit ? { unit } : {}),
    url: url.origin + url.pathname.replace(/\/+$/, ''),
    sessions,
    speed,
    durationS,
    seed,
    scenarios,
    leaveSessions: values['leave-sessions'],
    help: values.help,
    user: values.user,
    password: values.password ?? env.SIM_PASSWORD,
    deviceKey: values['device-key'] ?? env.SIM_DEVICE_KEY,
  };
}

function number(flag: string, raw: string): number {
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number (got "${raw}")`);
  return n;
}
