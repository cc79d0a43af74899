import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from './store';
import { responseRepo } from './responseRepo';

let store: SqliteStore;
afterEach(() => store?.close());

describe('physician responses repository', () => {
  it("gives each session's latest response in one read: by time, then by order of writing", async () => {
    store = openSqliteStore(':memory:', 0);
    const session = store.raw.prepare(`INSERT INTO sessions (id, patient_label, weight_kg, age_years, setting, indication, supervising_physician, nurse, location, unit, simulated, status, created_at, rule_set_id, rule_set_version)
      VALUES (?, 'p', 70, 40, 'clinic', 'x', 'd', 'n', 'c', 'u', 0, 'active', 1, 'default', 1)`);
    for (const id of ['s1', 's2', 's3']) session.run(id);
    const repo = responseRepo(store);
    const audit = () => ({ at: 0, actor: 'user:p', action: 'response.record', entity: 'session', entityId: null });
    const add = (sessionId: string, text: string, at: number) => repo.insert({ sessionId, escalationId: null, text, at, by: 'p', byName: 'P' }, false, audit);
    await add('s1', 'first', 1000);
    await add('s1', 'later', 3000);
    await add('s1', 'same time, written after', 3000);
    await add('s2', 'only one', 2000);
    const latest = await repo.latestOf(['s1', 's2', 's3']);
    expect(latest.map((r) => [r.sessionId, r.text]).sort()).toEqual([
      ['s1', 'same time, written after'],
      ['s2', 'only one'],
    ]);
    expect(await repo.latestOf([])).toEqual([]);
    expect((await repo.latest('s1'))?.text).toBe('same time, written after');
  });
});
