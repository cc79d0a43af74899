import { FULL_RUNS, runAll, stats } from './properties';

/**
 * `npm run fuzz`: every property at full size (100,000 cases in all). FUZZ_SEED reruns a seed;
 * FUZZ_SCALE (e.g. 0.1) shortens a run. Exits 1 with the counterexample on the first crash.
 */
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
const scale = process.env.FUZZ_SCALE ? Number(process.env.FUZZ_SCALE) : 1;
const scaled = (n: number) => Math.max(1, Math.round(n * scale));
const runs = { hl7Read: scaled(FULL_RUNS.hl7Read), mllp: scaled(FULL_RUNS.mllp), hl7App: scaled(FULL_RUNS.hl7App), ingest: scaled(FULL_RUNS.ingest) };
console.log(`fuzz: seed ${seed}`);
const t0 = performance.now();
try {
  const total = await runAll(runs, seed, (s) => console.log(`  ${s}`));
  console.log(`  HL7 answers ${JSON.stringify(stats.hl7)}; ingest frames ${JSON.stringify(stats.ingest)}`);
  console.log(`fuzz: ${total.toLocaleString('en')} cases, 0 crashes in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
} catch (err) {
  console.error(`fuzz: CRASH (seed ${seed})`);
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
