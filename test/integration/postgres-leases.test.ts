import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LeasedOwnership } from '../../server/src/cluster/sessionOwnership';
import { leaseRepo } from '../../server/src/persistence/leaseRepo';
import { ManualClock } from '../../server/src/util/clock';
import { twoStoresForSuite } from '../support/postgres';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('session leases shared by two servers on PostgreSQL', () => {
  const nodes = twoStoresForSuite(T0);

  it('two servers taking the same 50 sessions at once: each session is held by exactly one', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `s_race${i}`);
    const clock = new ManualClock(T0);
    const one = new LeasedOwnership(leaseRepo(nodes.a), 'node-a', clock, log, 3_000);
    const two = new LeasedOwnership(leaseRepo(nodes.b), 'node-b', clock, log, 3_000);
    // Claims and rounds interleaved, as a session opened on one node while the other's round runs.
    await Promise.all([one.round(ids), two.round([...ids].reverse()), ...ids.slice(0, 10).map((id) => two.claim(id))]);
    for (const id of ids) expect([one.owns(id), two.owns(id)].filter(Boolean)).toHaveLength(1);
    const rows = await nodes.a.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM session_leases WHERE session_id LIKE 's_race%'");
    expect(rows.rows[0]!.n).toBe(50);
  });

  it("a server taking over a dead server's session gets the engine state that server stored last", async () => {
    const clock = new ManualClock(T0 + 100_000);
    const one = new LeasedOwnership(leaseRepo(nodes.a), 'node-a', clock, log, 3_000);
    const two = new LeasedOwnership(leaseRepo(nodes.b), 'node-b', clock, log, 3_000);
    expect(await one.claim('s_t')).toBe(true);
    await one.round(['s_t'], () => '{"pending":"since t0"}');
    clock.advance(1_000);
    expect((await two.round(['s_t'])).taken).toEqual([]);
    // node-a dies: no more renewals.
    clock.advance(3_000);
    const r = await two.round(['s_t']);
    expect(r.taken).toEqual(['s_t']);
    expect(r.resumeFrom.get('s_t')).toBe('{"pending":"since t0"}');
  });

  it("a round never waits on the leases another server holds (their rows stay unlocked by it)", async () => {
    const clock = new ManualClock(T0 + 200_000);
    const one = new LeasedOwnership(leaseRepo(nodes.a), 'node-a', clock, log, 3_000);
    const two = new LeasedOwnership(leaseRepo(nodes.b), 'node-b', clock, log, 3_000);
    const theirs = Array.from({ length: 20 }, (_, i) => `s_held${i}`);
    for (const id of theirs) expect(await two.claim(id)).toBe(true);
    // node-b's lease rows locked, as while its own round writes them.
    const holder = await nodes.b.pool.connect();
    await holder.query('BEGIN');
    await holder.query("SELECT 1 FROM session_leases WHERE session_id LIKE 's_held%' FOR UPDATE");
    let watching = true;
    try {
      const round = one.round([...theirs, 's_free']).then((r) => ({ done: r }));
      // Either the round finishes, or node-a's connection is seen waiting on a row lock.
      const waiting = (async () => {
        while (watching) {
          const { rows } = await nodes.b.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
          if (rows[0]!.n > 0) return { blocked: true };
          await new Promise((r) => setTimeout(r, 20));
        }
        return { blocked: false };
      })();
      const first = await Promise.race([round, waiting]);
      expect(first).toEqual({ done: { taken: ['s_free'], lost: [], resumeFrom: new Map() } });
    } finally {
      watching = false;
      await holder.query('COMMIT');
      holder.release();
    }
    expect(theirs.filter((id) => one.owns(id))).toEqual([]);
  });
});
