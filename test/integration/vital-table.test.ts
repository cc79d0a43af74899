import { VITAL_FIELDS, VITAL_META, type IngestResult, type TrendPoint } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, createSession, startServer, type TestServer } from '../support/server';

/**
 * Adding a vital sign is a row in the vital-sign table (shared/src/vitals.ts) plus a migration adding
 * its column: every field of the table must go through ingest, storage and the session trend.
 */

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('every vital sign of the table is stored and read back', () => {
  let s: TestServer;
  beforeEach(async () => {
    s = await startServer({ clock: new ManualClock(T0 + 60_000) });
  });
  afterEach(() => s.close());

  it('ingests a frame with every field of the table and returns each value in the session trend', async () => {
    const sess = await createSession(s.nurse);
    // A value inside each field's range that tells the fields apart (DBP under SBP).
    const values = Object.fromEntries(VITAL_FIELDS.map((f, i) => [f, Math.min(VITAL_META[f].max, VITAL_META[f].min + 40 - i)]));
    const r = await api<IngestResult>(s.deviceHttp, 'POST', '/api/ingest/frames', [{ sessionId: sess.id, seq: 1, t: T0, ...values }]);
    expect(r.status).toBe(200);
    const detail = await api<{ trend: TrendPoint[] }>(s.nurse, 'GET', `/api/sessions/${sess.id}`);
    expect(detail.body.data.trend).toEqual([expect.objectContaining({ t: T0, ...values })]);
  });
});
