import { pino } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxRepo } from '../persistence/outboxRepo';
import { openSqliteStore, type SqliteStore } from '../persistence/store';
import { ManualClock } from '../util/clock';
import { CLAIM_MS, OutboxSender } from './outboxSender';

const log = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);
let dir: string;
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Two servers on one database: each opens its own connection to the same file. */
function twoNodes(): [SqliteStore, SqliteStore] {
  dir = mkdtempSync(join(tmpdir(), 'outbox-claim-'));
  const path = join(dir, 'infusion.db');
  const a = openSqliteStore(path, T0);
  const b = openSqliteStore(path, T0);
  stores.push(a, b);
  return [a, b];
}

function queue(store: SqliteStore, n: number): void {
  store.raw.prepare("INSERT INTO escalations (id, alarm_id, session_id, unit, state, level, opened_at, simulated, body) VALUES (1, 7, 's1', 'u', 'open', 1, ?, 0, '{}')").run(T0);
  const row = store.raw.prepare("INSERT INTO notifications (escalation_id, level, channel, target, payload, status, next_attempt_at, created_at) VALUES (1, 1, 'webhook', ?, '{}', 'pending', ?, ?)");
  for (let i = 0; i < n; i++) row.run(`http://pager/${i}`, T0, T0);
}

describe('webhook outbox shared by two servers', () => {
  it('sends each notification once when both send rounds run at the same time', async () => {
    const [a, b] = twoNodes();
    queue(a, 20);
    const clock = new ManualClock(T0);
    const posts: { node: string; url: string }[] = [];
    const sender = (store: SqliteStore, node: string) =>
      new OutboxSender({
        outbox: outboxRepo(store),
        clock,
        log,
        nodeId: node,
        // The gateway answers later: both rounds are in flight together.
        post: async (url) => {
          posts.push({ node, url });
          await new Promise((r) => setTimeout(r, 5));
          return 200;
        },
      });
    const one = sender(a, 'node-a');
    const two = sender(b, 'node-b');
    await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
    await Promise.all([one.tick(), two.tick()]);

    const urls = posts.map((p) => p.url).sort();
    expect(urls).toEqual(Array.from({ length: 20 }, (_, i) => `http://pager/${i}`).sort());
    expect(a.raw.prepare("SELECT COUNT(*) n FROM notifications WHERE status = 'sent' AND attempts = 1 AND claimed_by IS NULL").get()).toEqual({ n: 20 });
  });

  it("sends a dead server's claimed notification from the other server once the claim lapses", async () => {
    const [a, b] = twoNodes();
    queue(a, 1);
    const clock = new ManualClock(T0);
    // Server A claimed the row and died before sending it.
    expect(await outboxRepo(a).claimDue('node-a', T0, T0 + CLAIM_MS, 100)).toHaveLength(1);
    const posted: string[] = [];
    const survivor = new OutboxSender({ outbox: outboxRepo(b), clock, log, nodeId: 'node-b', post: async (url) => (posted.push(url), 200) });
    await survivor.tick();
    expect(posted).toEqual([]);
    clock.advance(CLAIM_MS);
    await survivor.tick();
    expect(posted).toEqual(['http://pager/0']);
    expect(b.raw.prepare('SELECT status, attempts FROM notifications').get()).toEqual({ status: 'sent', attempts: 1 });
  });
});
