import type { IngestResult, Result, Session } from '@infusion/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, provision, spawnServer } from '../support/child';
import { demoSession } from '../support/server';
import type { Store } from '../../server/src/persistence/store';
import { openStoreAt } from '../support/storeSql';

const dir = mkdtempSync(join(tmpdir(), 'infusion-crash-'));
const DB_PATH = join(dir, 'infusion.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A resend carries the same values as the original (a frame's time is part of what it says).
const T_BASE = Date.now();
const frame = (sessionId: string, seq: number) => ({ sessionId, seq, t: T_BASE + seq, hr: 70 + (seq % 5), sbp: 120, dbp: 80, spo2: 98, rr: 14 });

describe('crash safety (SIGKILL while frames stream in)', () => {
  it('keeps every acknowledged frame, resumes the session, and loses nothing a device resends', async () => {
    const a = await spawnServer({ DB_PATH });
    const { nurseHeaders, deviceKey, deviceId } = await provision(a.url);
    const created = await fetch(a.url + '/api/sessions', { method: 'POST', headers: { ...nurseHeaders, 'content-type': 'application/json' }, body: JSON.stringify(demoSession({ deviceIds: [deviceId] })) });
    const session = ((await created.json()) as { data: Session }).data;

    const dev = io(a.url + '/ingest', { transports: ['websocket'], reconnection: false, auth: { deviceKey } });
    await new Promise<void>((r) => dev.once('connect', () => r()));
    const acked = new Set<number>();
    let seq = 0;
    // Kill once a good number of frames are acknowledged, while more are still streaming in.
    let enoughAcked!: () => void;
    const enough = new Promise<void>((r) => (enoughAcked = r));
    // Stream batches back to back without waiting for acks, as a busy device would.
    const pump = setInterval(() => {
      const batch = Array.from({ length: 10 }, () => frame(session.id, ++seq));
      dev.timeout(5000).emit('frames', batch, (err: Error | null, res: Result<IngestResult>) => {
        if (!err && res.ok) for (const q of [...res.data.accepted, ...res.data.duplicates]) acked.add(q);
        if (acked.size >= 200) enoughAcked();
      });
    }, 5);
    await enough;
    a.child.kill('SIGKILL');
    await exited(a.child);
    clearInterval(pump);
    dev.close();
    const sent = seq;
    expect(acked.size).toBeGreaterThan(50);

    // Restart on the same database.
    const b = await spawnServer({ DB_PATH });
    let store: Store | undefined;
    try {
      // Login sessions and device keys survive the crash too.
      const active = ((await (await fetch(b.url + '/api/sessions', { headers: nurseHeaders })).json()) as { data: Session[] }).data;
      expect(active.map((s) => s.id)).toEqual([session.id]);

      // Read on a connection of its own: what the killed server acknowledged is in the database.
      store = await openStoreAt(DB_PATH);
      const db = store.db;
      const stored = new Set((await db.selectFrom('vitals').select('seq').where('session_id', '=', session.id).execute()).map((r) => r.seq));
      const lost = [...acked].filter((q) => !stored.has(q));
      expect(lost).toEqual([]);

      // The device resends everything it has no ack for (and, harmlessly, some it has).
      const dev2 = io(b.url + '/ingest', { transports: ['websocket'], reconnection: false, auth: { deviceKey } });
      await new Promise<void>((r) => dev2.once('connect', () => r()));
      const resend = Array.from({ length: sent }, (_, i) => i + 1).filter((q) => !acked.has(q) || q % 7 === 0);
      for (let i = 0; i < resend.length; i += 500) {
        const res = (await dev2.emitWithAck('frames', resend.slice(i, i + 500).map((q) => frame(session.id, q)))) as Result<IngestResult>;
        expect(res.ok && res.data.rejected).toEqual([]);
      }
      dev2.close();
      const all = await db
        .selectFrom('vitals')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('seq').as('lo'), eb.fn.max('seq').as('hi')])
        .where('session_id', '=', session.id)
        .executeTakeFirstOrThrow();
      expect({ n: Number(all.n), lo: all.lo, hi: all.hi }).toEqual({ n: sent, lo: 1, hi: sent });
    } finally {
      await store?.close();
      b.child.kill('SIGTERM');
      await exited(b.child);
    }
  });
});
