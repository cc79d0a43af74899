// Runs the checks before the tests (type checks, lint, the client build) side by side, at most one per
// core: each is single-threaded, so on 2 cores two at a time take about half as long as one after the
// other. Each command's output is printed when it ends, whole; the exit code is 1 if any failed.
// Usage: node test/scripts/parallel.mjs "<command>" ... (longest first packs best)
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const commands = process.argv.slice(2);
const width = Math.max(1, Math.min(Number(process.env.CHECK_JOBS) || availableParallelism(), commands.length));
let next = 0;
let failed = 0;

function run(command) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' } });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('error', (e) => out.push(Buffer.from(String(e))));
    child.on('close', (code) => {
      const s = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`${code === 0 ? 'ok  ' : 'FAIL'} ${command} (${s} s)\n`);
      if (code !== 0) failed++;
      process.stdout.write(Buffer.concat(out));
      resolve();
    });
  });
}

async function worker() {
  while (next < commands.length) await run(commands[next++]);
}

await Promise.all(Array.from({ length: width }, worker));
process.exit(failed ? 1 : 0);
