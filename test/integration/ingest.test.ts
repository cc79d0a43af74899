import type { IngestResult, Result } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, connected, createSession, device, startServer, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const frame = (sessionId: string, seq: number, over: Record<string, unknown> = {}) => ({
  sessionId,
  seq,
  t: T0 + seq * 1000,
  hr: 72,
  sbp: 122,
  dbp: 78,
  spo2: 98,
  etco2: 38,
  rr: 14,
  ...over,
});

describe('ingest', () => {
  let s: TestServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock(T0 + 3_600_000);
    s = await startServer({ clock });
  });
  afterEach(() => s.close());

  const rowCount = (sessionId: string) => {
    const db = new Database(s.dbPath, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) n FROM vitals WHERE session_id = ?').get(sessionId) as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('acknowledges socket frames only after they are committed to SQLite', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    const res = (await dev.emitWithAck('frames', [frame(sess.id, 1), frame(sess.id, 2)])) as Result<IngestResult>;
    expect(res).toEqual({ ok: true, data: { accepted: [1, 2], duplicates: [], rejected: [] } });
    // Read from a separate connection: the rows are durable at ack time.
    expect(rowCount(sess.id)).toBe(2);
    dev.close();
  });

  it('keeps the good frames of a batch and names the field and reason of each bad one', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    const batch = [
      frame(sess.id, 1),
      frame(sess.id, 2, { spo2: 140 }),
      frame(sess.id, 3, { hr: 'fast' }),
      'not a frame',
      frame(sess.id, 5, { t: T0 + 3_600_000 + 10 * 60_000 }),
      frame('s_nobody', 6),
      frame(sess.id, 7, { sbp: 80, dbp: 120 }),
      frame(sess.id, 8, { Spo2: 97 }),
      frame(sess.id, 9, { seq: -1 }),
      frame(sess.id, 10),
    ];
    const res = (await dev.emitWithAck('frames', batch)) as Result<IngestResult>;
    if (!res.ok) throw new Error(res.error);
    expect(res.data.accepted).toEqual([1, 10]);
    const byIndex = Object.fromEntries(res.data.rejected.map((r) => [r.index, r.errors]));
    expect(byIndex[1]).toEqual([{ field: 'spo2', reason: expect.stringMatching(/above the physiological range/) }]);
    expect(byIndex[2]).toEqual([{ field: 'hr', reason: expect.stringMatching(/must be a number/) }]);
    expect(byIndex[3]![0]!.field).toBe('(root)');
    expect(byIndex[4]).toEqual([{ field: 't', reason: expect.stringMatching(/ahead of the server clock/) }]);
    expect(byIndex[5]).toEqual([{ field: 'sessionId', reason: 'unknown session' }]);
    expect(byIndex[6]).toEqual([{ field: 'dbp', reason: 'diastolic 120 exceeds systolic 80' }]);
    expect(byIndex[7]).toEqual([{ field: 'Spo2', reason: 'unknown field(s): Spo2' }]);
    expect(byIndex[8]![0]!.field).toBe('seq');
    expect(res.data.rejected.find((r) => r.index === 1)).toMatchObject({ sessionId: sess.id, seq: 2 });
    expect(rowCount(sess.id)).toBe(2);
    dev.close();
  });

  it('treats a resent (sessionId, seq) as an idempotent duplicate', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    await dev.emitWithAck('frames', [frame(sess.id, 1), frame(sess.id, 2)]);
    const again = (await dev.emitWithAck('frames', [frame(sess.id, 2, { hr: 99 }), frame(sess.id, 3)])) as Result<IngestResult>;
    expect(again).toEqual({ ok: true, data: { accepted: [3], duplicates: [2], rejected: [] } });
    // Duplicates in the same batch too.
    const same = (await dev.emitWithAck('frames', [frame(sess.id, 4), frame(sess.id, 4)])) as Result<IngestResult>;
    expect(same).toEqual({ ok: true, data: { accepted: [4], duplicates: [4], rejected: [] } });
    expect(rowCount(sess.id)).toBe(4);
    dev.close();
  });

  it('refuses frames for an ended session with the reason', async () => {
    const sess = await createSession(s.nurse);
    await api(s.nurse, 'POST', `/api/sessions/${sess.id}/end`);
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: [frame(sess.id, 1)] });
    expect(r.status).toBe(200);
    expect(r.body.data.rejected[0]!.errors[0]).toEqual({ field: 'sessionId', reason: expect.stringMatching(/^session ended at /) });
  });

  it('takes the same frames as an HTTP batch', async () => {
    const sess = await createSession(s.nurse);
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: [frame(sess.id, 1), frame(sess.id, 2, { rr: 500 })] });
    expect(r.status).toBe(200);
    expect(r.body.data.accepted).toEqual([1]);
    expect(r.body.data.rejected[0]!.errors[0]!.field).toBe('rr');
    expect(rowCount(sess.id)).toBe(1);
  });

  it('answers malformed JSON, a wrong body shape and an oversized batch with 400s, and stays up', async () => {
    const bad = await api(s.deviceHttp, 'POST', '/api/ingest/frames', undefined, '{"frames": [');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/malformed JSON/);
    const shape = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frame: {} });
    expect(shape.status).toBe(400);
    expect(shape.body.fields![0]!.field).toBe('frames');
    const notArray = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: 'x' });
    expect(notArray.status).toBe(400);
    const huge = await api(s.deviceHttp, 'POST', '/api/ingest/frames', { frames: Array.from({ length: 1001 }, () => ({})) });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatch(/at most 1000/);
    expect((await fetch(s.url + '/api/health')).status).toBe(200);
  });

  it('survives socket abuse: no ack callback, non-array payloads, garbage', async () => {
    const sess = await createSession(s.nurse);
    const dev = device(s);
    await connected(dev);
    // No ack callback: nothing to answer, nothing crashes.
    (dev as unknown as { emit(ev: string, data: unknown): void }).emit('frames', [frame(sess.id, 1)]);
    for (const junk of [null, 42, 'x', { frames: [] }]) {
      const r = (await dev.emitWithAck('frames', junk)) as Result<IngestResult>;
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.fields?.[0]?.field).toBe('frames');
    }
    const good = (await dev.emitWithAck('frames', [frame(sess.id, 2)])) as Result<IngestResult>;
    expect(good.ok).toBe(true);
    dev.close();
  });
});
