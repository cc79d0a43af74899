import { defaultRuleSet, evaluate, initialEngineState, buildContext } from './src/index';
import type { EngineEvent } from './src/index';
const T0 = 1_700_000_000_000;
const N = 400_000;
const evs: EngineEvent[] = [];
for (let i = 0; i < N; i++) {
  const t = T0 + i * 500;
  if (i % 2) evs.push({ kind: 'tick', t });
  else evs.push({ kind: 'vitals', t, sample: { t, hr: 70 + (i % 9), spo2: 96 + (i % 3), rr: 12 + (i % 4), etco2: 36 + (i % 5), ...(i % 360 === 0 ? { sbp: 120, dbp: 70, map: 88 } : {}) } });
}
const ctx = buildContext({ session: { startedAt: T0 }, infusion: { status: 'running', rateMgKgH: 0.5, asOf: T0 }, baseline: { sbp: 120, hr: 72 }, lastObservation: { sedation: { t: T0 + 1e12, scale: 'RASS', score: 0 } }, lastNibpAt: T0 + 1e12 });
for (let rep = 0; rep < 3; rep++) {
  let s = initialEngineState();
  let n = 0;
  const t0 = performance.now();
  for (const ev of evs) { const r = evaluate(defaultRuleSet, s, ctx, ev); s = r.state; n += r.transitions.length; }
  const ms = performance.now() - t0;
  console.log(`${Math.round(N / (ms / 1000))} events/s, transitions ${n}, state ${JSON.stringify(s).length} B`);
}
