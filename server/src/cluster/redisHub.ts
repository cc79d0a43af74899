import { createClient } from 'redis';
import { Hub, HUB_EVENTS, type HubEvent, type HubEvents } from '../util/hub';
import type { Logger } from '../util/logger';

export type RedisClient = ReturnType<typeof createClient>;

/** One channel for every hub event: a few hundred small messages a second at 200 sessions. */
export const HUB_CHANNEL = 'ikm:hub';

/** Reconnect quickly (a Redis restart should cost seconds, not minutes), never give up. */
export const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** Math.min(retries, 4), 1_000);

export const redisClient = (url: string): RedisClient => createClient({ url, socket: { reconnectStrategy, connectTimeout: 2_000 } });

interface Wire {
  n: string;
  k: HubEvent;
  a: unknown[];
}

const isWire = (x: unknown): x is Wire =>
  typeof x === 'object' && x !== null && typeof (x as Wire).n === 'string' && HUB_EVENTS.includes((x as Wire).k) && Array.isArray((x as Wire).a);

/**
 * The hub across nodes over Redis publish/subscribe. Events are delivered here at once (as the
 * in-process hub does) and published; the other nodes hand them to their `onEvery` listeners.
 *
 * Publish/subscribe is at most once: while Redis is away, events published by any node are lost to
 * the others. Nothing clinical rests on it: alarm changes are committed to the database before they
 * are emitted, and when the subscription comes back each node's `onResume` listeners catch their
 * screens up from the database (the dashboard layer replays alarm updates by event id).
 */
export class RedisHub extends Hub {
  private lost = false;
  private dropped = 0;

  private constructor(
    private readonly pub: RedisClient,
    private readonly sub: RedisClient,
    readonly nodeId: string,
    private readonly log: Logger,
    onError: (err: unknown, event: HubEvent | 'resume') => void,
  ) {
    super(onError);
  }

  static async connect(url: string, nodeId: string, log: Logger, onError: (err: unknown, event: HubEvent | 'resume') => void = () => {}): Promise<RedisHub> {
    // A publish while Redis is away fails at once instead of queueing without bound in memory.
    const pub = createClient({ url, disableOfflineQueue: true, socket: { reconnectStrategy, connectTimeout: 2_000 } });
    const sub = pub.duplicate();
    const hub = new RedisHub(pub, sub, nodeId, log, onError);
    for (const [name, c] of [
      ['publish', pub],
      ['subscribe', sub],
    ] as const) {
      c.on('error', (err: unknown) => {
        if (!hub.lost) log.warn({ err, connection: name }, 'redis: connection lost; events between nodes are paused');
        if (c === sub) hub.lost = true;
      });
    }
    sub.on('ready', () => {
      if (!hub.lost) return;
      hub.lost = false;
      log.warn({ dropped: hub.dropped }, 'redis: connection back; screens catch up from the database');
      hub.dropped = 0;
      hub.resume();
    });
    await pub.connect();
    await sub.connect();
    // node-redis subscribes again by itself after a reconnect.
    await sub.subscribe(HUB_CHANNEL, (message) => hub.receive(message));
    return hub;
  }

  override emit<K extends HubEvent>(k: K, ...args: Parameters<HubEvents[K]>): void {
    super.emit(k, ...args);
    const wire: Wire = { n: this.nodeId, k, a: args };
    if (!this.pub.isReady) {
      this.dropped++;
      return;
    }
    this.pub.publish(HUB_CHANNEL, JSON.stringify(wire)).catch((err: unknown) => {
      this.dropped++;
      this.log.debug({ err, event: k }, 'redis: event not published');
    });
  }

  private receive(message: string): void {
    let wire: unknown;
    try {
      wire = JSON.parse(message);
    } catch {
      wire = null;
    }
    // A malformed message (another version, a stray publisher) is logged and dropped, never thrown.
    if (!isWire(wire)) return void this.log.warn({ length: message.length }, 'redis: malformed hub message dropped');
    if (wire.n === this.nodeId) return;
    this.deliverRemote(wire.k, wire.a as Parameters<HubEvents[typeof wire.k]>);
  }

  override async close(): Promise<void> {
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
