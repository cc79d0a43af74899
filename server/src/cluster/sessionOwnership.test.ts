import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { leaseRepo } from '../persistence/leaseRepo';
import { openSqliteStore, type SqliteStore } from '../persistence/store';
import { ManualClock } from '../util/clock';
import { createLogger } from '../util/logger';
import { LeasedOwnership } from './sessionOwnership';

const log = createLogger('silent');

describe('session leases: one node evaluates a session at a time', () => {
  let dir: string;
  let dbA: SqliteStore;
  let dbB: SqliteStore;
  let clock: ManualClock;
  let a: LeasedOwnership;
  let b: LeasedOwnership;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lease-'));
    clock = new ManualClock(1_000_000);
    // Two connections to one database file: two nodes.
    dbA = openSqliteStore(join(dir, 'db.sqlite'), clock.now());
    dbB = openSqliteStore(join(dir, 'db.sqlite'), clock.now());
    a = new LeasedOwnership(leaseRepo(dbA), 'node-a', clock, log, 4_000);
    b = new LeasedOwnership(leaseRepo(dbB), 'node-b', clock, log, 4_000);
  });
  afterEach(async () => {
    await dbA.close();
    await dbB.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the first node to claim a session holds it; the other does not while it is renewed', async () => {
    expect(await a.claim('s1')).toBe(true);
    expect(await b.claim('s1')).toBe(false);
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      expect(await a.round(['s1'])).toMatchObject({ taken: [], lost: [] });
      expect(await b.round(['s1'])).toMatchObject({ taken: [], lost: [] });
      expect([a.owns('s1'), b.owns('s1')]).toEqual([true, false]);
    }
  });

  it('a node that stops renewing loses its sessions to another within the lease time', async () => {
    await a.round(['s1', 's2']);
    await b.round(['s1', 's2']);
    expect([a.owns('s1'), a.owns('s2'), b.owns('s1'), b.owns('s2')]).toEqual([true, true, false, false]);
    // Node a dies: no more rounds. b tries every second.
    let takenAt: number | null = null;
    const diedAt = clock.now();
    for (let i = 0; i < 6 && takenAt === null; i++) {
      clock.advance(1_000);
      if ((await b.round(['s1', 's2'])).taken.length === 2) takenAt = clock.now();
    }
    expect(takenAt).not.toBeNull();
    expect(takenAt! - diedAt).toBeLessThanOrEqual(5_000);
    expect([b.owns('s1'), b.owns('s2')]).toEqual([true, true]);
    // a comes back (a paused process): its next round says it lost them, and it stops evaluating.
    expect(await a.round(['s1', 's2'])).toMatchObject({ taken: [], lost: ['s1', 's2'] });
    expect([a.owns('s1'), a.owns('s2')]).toEqual([false, false]);
  });

  it('a released session (ended, or the node stopped) is taken at the next round, not after the lease time', async () => {
    await a.claim('s1');
    await a.releaseAll();
    expect(a.owns('s1')).toBe(false);
    expect((await b.round(['s1'])).taken).toEqual(['s1']);
  });

  it('sessions no longer active are released by the round', async () => {
    await a.round(['s1', 's2']);
    await a.round(['s2']);
    expect(a.owns('s1')).toBe(false);
    expect(await b.claim('s1')).toBe(true);
    expect(await b.claim('s2')).toBe(false);
  });

  it('a node taking a session over gets the engine state its holder stored last; renewals store the holder\'s own', async () => {
    await a.round(['s1']);
    await a.round(['s1'], (id) => `state of ${id} at ${clock.now()}`);
    clock.advance(1_000);
    await a.round(['s1'], (id) => `state of ${id} at ${clock.now()}`);
    // a dies; b's rounds give nothing until the lease expires, then the last state a wrote.
    expect((await b.round(['s1'], () => 'b state')).taken).toEqual([]);
    clock.advance(5_000);
    const r = await b.round(['s1'], () => 'b state');
    expect(r.taken).toEqual(['s1']);
    expect(r.resumeFrom.get('s1')).toBe(`state of s1 at ${clock.now() - 5_000}`);
    // From now on b's renewals store b's state.
    clock.advance(1_000);
    await b.round(['s1'], () => 'b state');
    clock.advance(5_000);
    const c = new LeasedOwnership(leaseRepo(dbA), 'node-c', clock, log, 4_000);
    expect((await c.round(['s1'])).resumeFrom.get('s1')).toBe('b state');
  });

  it('renewals between two stored engine states keep the stored one (a state at most once a second)', async () => {
    await a.round(['s1']);
    clock.advance(1_000);
    await a.round(['s1'], () => 'state 1');
    // Half a second later: the lease is renewed, the state of then is not written.
    clock.advance(500);
    expect(await a.round(['s1'], () => 'state 1.5')).toMatchObject({ taken: [], lost: [] });
    clock.advance(5_000);
    const r = await b.round(['s1']);
    expect(r.taken).toEqual(['s1']);
    expect(r.resumeFrom.get('s1')).toBe('state 1');
  });

  it('takes many sessions in one round, each held by one node', async () => {
    const ids = Array.from({ length: 2_500 }, (_, i) => `s${i}`);
    await a.round(ids.filter((_, i) => i % 2 === 0));
    expect((await b.round(ids)).taken).toHaveLength(1_250);
    expect(ids.every((id, i) => a.owns(id) === (i % 2 === 0) && b.owns(id) === (i % 2 === 1))).toBe(true);
  });
});
