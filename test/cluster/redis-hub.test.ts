import { createLogger, HUB_CHANNEL, RedisHub } from '@infusion/server';
import type { AlarmUpdate } from '@infusion/shared';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis';

const log = createLogger('silent');

/** Resolves with the first value `pred` accepts among those `register` hands over (bounded so a broken hub fails, not hangs). */
function next<T>(register: (fn: (v: T) => void) => void, pred: (v: T) => boolean = () => true, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error('timed out'));
    }, ms);
    register((v) => {
      if (done || !pred(v)) return;
      done = true;
      clearTimeout(timer);
      resolve(v);
    });
  });
}

const update = (eventId: number): AlarmUpdate =>
  ({ eventId, transition: 'raised', at: 1, alarm: { id: eventId, sessionId: 's_x', unit: 'infusion-suite', simulated: true } }) as unknown as AlarmUpdate;

describe('hub over Redis (two nodes, real redis-server)', () => {
  let redis: RedisServer;
  let a: RedisHub;
  let b: RedisHub;
  beforeAll(async () => {
    redis = await startRedis();
    a = await RedisHub.connect(redis.url, 'node-a', log);
    b = await RedisHub.connect(redis.url, 'node-b', log);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('an event reaches the other node once, for its screens and copies, and never its local reactions', async () => {
    const heardOnB: { every: number[]; other: number[]; local: number[] } = { every: [], other: [], local: [] };
    const heardOnA: { every: number[]; other: number[]; local: number[] } = { every: [], other: [], local: [] };
    for (const [hub, heard] of [
      [a, heardOnA],
      [b, heardOnB],
    ] as const) {
      hub.onEvery('alarm', (u) => heard.every.push(u.eventId));
      hub.onOther('alarm', (u) => heard.other.push(u.eventId));
      hub.on('alarm', (u) => heard.local.push(u.eventId));
    }
    const arrived = next<AlarmUpdate>((fn) => b.onEvery('alarm', fn), (u) => u.eventId === 2);
    a.emit('alarm', update(1));
    a.emit('alarm', update(2));
    await arrived;
    // A marker after the events: anything duplicated would have arrived before it.
    const marker = next<AlarmUpdate>((fn) => a.onEvery('alarm', fn), (u) => u.eventId === 3);
    b.emit('alarm', update(3));
    await marker;
    expect(heardOnB).toEqual({ every: [1, 2, 3], other: [1, 2], local: [3] });
    expect(heardOnA).toEqual({ every: [1, 2, 3], other: [3], local: [1, 2] });
  });

  it('a malformed message on the channel is dropped; the events after it still arrive', async () => {
    const stray = createClient({ url: redis.url });
    await stray.connect();
    await stray.publish(HUB_CHANNEL, 'not json');
    await stray.publish(HUB_CHANNEL, JSON.stringify({ n: 'x', k: 'no-such-event', a: [] }));
    await stray.publish(HUB_CHANNEL, JSON.stringify({ n: 'x', k: 'alarm', a: 'not a list' }));
    await stray.close();
    const arrived = next<AlarmUpdate>((fn) => b.onEvery('alarm', fn), (u) => u.eventId === 10);
    a.emit('alarm', update(10));
    expect((await arrived).eventId).toBe(10);
  });

  it('after a Redis restart each node is told to catch up, and events flow again', async () => {
    const resumedA = next<void>((fn) => a.onResume(() => fn()));
    const resumedB = next<void>((fn) => b.onResume(() => fn()));
    await redis.stop();
    // Published while Redis is away: lost to the other node (its screens catch up from storage on resume), never thrown.
    expect(() => a.emit('alarm', update(20))).not.toThrow();
    await redis.start();
    await Promise.all([resumedA, resumedB]);
    const arrived = next<AlarmUpdate>((fn) => b.onEvery('alarm', fn), (u) => u.eventId === 21, 15_000);
    // The subscription is renewed just after the connection is ready: publish until it is heard.
    const again = setInterval(() => a.emit('alarm', update(21)), 100);
    try {
      expect((await arrived).eventId).toBe(21);
    } finally {
      clearInterval(again);
    }
  });
});
