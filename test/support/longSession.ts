import { createApp, ManualClock, testConfig, type App } from '@infusion/server';
import { join } from 'node:path';
import { demoSession, passingChecklist } from './server';

/**
 * A logged session of `hours` at 1 Hz written through the real ingest path in-process: a minute of
 * baseline, scores, checklist, start, then vitals with a 20 s SpO2 dip every 30 min and HR waves.
 */
export async function logLongSession(dir: string, hours: number): Promise<{ app: App; sessionId: string; frames: number }> {
  const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);
  const clock = new ManualClock(T0);
  const app = createApp({ config: testConfig({ DB_PATH: join(dir, `long-${hours}h.db`), LOG_LEVEL: 'silent' }), clock, clientDist: null, autoTick: false });
  const who = { id: 'user:nurse' };
  await app.ready;
  const sess = await app.sessions.create({ ...demoSession(), setting: 'monitored_unit' }, who);
  const monitor = app.devices.create({ name: 'bedside monitor' }, who).device;
  app.assignments.assign(monitor.id, sess, null, who, () => true);
  const frame = (sec: number) => ({
    sessionId: sess.id,
    seq: sec + 1,
    t: T0 + sec * 1000,
    hr: 72 + (sec % 11) + (sec % 3600 < 60 ? Math.min(60, (sec % 3600) * 2) : 0),
    sbp: 118 + (sec % 17),
    dbp: 76,
    map: 90,
    spo2: sec % 1800 < 20 ? 86 : 97,
    etco2: 37,
    rr: 14,
  });
  clock.set(T0 + 60_000);
  await app.ingest.ingest(Array.from({ length: 60 }, (_, i) => frame(i)), monitor);
  await app.care.recordObservation(sess.id, { scale: 'RASS', score: 0 }, who);
  await app.care.recordObservation(sess.id, { scale: 'NRS_PAIN', score: 6 }, who);
  await app.care.submitChecklist(sess.id, passingChecklist(), who);
  await app.sessions.addInfusionEvent(sess.id, { type: 'start', rateMgKgH: 0.5 }, who);
  const total = hours * 3600;
  for (let from = 60; from < total; from += 1000) {
    clock.set(T0 + Math.min(total, from + 1000) * 1000);
    await app.ingest.ingest(Array.from({ length: Math.min(1000, total - from) }, (_, i) => frame(from + i)), monitor);
  }
  return { app, sessionId: sess.id, frames: total };
}
