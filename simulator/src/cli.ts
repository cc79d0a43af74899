import { USAGE, UsageError, parseCliArgs } from './cli-args';
import { consoleLogger, errorText } from './log';
import { loginHeaders } from './login';
import { runSimulation, type SimulationStats } from './runner';

const STATUS_EVERY_MS = 5_000;

function statusLine(s: SimulationStats, final = false): string {
  const d = s.device;
  const link = final ? 'finished' : d.connected ? 'connected' : 'DISCONNECTED';
  return (
    `[sim] ${s.elapsedS.toFixed(0)} s, scenario ${s.scenarioMin.toFixed(1)} min | ${link} | ` +
    `sent ${d.sent} accepted ${d.accepted} duplicates ${d.duplicates} rejected ${d.rejected} resent ${d.resent} pending ${d.pending}` +
    (s.infusionEventsFailed ? ` | infusion events failed ${s.infusionEventsFailed}` : '')
  );
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`simulate: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }

  if (!opts.password || !opts.deviceKey) {
    console.error('simulate: needs a login and a device key: set SIM_PASSWORD (for --user, default trainer) and SIM_DEVICE_KEY (an admin creates one with POST /api/devices)');
    return 2;
  }
  let headers: Record<string, string>;
  try {
    headers = await loginHeaders(opts.url, opts.user, opts.password);
  } catch (err) {
    console.error(`simulate: ${errorText(err)}`);
    return 1;
  }

  const abort = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) {
      console.error('simulate: second interrupt, exiting without ending the sessions');
      process.exit(130);
    }
    interrupted = true;
    console.log(opts.leaveSessions ? 'stopping...' : 'stopping: ending the simulated sessions...');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Started by `npm start` with an IPC channel: a launcher that dies (even by SIGKILL) stops the simulator too.
  if (process.send) process.once('disconnect', () => interrupted || onSignal());

  let handle;
  try {
    handle = await runSimulation({
      url: opts.url,
      sessions: opts.sessions,
      speed: opts.speed,
      seed: opts.seed,
      scenarios: opts.scenarios,
      ...(opts.unit ? { unit: opts.unit } : {}),
      durationS: opts.durationS,
      endSessionsOnStop: !opts.leaveSessions,
      signal: abort.signal,
      log: consoleLogger,
      headers,
      auth: { deviceKey: opts.deviceKey },
    });
  } catch (err) {
    console.error(`simulate: ${errorText(err)}`);
    return 1;
  }
  for (const s of handle.sessions) console.log(`  ${s.patientLabel}  ${s.patientRef.padEnd(10)} ${s.scenario.padEnd(12)} ${s.setting.padEnd(14)} ${s.weightKg} kg  session ${s.sessionId}`);
  const status = setInterval(() => console.log(statusLine(handle.stats())), STATUS_EVERY_MS);
  const final = await handle.done;
  clearInterval(status);
  console.log(statusLine(final, true));
  return final.device.pending > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`simulate: ${errorText(err)}`);
    process.exit(1);
  },
);
