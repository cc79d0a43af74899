import type { IngestResult, Result, SessionDetail, Snapshot, TrendPoint } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, createSession, dashboard, device, startServer, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const SECONDS = 3600;
/** A 5-second SpO2 dip to 84 % at minute 55 (inside the last 15 minutes). */
const DIP_FROM = 3300;
const DIP_S = 5;

const lowest = (trend: TrendPoint[]) => Math.min(...trend.map((p) => p.min?.spo2 ?? p.spo2 ?? Infinity));

describe('trend downsampling', () => {
  let s: TestServer;
  let sessionId: string;
  beforeAll(async () => {
    const clock = new ManualClock(T0);
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    sessionId = (await createSession(s.nurse)).id;
    const dev = device(s);
    await connected(dev);
    // One hour at 1 Hz.
    for (let from = 1; from <= SECONDS; from += 1000) {
      const frames = [];
      for (let q = from; q < Math.min(from + 1000, SECONDS + 1); q++) {
        const dip = q >= DIP_FROM && q < DIP_FROM + DIP_S;
        frames.push({ sessionId, seq: q, t: T0 + q * 1000, hr: 80, sbp: 120, dbp: 75, spo2: dip ? 84 : 97, etco2: 38, rr: 14 });
      }
      clock.set(frames.at(-1)!.t);
      const r = (await dev.emitWithAck('frames', frames)) as Result<IngestResult>;
      if (!r.ok || r.data.accepted.length !== frames.length) throw new Error(`ingest failed: ${JSON.stringify(r).slice(0, 300)}`);
    }
    dev.close();
  });
  afterAll(() => s.close());

  it('bounds the snapshot trend and keeps a 5-second SpO2 dip as the bucket minimum', async () => {
    const d = dashboard(s.nurse);
    await connected(d);
    const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
    d.close();
    if (!snap.ok) throw new Error(snap.error);
    const trend = snap.data.trends[sessionId]!;
    // 15 minutes of 1 Hz rows (900) into at most 180 points.
    expect(trend.length).toBeLessThanOrEqual(180);
    expect(trend.length).toBeGreaterThan(100);
    expect(lowest(trend)).toBe(84);
    // The dip's bucket says both: its mean and the minimum the mean would hide.
    const dipBucket = trend.find((p) => p.min?.spo2 === 84)!;
    expect(dipBucket.spo2).toBeGreaterThan(84);
    expect(dipBucket.max?.spo2).toBe(97);
  });

  it('bounds session:detail to 900 points whatever sinceT says, the dip intact', async () => {
    const d = dashboard(s.nurse);
    await connected(d);
    for (const req of [{ sessionId }, { sessionId, sinceT: 0 }, { sessionId, sinceT: T0 + DIP_FROM * 1000 - 30 * 60_000 }]) {
      const r = (await d.emitWithAck('session:detail', req)) as Result<SessionDetail>;
      if (!r.ok) throw new Error(r.error);
      expect(r.data.trend.length, JSON.stringify(req)).toBeLessThanOrEqual(900);
      expect(r.data.trend.length).toBeGreaterThan(400);
      expect(lowest(r.data.trend), JSON.stringify(req)).toBe(84);
    }
    // sinceT 0 covers the whole session, from its first frame.
    const all = (await d.emitWithAck('session:detail', { sessionId, sinceT: 0 })) as Result<SessionDetail>;
    expect(all.ok && all.data.trend[0]!.t).toBe(T0 + 1000);
    d.close();
  });
});
