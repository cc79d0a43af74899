// Preloaded into a server process by `npm run bench` (NODE_OPTIONS="--expose-gc --import=<this file>"),
// never by the product: on SIGUSR2 it runs a full garbage collection and prints the heap in use, so the
// bench can measure memory per session from outside without any endpoint in the server.
// HEAP_PROBE_SNAPSHOTS=<dir> also writes a heap snapshot there (to see where the memory goes).
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';

let n = 0;
process.on('SIGUSR2', () => {
  // Twice: the first collection can leave objects whose finalisation frees more.
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  const dir = process.env.HEAP_PROBE_SNAPSHOTS;
  const file = dir ? writeHeapSnapshot(join(dir, `heap-${process.pid}-${++n}.heapsnapshot`)) : null;
  process.stdout.write(`heap-probe ${JSON.stringify({ heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss, file })}\n`);
});
