import type { Order } from '@infusion/shared';
import type { Store, Tx } from '../persistence/store';

/** Order versions of a session: each change is a new row, none is overwritten. */
export class OrderRepo {
  constructor(private readonly store: Store) {}

  /** Inside the caller's transaction when given (the order with its audit entry). */
  async insert(o: Order, trx: Tx = this.store.db): Promise<void> {
    await trx.insertInto('orders').values({ session_id: o.sessionId, version: o.version, body: JSON.stringify(o), at: o.at, by: o.by }).execute();
  }
  async current(sessionId: string): Promise<Order | null> {
    const r = await this.store.db.selectFrom('orders').select('body').where('session_id', '=', sessionId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return r ? (JSON.parse(r.body) as Order) : null;
  }
  async history(sessionId: string): Promise<Order[]> {
    const rows = await this.store.db.selectFrom('orders').select('body').where('session_id', '=', sessionId).orderBy('version').execute();
    return rows.map((r) => JSON.parse(r.body) as Order);
  }
}
