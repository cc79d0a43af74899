import type { ChecklistRecord, DoseOverride, Order, RescueDose } from '@infusion/shared';
import { bySession, readInChunks } from './idChunks';
import type { Store } from './store';

/** What the synchronous care paths (dose gate, start check, rule modifiers) hold of a session. */
export interface CareRecord {
  checklist: ChecklistRecord | null;
  order: Order | null;
  rescue: RescueDose[];
}

type RescueRow = { id: number; session_id: string; alarm_id: number | null; drug_id: string; drug: string; dose_mg: number; route: string; t: number; note: string | null; by: string; override: string | null; dose_note: string | null };
export const toRescue = (r: RescueRow): RescueDose => ({
  id: r.id,
  sessionId: r.session_id,
  drugId: r.drug_id,
  drug: r.drug,
  doseMg: r.dose_mg,
  route: r.route,
  alarmId: r.alarm_id,
  t: r.t,
  note: r.note,
  by: r.by,
  override: r.override ? (JSON.parse(r.override) as DoseOverride) : null,
  doseNote: r.dose_note,
});

const toChecklist = (r: { body: string; override: string | null }): ChecklistRecord => ({
  ...(JSON.parse(r.body) as ChecklistRecord),
  override: r.override ? (JSON.parse(r.override) as ChecklistRecord['override']) : null,
});

/**
 * The care records of sessions: checklist, current order (highest version), rescue doses in time
 * order. One statement per table per 500 sessions, so a node taking 100 sessions over reads them in
 * three statements; a single session is a batch of one. Every asked session has an entry.
 */
export async function readCareRecords(store: Store, sessionIds: readonly string[]): Promise<Map<string, CareRecord>> {
  const { db } = store;
  const [checklists, orders, rescues] = await Promise.all([
    readInChunks(sessionIds, (chunk) => db.selectFrom('checklists').select(['session_id', 'body', 'override']).where('session_id', 'in', chunk).execute()),
    readInChunks(sessionIds, (chunk) =>
      db
        .selectFrom('orders as o')
        .select(['o.session_id', 'o.body'])
        .where('o.session_id', 'in', chunk)
        // The current order: the session's highest version (an index lookup on the primary key).
        .where('o.version', '=', (eb) => eb.selectFrom('orders as p').select((e) => e.fn.max('p.version').as('v')).whereRef('p.session_id', '=', 'o.session_id'))
        .execute(),
    ),
    readInChunks(sessionIds, (chunk) => db.selectFrom('rescue_doses').selectAll().where('session_id', 'in', chunk).orderBy('session_id').orderBy('t').orderBy('id').execute()),
  ]);
  const rescueBy = bySession(sessionIds, rescues as RescueRow[], (r) => r.session_id);
  const out = new Map<string, CareRecord>(sessionIds.map((id) => [id, { checklist: null, order: null, rescue: (rescueBy.get(id) ?? []).map(toRescue) }]));
  for (const c of checklists) out.get(c.session_id)!.checklist = toChecklist(c);
  for (const o of orders) out.get(o.session_id)!.order = JSON.parse(o.body) as Order;
  return out;
}
