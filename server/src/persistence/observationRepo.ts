import type { Observation } from '@infusion/shared';
import type { Db } from './db';

interface Row {
  id: number;
  session_id: string;
  scale: Observation['scale'];
  score: number;
  t: number;
  note: string | null;
  by: string;
}

/** Sedation and pain scores of a session, in event-time order (the care service and replay read them). */
export class ObservationRepo {
  private readonly sInsert;
  private readonly sList;
  constructor(db: Db) {
    this.sInsert = db.prepare('INSERT INTO observations (session_id, scale, score, t, note, by, simulated) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.sList = db.prepare('SELECT id, session_id, scale, score, t, note, by FROM observations WHERE session_id = ? ORDER BY t, id');
  }
  insert(o: Omit<Observation, 'id'>, simulated: boolean): Observation {
    const id = Number(this.sInsert.run(o.sessionId, o.scale, o.score, o.t, o.note, o.by, simulated ? 1 : 0).lastInsertRowid);
    return { ...o, id };
  }
  list(sessionId: string): Observation[] {
    return (this.sList.all(sessionId) as Row[]).map((r) => ({ id: r.id, sessionId: r.session_id, scale: r.scale, score: r.score, t: r.t, note: r.note, by: r.by }));
  }
}
