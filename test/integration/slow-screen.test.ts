import type { AlarmUpdate, IngestResult, Result, Snapshot } from '@infusion/shared';
import { ManualClock } from '@infusion/server';
import { io } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLiveUpdates } from '../../client/src/realtime/liveUpdates';
import { resetDashboardStores } from '../../client/src/stores/reset';
import { useMonitor } from '../../client/src/stores/useMonitor';
import { connected, createSession, dashboard, device, startServer, type DashClient, type DeviceSocket, type TestServer } from '../support/server';

const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
const SEP = '\x1e';

/**
 * A hostile screen over engine.io long-polling: it answers pings (posts pongs) but never fetches
 * what the server queues for it, so everything sent to it stays in the server's memory.
 */
class NeverReadingScreen {
  private sid = '';
  private pong: NodeJS.Timeout | undefined;
  constructor(
    private readonly url: string,
    private readonly cookie: string,
  ) {}
  private path = () => `${this.url}/socket.io/?EIO=4&transport=polling${this.sid ? `&sid=${this.sid}` : ''}`;
  private async get(): Promise<string[]> {
    const r = await fetch(this.path(), { headers: { cookie: this.cookie } });
    return (await r.text()).split(SEP);
  }
  /** Posts engine.io packets; answers the HTTP status (400 once the server has dropped the connection). */
  async post(body: string): Promise<number> {
    const r = await fetch(this.path(), { method: 'POST', headers: { cookie: this.cookie, 'content-type': 'text/plain;charset=UTF-8' }, body });
    await r.text();
    return r.status;
  }
  /** Reads until a packet with this prefix arrives. */
  async read(prefix: string): Promise<string> {
    for (let i = 0; i < 50; i++) {
      const hit = (await this.get()).find((p) => p.startsWith(prefix));
      if (hit) return hit;
    }
    throw new Error(`no ${prefix} packet`);
  }
  async open(): Promise<Snapshot> {
    const [open] = await this.get();
    this.sid = (JSON.parse(open!.slice(1)) as { sid: string }).sid;
    await this.post('40');
    await this.read('40');
    await this.post('420["subscribe",{}]');
    const ack = JSON.parse((await this.read('430')).slice(3)) as [Result<Snapshot>];
    if (!ack[0].ok) throw new Error(ack[0].error);
    return ack[0].data;
  }
  /** From now on: pong every 500 ms, read nothing. */
  stopReading(): void {
    this.pong = setInterval(() => void this.post('3').catch(() => undefined), 500);
  }
  close(): void {
    clearInterval(this.pong);
  }
}

describe('a screen that stops reading', () => {
  let s: TestServer;
  let clock: ManualClock;
  let dev: DeviceSocket;
  let seq = 0;
  const closers: (() => void)[] = [];
  beforeEach(async () => {
    clock = new ManualClock(T0);
    s = await startServer({ clock, config: { SESSION_IDLE_MS: 24 * 3_600_000 } });
    dev = device(s);
    await connected(dev);
    seq = 0;
  });
  afterEach(async () => {
    closers.splice(0).forEach((c) => c());
    dev.close();
    await s.close();
  });
  /** Frames 1 s apart; HR alternating 165 / 110 raises and clears a latched high alarm on every frame. */
  const send = async (sessionId: string, hrs: number[]) => {
    const frames = hrs.map((hr) => ({ sessionId, seq: ++seq, t: T0 + seq * 1000, hr, sbp: 120, dbp: 75, spo2: 97, rr: 14 }));
    clock.set(frames.at(-1)!.t);
    const r = (await dev.emitWithAck('frames', frames)) as Result<IngestResult>;
    if (!r.ok || r.data.accepted.length !== frames.length) throw new Error(JSON.stringify(r).slice(0, 300));
  };

  it('is disconnected once its queue stays too long, other screens keep everything, and it catches up from its last alarm event id', async () => {
    const sess = await createSession(s.nurse);
    const healthy = dashboard(s.nurse);
    closers.push(() => healthy.close());
    await connected(healthy);
    await healthy.emitWithAck('subscribe', {});
    const seen: AlarmUpdate[] = [];
    healthy.on('alarm', (u) => seen.push(u));

    const slow = new NeverReadingScreen(s.url, s.nurse.headers.cookie!);
    closers.push(() => slow.close());
    await slow.open();
    await send(sess.id, [165]);
    const first = JSON.parse((await slow.read('42["alarm"')).slice(2)) as [string, AlarmUpdate];
    const lastSeen = first[1].eventId;

    slow.stopReading();
    const flood = Array.from({ length: 600 }, (_, i) => (i % 2 ? 165 : 110));
    await send(sess.id, flood);
    // The server drops it (its connection id becomes unknown) instead of holding its queue forever.
    await expect.poll(() => slow.post('3'), { timeout: 10_000, interval: 200 }).toBe(400);

    // The reading screen got every update and is still connected.
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(1 + flood.length);
    expect(healthy.connected).toBe(true);

    // Reconnecting with the last event id it saw, the dropped screen gets exactly what it missed.
    const back = dashboard(s.nurse);
    closers.push(() => back.close());
    await connected(back);
    const snap = (await back.emitWithAck('subscribe', { lastAlarmEventId: lastSeen })) as Result<Snapshot>;
    if (!snap.ok) throw new Error(snap.error);
    expect(snap.data.missedAlarmUpdates.map((u) => u.eventId)).toEqual(seen.slice(1).map((u) => u.eventId));
  });

  it('the dashboard client resubscribes with its last alarm event id and merges what it missed without wiping its state', async () => {
    resetDashboardStores();
    const sess = await createSession(s.nurse);
    const socket = io(s.url, { transports: ['websocket'], autoConnect: false, forceNew: true, reconnectionDelay: 50, extraHeaders: { cookie: s.nurse.headers.cookie! } });
    const stop = startLiveUpdates(socket as never);
    closers.push(stop);
    await expect.poll(() => useMonitor.getState().sessions[sess.id]?.id).toBe(sess.id);
    await send(sess.id, [120, 130, 140, 165]);
    await expect.poll(() => Object.values(useMonitor.getState().alarms).map((a) => a.state)).toEqual(['active']);
    const alarmId = Number(Object.keys(useMonitor.getState().alarms)[0]);
    await expect.poll(() => useMonitor.getState().trends[sess.id]?.length).toBe(4);

    // Cut off (as the server does to a screen that fell behind); no reconnect until the test says so.
    socket.io.reconnection(false);
    const down = new Promise((r) => socket.once('disconnect', r));
    socket.io.engine.close();
    await down;
    // Meanwhile the alarm clears and another screen acknowledges it: it is resolved, so no longer in any snapshot's list.
    await send(sess.id, [140]);
    const other: DashClient = dashboard(s.nurse);
    closers.push(() => other.close());
    await connected(other);
    await other.emitWithAck('subscribe', {});
    const ack = (await other.emitWithAck('alarm:acknowledge', { alarmId })) as Result<{ state: string }>;
    expect(ack.ok && ack.data).toMatchObject({ state: 'resolved' });

    socket.io.reconnection(true);
    socket.connect();
    // Only the replayed updates (sent because the client gave its last event id) can tell it the alarm was resolved.
    await expect.poll(() => useMonitor.getState().alarms[alarmId]?.state, { timeout: 10_000 }).toBe('resolved');
    // Nothing it held was wiped: the trend from before the cut is still there, with the frame sent while away.
    expect(useMonitor.getState().trends[sess.id]!.map((p) => p.hr)).toEqual([120, 130, 140, 165, 140]);
  });
});
