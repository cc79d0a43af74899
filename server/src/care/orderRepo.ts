import type { Order } from '@infusion/shared';
import type { Db } from '../persistence/db';

/** Order versions of a session: each change is a new row, none is overwritten. */
export class OrderRepo {
  private readonly sInsert;
  private readonly sLatest;
  private readonly sList;

  constructor(db: Db) {
    this.sInsert = db.prepare('INSERT INTO orders (session_id, version, body, at, by) VALUES (?, ?, ?, ?, ?)');
    this.sLatest = db.prepare('SELECT body FROM orders WHERE session_id = ? ORDER BY version DESC LIMIT 1');
    this.sList = db.prepare('SELECT body FROM orders WHERE session_id = ? ORDER BY version');
  }

  insert(o: Order): void {
    this.sInsert.run(o.sessionId, o.version, JSON.stringify(o), o.at, o.by);
  }
  current(sessionId: string): Order | null {
    const r = this.sLatest.get(sessionId) as { body: string } | undefined;
    return r ? (JSON.parse(r.body) as Order) : null;
  }
  history(sessionId: string): Order[] {
    return (this.sList.all(sessionId) as { body: string }[]).map((r) => JSON.parse(r.body) as Order);
  }
}
