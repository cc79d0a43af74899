import type { FieldError, VitalsFrame } from '@infusion/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimLogger } from '../log';
import { FakeServer, unusedUrl, waitFor } from '../testing/fake-server';
import { DeviceClient, type DeviceClientOptions } from './device-client';

const T0 = 1_700_000_000_000;
const frame = (sessionId: string, seq: number, hr = 70): VitalsFrame => ({ sessionId, seq, t: T0 + seq * 1000, hr, spo2: 97 });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function recordingLog() {
  const lines: string[] = [];
  const log: SimLogger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  return { lines, log };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(opts: Partial<DeviceClientOptions> = {}) {
  const server = await FakeServer.start();
  const { lines, log } = recordingLog();
  const device = new DeviceClient({ url: server.url, ackTimeoutMs: 300, retryDelayMs: 50, log, ...opts });
  cleanup.push(() => server.close(), () => device.close());
  await waitFor(() => device.connected, 5_000, 'connection');
  return { server, device, lines };
}

/** Each batch is one session's frames in strictly increasing seq order. */
function expectOrderedBatches(server: FakeServer) {
  for (const b of server.batches) {
    expect(new Set(b.sessionIds).size).toBe(1);
    for (let i = 1; i < b.seqs.length; i++) expect(b.seqs[i]!).toBeGreaterThan(b.seqs[i - 1]!);
  }
}

describe('DeviceClient', () => {
  it('delivers frames in batches of at most 50, one session per batch, and forgets them once acknowledged', async () => {
    const { server, device } = await setup({ auth: { token: 'secret' } });
    device.send([...range(1, 120).map((s) => frame('a', s)), ...range(1, 30).map((s) => frame('b', s))]);
    expect(await device.drain(5_000)).toBe(true);
    expect(server.committedSeqs('a')).toEqual(range(1, 120));
    expect(server.committedSeqs('b')).toEqual(range(1, 30));
    expect(Math.max(...server.batches.map((b) => b.seqs.length))).toBe(50);
    expectOrderedBatches(server);
    expect(device.stats).toMatchObject({ sent: 150, accepted: 150, duplicates: 0, rejected: 0, resent: 0, pending: 0 });
    expect(server.handshakeAuth).toEqual([{ token: 'secret' }]);
  });

  it('resends what a partial ack left out, in order, until everything is acknowledged', async () => {
    const { server, device } = await setup();
    const seen = new Set<number>();
    // First sight of an odd seq: not committed and not mentioned in the ack; later sights: normal ack.
    server.behaviour = () => ({
      kind: 'partial',
      keep: (f) => {
        const first = !seen.has(f.seq);
        seen.add(f.seq);
        return !(first && f.seq % 2 === 1);
      },
    });
    device.send(range(1, 20).map((s) => frame('a', s)));
    expect(await device.drain(5_000)).toBe(true);
    expect([...server.committedSeqs('a')].sort((x, y) => x - y)).toEqual(range(1, 20));
    expectOrderedBatches(server);
    // The resend starts with the oldest frame still unacknowledged.
    expect(server.batches[1]!.seqs).toEqual(range(1, 10).map((i) => 2 * i - 1));
    expect(device.stats).toMatchObject({ accepted: 20, resent: 10, pending: 0, duplicates: 0 });
  });

  it('drops rejected frames for good, reports each once with the reasons, and keeps going', async () => {
    const rejected: { frame: VitalsFrame; errors: FieldError[] }[] = [];
    const { server, device, lines } = await setup({ onRejected: (f, e) => rejected.push({ frame: f, errors: e }) });
    device.send([frame('a', 1), frame('a', 2, 999), frame('a', 3)]);
    expect(await device.drain(5_000)).toBe(true);
    expect(server.committedSeqs('a')).toEqual([1, 3]);
    expect(rejected.map((r) => r.frame.seq)).toEqual([2]);
    expect(rejected[0]!.errors[0]).toMatchObject({ field: 'hr' });
    expect(lines.filter((l) => l.includes('rejected')).length).toBe(1);
    expect(lines.find((l) => l.includes('seq 2'))).toMatch(/hr: above the physiological range/);
    expect(server.batches.length).toBe(1); // never resent
    expect(device.stats).toMatchObject({ accepted: 2, rejected: 1, pending: 0, resent: 0 });
  });

  it('resends after an ack timeout; the server answers duplicates for what it had committed', async () => {
    const { server, device } = await setup();
    server.behaviour = (_f, n) => (n === 0 ? { kind: 'silent' } : { kind: 'ack' });
    device.send(range(1, 10).map((s) => frame('a', s)));
    expect(await device.drain(5_000)).toBe(true);
    expect(server.committedSeqs('a')).toEqual(range(1, 10));
    expect(server.batches[1]!.seqs).toEqual(range(1, 10));
    expect(server.batches[1]!.at - server.batches[0]!.at).toBeGreaterThanOrEqual(250);
    expect(device.stats).toMatchObject({ duplicates: 10, accepted: 0, lostAcks: 1, resent: 10, pending: 0 });
  });

  it('keeps frames through a dropped connection and resends them in order after reconnecting', async () => {
    const { server, device } = await setup();
    server.behaviour = (_f, n) => (n === 0 ? { kind: 'disconnect' } : { kind: 'ack' });
    device.send(range(1, 5).map((s) => frame('a', s)));
    await waitFor(() => server.batches.length === 1, 2_000, 'first batch');
    // Frames queued while the connection is down go out after the resent ones.
    device.send(range(6, 8).map((s) => frame('a', s)));
    expect(await device.drain(5_000)).toBe(true);
    expect(server.committedSeqs('a')).toEqual(range(1, 8));
    expectOrderedBatches(server);
    const after = server.batches.slice(1).flatMap((b) => b.seqs);
    expect(after).toEqual(range(1, 8)); // exactly once more each, oldest first
    expect(device.stats).toMatchObject({ reconnects: 1, duplicates: 5, accepted: 3, pending: 0 });
  });

  it.each(['graceful', 'abrupt'] as const)('survives the server going away (%s) and coming back on the same port, without loss or reordering', async (mode) => {
    const { server, device, lines } = await setup();
    device.send(range(1, 3).map((s) => frame('a', s)));
    expect(await device.drain(2_000)).toBe(true);
    await server.close(mode);
    await waitFor(() => !device.connected, 2_000, 'disconnect');
    for (let s = 4; s <= 40; s++) device.send(frame('a', s));
    expect(device.stats.pending).toBe(37);
    expect(await device.drain(300)).toBe(false);

    const revived = await FakeServer.start(server.port);
    cleanup.push(() => revived.close());
    expect(await device.drain(10_000)).toBe(true);
    expect(revived.committedSeqs('a')).toEqual(range(4, 40));
    expect(revived.batches.flatMap((b) => b.seqs)).toEqual(range(4, 40));
    expect(lines.some((l) => l.startsWith('warn device disconnected'))).toBe(true);
  });

  it('retries a batch the server answered with an error', async () => {
    const { server, device, lines } = await setup();
    server.behaviour = (_f, n) => (n < 2 ? { kind: 'error', error: 'database busy' } : { kind: 'ack' });
    device.send(range(1, 4).map((s) => frame('a', s)));
    expect(await device.drain(5_000)).toBe(true);
    expect(server.committedSeqs('a')).toEqual(range(1, 4));
    expect(device.stats).toMatchObject({ serverErrors: 2, accepted: 4, pending: 0 });
    expect(lines.some((l) => l.includes('database busy'))).toBe(true);
  });

  it('never throws: unreachable server, sends after close', async () => {
    const { log } = recordingLog();
    const device = new DeviceClient({ url: await unusedUrl(), log, ackTimeoutMs: 100 });
    device.send(frame('a', 1));
    await new Promise((r) => setTimeout(r, 200));
    expect(device.stats).toMatchObject({ connected: false, pending: 1, sent: 0 });
    const final = device.close();
    expect(final.pending).toBe(1);
    expect(() => device.send(frame('a', 2))).not.toThrow();
    expect(device.stats.dropped).toBe(1);
    expect(await device.drain(100)).toBe(false);
  });
});
