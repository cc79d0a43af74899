import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CLAIM_MS, OutboxSender } from '../../server/src/alarms/outboxSender';
import { outboxRepo } from '../../server/src/persistence/outboxRepo';
import type { PgStore } from '../../server/src/persistence/pgStore';
import { ManualClock } from '../../server/src/util/clock';
import { twoStoresForSuite } from '../support/postgres';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

describe('webhook outbox shared by two servers on PostgreSQL', () => {
  const nodes = twoStoresForSuite(T0);

  async function queue(n: number, escalationId: number): Promise<void> {
    await nodes.a.pool.query("INSERT INTO escalations (id, alarm_id, session_id, unit, state, level, opened_at, simulated, body) VALUES ($1, $1, 's1', 'u', 'open', 1, $2, 0, '{}')", [escalationId, T0]);
    for (let i = 0; i < n; i++)
      await nodes.a.pool.query("INSERT INTO notifications (escalation_id, level, channel, target, payload, status, next_attempt_at, created_at) VALUES ($1, 1, 'webhook', $2, '{}', 'pending', $3, $3)", [escalationId, `http://pager/${escalationId}/${i}`, T0]);
  }

  it('sends each notification once when both servers run send rounds at the same time (FOR UPDATE SKIP LOCKED)', async () => {
    await queue(40, 1);
    const clock = new ManualClock(T0);
    const posts: { node: string; url: string }[] = [];
    const sender = (store: PgStore, node: string) =>
      new OutboxSender({
        outbox: outboxRepo(store),
        clock,
        log,
        nodeId: node,
        post: async (url) => {
          posts.push({ node, url });
          await new Promise((r) => setTimeout(r, 5));
          return 200;
        },
      });
    const one = sender(nodes.a, 'node-a');
    const two = sender(nodes.b, 'node-b');
    await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
    await Promise.all([one.tick(), two.tick()]);

    expect(posts.map((p) => p.url).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `http://pager/1/${i}`).sort());
    const sent = await nodes.a.pool.query("SELECT count(*) AS n FROM notifications WHERE escalation_id = 1 AND status = 'sent' AND attempts = 1 AND claimed_by IS NULL");
    expect(sent.rows[0].n).toBe(40);
  });

  it('claims of two servers at once never overlap', async () => {
    await queue(30, 2);
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => outboxRepo(i % 2 ? nodes.a : nodes.b).claimDue(`node-${i}`, T0, T0 + CLAIM_MS, 10)));
    const ids = claims.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(30);
  });

  it("sends a dead server's claimed notification from the other server once the claim lapses", async () => {
    await nodes.a.pool.query("UPDATE notifications SET status = 'sent'");
    await queue(1, 3);
    const clock = new ManualClock(T0 + 10 * CLAIM_MS);
    const now = clock.now();
    expect(await outboxRepo(nodes.a).claimDue('node-a', now, now + CLAIM_MS, 100)).toHaveLength(1);
    const posted: string[] = [];
    const survivor = new OutboxSender({ outbox: outboxRepo(nodes.b), clock, log, nodeId: 'node-b', post: async (url) => (posted.push(url), 200) });
    await survivor.tick();
    expect(posted).toEqual([]);
    clock.advance(CLAIM_MS);
    await survivor.tick();
    expect(posted).toEqual(['http://pager/3/0']);
  });
});
