// Preloaded into a server process by `npm run bench` (NODE_OPTIONS="--import=<this file>"), never by the
// product: every second it prints how long the event loop was held (perf_hooks' loop-delay histogram,
// then reset), so the bench can tell a server stalled by its own work from a machine short of CPU.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
setInterval(() => {
  const ms = (ns) => Math.round(ns / 1e5) / 10;
  process.stdout.write(`loop-probe ${JSON.stringify({ at: Date.now(), p99: ms(h.percentile(99)), max: ms(h.max) })}\n`);
  h.reset();
}, 1000).unref();
