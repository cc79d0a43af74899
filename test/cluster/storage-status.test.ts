import { createLogger, RedisHub } from '@infusion/server';
import type { AlarmUpdate, Result, Snapshot, StorageStatus } from '@infusion/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis';
import { connected, dashboard, startServer, waitFor, type TestServer } from '../support/server';

const log = createLogger('silent');

/**
 * A screen shows the recording status of the node it is connected to (as its snapshot and that node's
 * /api/health do): another node's status must neither raise nor clear its banner. Node b here is a
 * hub on the same Redis, standing in for a second server.
 */
describe("recording status on several nodes: each node's screens show that node's own", () => {
  let redis: RedisServer;
  let a: RedisHub;
  let b: RedisHub;
  let server: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    a = await RedisHub.connect(redis.url, 'node-a', log);
    b = await RedisHub.connect(redis.url, 'node-b', log);
    server = await startServer({ cluster: { hub: a, nodeId: 'node-a' } });
  });
  afterAll(async () => {
    await server?.close();
    await b?.close();
    await redis?.stop();
  });

  it("another node's failed recording does not put a banner on this node's healthy screens", async () => {
    const nurse = dashboard(server.nurse);
    try {
      await connected(nurse);
      const snap = (await nurse.emitWithAck('subscribe', {})) as Result<Snapshot>;
      expect(snap.ok && snap.data.storage.recording).toBe('ok');
      const statuses: StorageStatus[] = [];
      nurse.on('storage', (st: StorageStatus) => statuses.push(st));

      b.emit('storage', { recording: 'failed', since: Date.now(), reason: 'SQLITE_FULL on node-b', heldAlarmWrites: 0, unrecordedAlarmIds: [] });
      // A marker from node b after it: the status, had it been passed on, would have arrived first.
      const marker = waitFor<AlarmUpdate>(nurse, 'alarm', (u) => u.eventId === 999_999);
      b.emit('alarm', { eventId: 999_999, transition: 'raised', at: Date.now(), alarm: { id: 999_999, sessionId: 's_elsewhere', unit: 'infusion-suite', simulated: false } } as unknown as AlarmUpdate);
      await marker;

      expect(statuses).toEqual([]);
      const health = await fetch(server.url + '/api/health');
      expect(health.status).toBe(200);
    } finally {
      nurse.close();
    }
  });
});
