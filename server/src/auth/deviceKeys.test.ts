import type { KyselyPlugin } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore, type Store } from '../persistence/store';
import { ManualClock } from '../util/clock';
import { DeviceKeys } from './deviceKeys';

/** Counts the statements sent to the store, by kind (SelectQueryNode, UpdateQueryNode, ...). */
function counting(store: Store): { store: Store; count: Map<string, number> } {
  const count = new Map<string, number>();
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count.set(args.node.kind, (count.get(args.node.kind) ?? 0) + 1);
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  return { store: { ...store, db: store.db.withPlugin(plugin) }, count };
}

describe('device keys under many connections at once', () => {
  let dir: string;
  let raw: SqliteStore;
  const clock = new ManualClock(Date.UTC(2026, 11, 1, 9));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'device-keys-'));
    raw = openSqliteStore(join(dir, 'db.sqlite'), clock.now());
  });
  afterEach(async () => {
    await raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('200 connections of one device arriving together cost one read and one last-seen write, and all are let in', async () => {
    const { key, device } = await new DeviceKeys(raw, clock).create({ name: 'gateway', simulator: true }, { id: 'user:admin' });
    // A fresh node (nothing cached) meets a gateway reconnecting its sockets.
    const { store, count } = counting(raw);
    const keys = new DeviceKeys(store, clock);
    clock.advance(120_000);
    const got = await Promise.all(Array.from({ length: 200 }, () => keys.authenticate(key)));
    expect(got.every((d) => d?.id === device.id)).toBe(true);
    expect(Object.fromEntries(count)).toEqual({ SelectQueryNode: 1, UpdateQueryNode: 1 });
    const row = raw.raw.prepare('SELECT last_seen_at FROM devices WHERE id = ?').get(device.id) as { last_seen_at: number };
    expect(row.last_seen_at).toBe(clock.now());
  });

  it('a revoke while a read is in flight is not undone by that read', async () => {
    const admin = new DeviceKeys(raw, clock);
    const { key, device } = await admin.create({ name: 'monitor', simulator: false }, { id: 'user:admin' });
    const keys = new DeviceKeys(raw, clock);
    const pending = keys.authenticate(key);
    await admin.revoke(device.id, { id: 'user:admin' });
    keys.revoked(device.id);
    await pending;
    expect(await keys.authenticate(key)).toBeNull();
  });
});
