import type { Result, SessionDetail, Snapshot } from '@infusion/shared';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exited, provision, spawnServer } from '../support/child';
import { connected, createSession, dashboard, startServer, type DashClient, type TestServer } from '../support/server';

type Raw = { emitWithAck(ev: string, ...args: unknown[]): Promise<unknown>; emit(ev: string, ...args: unknown[]): unknown };
const raw = (d: DashClient) => d as unknown as Raw;

describe('a malformed dashboard handshake', () => {
  let srv: Awaited<ReturnType<typeof spawnServer>>;
  let cookie: string;
  beforeAll(async () => {
    srv = await spawnServer({ DB_PATH: ':memory:' });
    cookie = (await provision(srv.url)).nurseHeaders.cookie!;
  });
  afterAll(async () => {
    srv.child.kill('SIGTERM');
    await exited(srv.child);
  });

  const handshake = async (headers: Record<string, string>) => {
    const c = io(srv.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, ...headers } });
    try {
      // Bounded: a server that died on the handshake never answers.
      await Promise.race([connected(c), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer from the server')), 5_000))]);
      return 'connected';
    } catch (err) {
      return (err as Error).message;
    } finally {
      c.close();
    }
  };

  it('is refused with a clear error and the server keeps running', async () => {
    expect(await handshake({ origin: 'not-a-url' })).toBe('invalid Origin header: not a URL');
    expect(await handshake({ origin: 'null' })).toBe('invalid Origin header: not a URL');
    expect(await handshake({ origin: 'http://evil.example' })).toBe('forbidden origin');
    expect(await handshake({ cookie: 'ikm_sid=%E0%A4%A; x=%' })).toBe('not logged in');
    expect(srv.child.exitCode).toBeNull();
    expect((await fetch(srv.url + '/api/health')).status).toBe(200);
    // A well-formed one from the server's own origin still connects.
    expect(await handshake({ origin: srv.url })).toBe('connected');
  });
});

describe('hostile dashboard requests', () => {
  let s: TestServer;
  let d: DashClient;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());
  afterEach(() => d?.close());

  it('refuses payloads of the wrong type naming the field and the reason, and the socket stays usable', async () => {
    const sess = await createSession(s.nurse);
    d = dashboard(s.nurse);
    await connected(d);
    const cases: [string, unknown, string, string][] = [
      ['subscribe', 'everything', '(root)', 'expected object'],
      ['subscribe', { lastAlarmEventId: 'abc' }, 'lastAlarmEventId', 'expected number'],
      ['subscribe', { lastAlarmEventId: -1 }, 'lastAlarmEventId', 'must be 0 or more'],
      ['session:detail', { sessionId: 5 }, 'sessionId', 'expected string'],
      ['session:detail', { sessionId: sess.id, sinceT: 'yesterday' }, 'sinceT', 'expected number'],
      ['session:detail', { sessionId: 'x'.repeat(200_000) }, 'sessionId', 'at most 100 characters'],
      ['alarm:acknowledge', [1], '(root)', 'expected object'],
      ['alarm:acknowledge', { alarmId: 1.5 }, 'alarmId', 'must be an integer'],
      ['escalation:acknowledge', null, '(root)', 'expected object'],
      ['escalation:acknowledge', { escalationId: 1, extra: true }, 'extra', 'unknown field'],
    ];
    for (const [event, payload, field, reason] of cases) {
      const r = (await raw(d).emitWithAck(event, payload)) as Result<unknown>;
      expect(r, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, error: `invalid ${event} request` });
      const f = !r.ok ? r.fields ?? [] : [];
      expect(f.map((x) => x.field)).toEqual([field]);
      expect(f[0]!.reason).toContain(reason);
    }
    // A callback with no request object is answered, not left waiting.
    const noReq = (await raw(d).emitWithAck('session:detail')) as Result<unknown>;
    expect(noReq).toEqual({ ok: false, error: 'invalid request: the request object is missing' });
    const ok = (await d.emitWithAck('session:detail', { sessionId: sess.id })) as Result<SessionDetail>;
    expect(ok.ok).toBe(true);
  });

  it('refuses a subscribe loop beyond the per-connection limit, naming it, while other requests and screens go on', async () => {
    d = dashboard(s.nurse);
    await connected(d);
    const answers = (await Promise.all(Array.from({ length: 10 }, () => d.emitWithAck('subscribe', {})))) as Result<Snapshot>[];
    expect(answers.filter((a) => a.ok)).toHaveLength(3);
    const refused = answers.filter((a) => !a.ok);
    expect(refused).toHaveLength(7);
    expect(refused[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^rate limit: subscribe: at most 3 calls at once, then 1 every 5 s per connection; retry in \d+ s$/) });
    // Still connected and answering other events.
    expect(d.connected).toBe(true);
    expect(await d.emitWithAck('alarm:acknowledge', { alarmId: 999 })).toEqual({ ok: false, error: 'alarm 999 not found' });
    // Another screen is not affected.
    const other = dashboard(s.nurse);
    await connected(other);
    expect(((await other.emitWithAck('subscribe', {})) as Result<Snapshot>).ok).toBe(true);
    other.close();
  });

  it('drops a connection that sends an oversized message without affecting the server', async () => {
    d = dashboard(s.nurse);
    await connected(d);
    const gone = new Promise<string>((r) => d.once('disconnect', (reason) => r(reason)));
    raw(d).emit('subscribe', { lastAlarmEventId: 1, pad: 'x'.repeat(2_000_000) });
    expect(await gone).toBe('transport close');
    const other = dashboard(s.nurse);
    await connected(other);
    expect(((await other.emitWithAck('subscribe', {})) as Result<Snapshot>).ok).toBe(true);
    other.close();
  });
});
