import { createAdapter } from '@socket.io/redis-streams-adapter';
import { hostname } from 'node:os';
import type { ServerOptions } from 'socket.io';
import type { Config } from '../config';
import type { Logger } from '../util/logger';
import { RedisHub, redisClient, type RedisClient } from './redisHub';

export interface ClusterLink {
  hub: RedisHub;
  nodeId: string;
  adapter: ServerOptions['adapter'];
  /** The connection the Socket.IO adapter and shared counters use. */
  redis: RedisClient;
  close(): Promise<void>;
}

/**
 * REDIS_URL set: this node is one of several. Connects the hub and the Socket.IO Redis Streams adapter
 * (which resumes its stream after a Redis restart). Resolves once Redis answered; later outages are
 * ridden out by reconnecting.
 */
export async function connectCluster(config: Pick<Config, 'REDIS_URL' | 'NODE_ID'>, log: Logger): Promise<ClusterLink | null> {
  if (!config.REDIS_URL) return null;
  const nodeId = config.NODE_ID ?? `${hostname()}-${process.pid}`;
  const hub = await RedisHub.connect(config.REDIS_URL, nodeId, log, (err, event) => log.error({ err, event }, 'event listener failed'));
  const redis = redisClient(config.REDIS_URL);
  let down = false;
  redis.on('error', (err: unknown) => {
    if (!down) log.warn({ err }, 'redis (socket.io adapter): connection lost');
    down = true;
  });
  redis.on('ready', () => {
    down = false;
  });
  await redis.connect();
  log.info({ node: nodeId }, 'cluster: connected to redis');
  return {
    hub,
    nodeId,
    redis,
    adapter: createAdapter(redis),
    async close() {
      await hub.close();
      await redis.close().catch(() => {});
    },
  };
}
