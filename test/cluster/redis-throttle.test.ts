import { createLogger, LoginThrottle, ManualClock, RedisLoginThrottle } from '@infusion/server';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../support/redis';

const log = createLogger('silent');

describe('login throttle shared through Redis (two nodes, real redis-server)', () => {
  let redis: RedisServer;
  const clients: ReturnType<typeof createClient>[] = [];
  const node = async () => {
    const c = createClient({ url: redis.url, socket: { reconnectStrategy: 100 } });
    c.on('error', () => {});
    await c.connect();
    clients.push(c);
    return new RedisLoginThrottle(c, new LoginThrottle(new ManualClock(0)), log);
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await redis?.stop();
  });

  it('failures spread over two nodes lock the account on both; a success elsewhere does not unlock it', async () => {
    const [a, b] = [await node(), await node()];
    expect(await a.fail('Nurse1')).toBe(false);
    expect(await b.fail('nurse1')).toBe(false);
    expect(await a.fail('nurse1')).toBe(false);
    expect(await b.fail('nurse1')).toBe(false);
    expect(await a.fail('nurse1')).toBe(true);
    for (const n of [a, b]) expect(await n.check('nurse1', '10.0.0.1')).toMatchObject({ allowed: false, status: 423 });
    await b.succeed('nurse1');
    expect(await a.check('NURSE1', '10.0.0.2')).toMatchObject({ allowed: false, status: 423 });
    // Another account is not affected.
    expect(await b.check('nurse2', '10.0.0.3')).toEqual({ allowed: true });
  });

  it('an address trying more than 30 times a minute is slowed on every node', async () => {
    const [a, b] = [await node(), await node()];
    for (let i = 0; i < 30; i++) expect(await (i % 2 ? a : b).check(`user${i}`, '10.9.9.9')).toEqual({ allowed: true });
    expect(await a.check('user-x', '10.9.9.9')).toMatchObject({ allowed: false, status: 429 });
    expect(await b.check('user-y', '10.9.9.9')).toMatchObject({ allowed: false, status: 429 });
  });

  it('while Redis is away a node throttles on its own counters instead of failing the login', async () => {
    const a = await node();
    await redis.stop();
    try {
      expect(await a.check('nurse3', '10.0.0.4')).toEqual({ allowed: true });
      for (let i = 0; i < 4; i++) expect(await a.fail('nurse3')).toBe(false);
      expect(await a.fail('nurse3')).toBe(true);
      expect(await a.check('nurse3', '10.0.0.4')).toMatchObject({ allowed: false, status: 423 });
    } finally {
      await redis.start();
    }
  });
});
