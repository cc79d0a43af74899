import type { Alarm, AlarmUpdate, IngestResult, Result, Session, Snapshot, StorageStatus } from '@infusion/shared';
import { createApp, ManualClock, testConfig } from '@infusion/server';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exited, provision, spawnServer } from '../support/child';
import { api, connected, createSession, dashboard, device, login, startServer, waitFor, type DashClient, type TestServer } from '../support/server';
import { fillUp, smallDisk, type SmallDisk } from '../support/smallDisk';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const STORAGE_ERROR = /SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY/;

/** Polls /api/health until it answers `status` (a broken recovery fails here instead of hanging). */
async function healthBecomes(url: string, status: number, ms = 15_000): Promise<{ status: number; body: { ok: boolean; error?: string; data: { status: string; storage: StorageStatus } } }> {
  const end = Date.now() + ms;
  for (;;) {
    // A server that waited for storage hands its port over to the full server: a refused connection meanwhile is retried.
    const res = await fetch(url + '/api/health').catch((err: unknown) => {
      if (Date.now() > end) throw err;
      return null;
    });
    if (res) {
      const body = (await res.json()) as never;
      if (res.status === status || Date.now() > end) return { status: res.status, body };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const disks: SmallDisk[] = [];
afterAll(() => {
  for (const d of disks) d.cleanup();
});

describe('storage failure (disk full) while monitoring', () => {
  let s: TestServer | undefined;
  const sockets: DashClient[] = [];
  afterEach(async () => {
    for (const d of sockets) d.close();
    await s?.close();
  });

  it('keeps monitoring, shows alarms as not recorded, refuses to acknowledge unstored frames, and recovers by itself', async () => {
    const disk = smallDisk();
    disks.push(disk);
    const clock = new ManualClock(T0);
    s = await startServer({ clock, dir: disk.dir, storageProbeMs: 50 });
    const server = s;
    const sess = await createSession(server.nurse);
    const watch = async (who: typeof server.nurse) => {
      const d = dashboard(who);
      sockets.push(d);
      await connected(d);
      const snap = (await d.emitWithAck('subscribe', {})) as Result<Snapshot>;
      expect(snap.ok && snap.data.storage.recording).toBe('ok');
      return d;
    };
    const [nurse, physician, trainer] = await Promise.all([watch(server.nurse), watch(server.physician), watch(server.trainer)]);
    const dev = device(server);
    await connected(dev);
    const send = async (seq: number, spo2: number) => {
      clock.set(T0 + seq * 1000);
      const r = (await dev.emitWithAck('frames', [{ sessionId: sess.id, seq, t: T0 + seq * 1000, hr: 80, sbp: 120, dbp: 75, spo2, rr: 14 }])) as Result<IngestResult>;
      if (!r.ok) throw new Error(r.error);
      return r.data;
    };
    // Ten seconds of SpO2 86: stored and acknowledged; the alarm is still pending (it needs 10 s).
    for (let seq = 1; seq <= 10; seq++) expect((await send(seq, 86)).accepted).toEqual([seq]);

    disk.fill(server.app.db);
    const failed = Promise.all([nurse, physician, trainer].map((d) => waitFor<StorageStatus>(d, 'storage')));
    const raised = waitFor<AlarmUpdate>(nurse, 'alarm', (u) => u.transition === 'raised');

    // The frame that completes 10 s below 88 cannot be stored: it is refused with "resend", not acknowledged...
    const r11 = await send(11, 85);
    expect(r11.accepted).toEqual([]);
    expect(r11.rejected).toEqual([{ index: 0, sessionId: sess.id, seq: 11, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] }]);
    // ...but the rules still ran on it: the clinical alarm reaches the screen at once, marked as not yet recorded.
    const u = await raised;
    expect(u).toMatchObject({ recorded: false, alarm: { ruleId: 'spo2.low.high', priority: 'high', state: 'active', sessionId: sess.id } });
    // Every watching screen, whatever its role, gets the technical alarm.
    for (const st of await failed) expect(st).toMatchObject({ recording: 'failed', since: expect.any(Number), reason: expect.stringMatching(STORAGE_ERROR) });

    // Health says so, with the reason.
    const sick = await fetch(server.url + '/api/health');
    expect(sick.status).toBe(503);
    const sickBody = (await sick.json()) as { ok: boolean; error: string; data: { status: string; storage: StorageStatus } };
    expect(sickBody.ok).toBe(false);
    expect(sickBody.error).toMatch(/^recording failed since .*(SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY)/);
    expect(sickBody.data.storage).toMatchObject({ recording: 'failed', heldAlarmWrites: 1, unrecordedAlarmIds: [u.alarm.id] });

    // A minute on, screens stay logged in (the idle-clock write fails quietly) and a new screen sees the failure and the alarm.
    clock.set(T0 + 90_000);
    expect((await api(server.nurse, 'GET', '/api/sessions')).status).toBe(200);
    const late = dashboard(server.nurse);
    sockets.push(late);
    await connected(late);
    const lateSnap = (await late.emitWithAck('subscribe', {})) as Result<Snapshot>;
    expect(lateSnap.ok && lateSnap.data.storage).toMatchObject({ recording: 'failed', unrecordedAlarmIds: [u.alarm.id] });
    expect(lateSnap.ok && lateSnap.data.alarms.map((a) => a.id)).toEqual([u.alarm.id]);

    // A nurse can still acknowledge it (held behind the raise); a synchronous write gets a clear 503.
    const acked = waitFor<AlarmUpdate>(nurse, 'alarm', (x) => x.transition === 'acknowledged');
    const ack = (await nurse.emitWithAck('alarm:acknowledge', { alarmId: u.alarm.id })) as Result<Alarm>;
    expect(ack.ok && ack.data.state).toBe('acknowledged');
    expect(await acked).toMatchObject({ recorded: false });
    const obs = await api(server.nurse, 'POST', `/api/sessions/${sess.id}/observations`, { scale: 'RASS', score: 0 });
    expect(obs.status).toBe(503);
    expect(obs.body.error).toMatch(/could not be recorded: storage is failing/);
    // An audio pause that cannot be audited is refused, not silently in effect.
    const pause = await api(server.nurse, 'POST', `/api/sessions/${sess.id}/audio-pause`);
    expect(pause.status).toBe(503);
    expect((await api<{ session: Session }>(server.nurse, 'GET', `/api/sessions/${sess.id}`)).body.data.session).toMatchObject({ audioPausedUntil: null });
    // A device that reconnects over HTTP is still let in; its frames are refused with "resend".
    const viaHttp = await api<IngestResult>(server.deviceHttp, 'POST', '/api/ingest/frames', { frames: [{ sessionId: sess.id, seq: 90, t: T0 + 90_000, hr: 80, spo2: 85 }] });
    expect(viaHttp.status).toBe(200);
    expect(viaHttp.body.data).toMatchObject({ accepted: [], rejected: [{ seq: 90, errors: [{ field: '(storage)', reason: 'could not be stored; resend' }] }] });

    // Space comes back: the probe notices, the held transitions are committed in order, the banner clears.
    const restored = Promise.all([nurse, physician, trainer].map((d) => waitFor<StorageStatus>(d, 'storage', (st) => st.recording === 'ok')));
    disk.free(server.app.db);
    for (const st of await restored) expect(st).toEqual({ recording: 'ok', since: null, reason: null, heldAlarmWrites: 0, unrecordedAlarmIds: [] });
    const healthy = await healthBecomes(server.url, 200);
    expect(healthy.status).toBe(200);
    expect(healthy.body.data.status).toBe('ok');

    const db = new Database(server.dbPath, { readonly: true });
    try {
      const events = db.prepare('SELECT id, transition, actor FROM alarm_events WHERE alarm_id = ? ORDER BY id').all(u.alarm.id) as { id: number; transition: string; actor: string | null }[];
      expect(events.map((e) => [e.transition, e.actor])).toEqual([
        ['raised', null],
        ['acknowledged', 'user:nurse'],
      ]);
      expect(events[0]!.id).toBe(u.eventId);
      expect(db.prepare('SELECT state FROM alarms WHERE id = ?').get(u.alarm.id)).toEqual({ state: 'acknowledged' });
      // The outage is audited (start and end) once the audit log can be written again.
      const audit = db.prepare("SELECT action, at, after FROM audit_log WHERE entity = 'storage' ORDER BY id").all() as { action: string; at: number; after: string }[];
      expect(audit.map((a) => a.action)).toEqual(['storage.recording_failed', 'storage.recording_restored']);
      expect(JSON.parse(audit[0]!.after)).toMatchObject({ reason: expect.stringMatching(STORAGE_ERROR) });
    } finally {
      db.close();
    }

    // The device resends what was not acknowledged: now it is stored and acknowledged.
    expect(await send(11, 85)).toMatchObject({ accepted: [11], rejected: [] });
    dev.close();
  });
});

describe('a start on a full disk', () => {
  it('comes up in the failed-recording state instead of exiting (after a crash and after a clean stop), and recovers when space returns', async () => {
    const disk = smallDisk();
    disks.push(disk);
    const DB_PATH = join(disk.dir, 'infusion.db');
    if (disk.mode === 'tmpfs') {
      // The real entry point: a server that stopped on a full disk is restarted on the same full disk.
      const a = await spawnServer({ DB_PATH });
      await provision(a.url);
      a.child.kill('SIGKILL');
      await exited(a.child);
      fillUp(join(disk.dir, 'ballast'));
      const b = await spawnServer({ DB_PATH });
      try {
        const sick = await healthBecomes(b.url, 503);
        expect(sick.status).toBe(503);
        expect(sick.body.error).toMatch(/recording failed .*(SQLITE_FULL|SQLITE_IOERR)/);
        // A login needs a write: the caller is told clearly, and the server stays up.
        const refused = await fetch(b.url + '/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nurse', password: 'correct-horse-battery' }) });
        expect(refused.status).toBe(503);
        expect(((await refused.json()) as { error: string }).error).toMatch(/could not be recorded/);
        disk.free(null as never);
        expect((await healthBecomes(b.url, 200)).status).toBe(200);
        await login(b.url, 'nurse');
        expect(b.child.exitCode).toBeNull();
      } finally {
        b.child.kill('SIGTERM');
        await exited(b.child);
      }
      // After a clean stop the disk fills up again: SQLite cannot even create its WAL index to read the
      // database. The server still does not exit: it answers 503 with the reason until storage is back.
      fillUp(join(disk.dir, 'ballast'));
      const c = await spawnServer({ DB_PATH });
      try {
        const waiting = await healthBecomes(c.url, 503);
        expect(waiting.status).toBe(503);
        expect(waiting.body.error).toMatch(/recording failed .*SQLITE_IOERR.*the database cannot be opened/);
        disk.free(null as never);
        expect((await healthBecomes(c.url, 200)).status).toBe(200);
        await login(c.url, 'nurse');
        expect(c.child.exitCode).toBeNull();
      } finally {
        c.child.kill('SIGTERM');
        await exited(c.child);
      }
    } else {
      // No mount allowed here: the same start, in process, on a database that refuses every write.
      const first = await createApp({ config: testConfig({ DB_PATH, LOG_LEVEL: 'silent' }), clientDist: null, autoTick: false });
      await first.close();
      const db = new Database(DB_PATH);
      db.pragma('query_only = ON');
      const app = await createApp({ config: testConfig({ DB_PATH, LOG_LEVEL: 'silent' }), clientDist: null, autoTick: false, db, storageProbeMs: 50 });
      try {
        const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
        expect((await healthBecomes(url, 503)).status).toBe(503);
        disk.free(db);
        expect((await healthBecomes(url, 200)).status).toBe(200);
      } finally {
        await app.close();
      }
    }
  });
});
