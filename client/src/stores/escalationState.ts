import { PRIORITY_RANK, type Escalation, type EscalationState } from '@infusion/shared';

/**
 * Escalations this user receives, by id. Pure: state in, state out (the same object when nothing changed).
 * Escalations carry no version, but they only move forward: open level 1 → open level 2 →
 * acknowledged → closed. A copy that is behind what is held (a late or repeated message) is ignored.
 * Acknowledged and closed ones are kept (so a stale "open" copy cannot bring them back) but leave the open list.
 */
export type EscalationMap = Record<number, Escalation>;

const STATE_RANK: Record<EscalationState, number> = { open: 0, acknowledged: 1, closed: 2 };

/** Finished escalations remembered; the oldest are forgotten beyond this. */
export const MAX_FINISHED_ESCALATIONS = 500;

/** Whether `incoming` is behind `local` (older state, or the same state at a lower level). */
function isBehind(local: Escalation, incoming: Escalation): boolean {
  const a = STATE_RANK[local.state];
  const b = STATE_RANK[incoming.state];
  return b < a || (b === a && incoming.level < local.level);
}

/** An `escalation` event (or an acknowledge answer): insert, or update by id unless the copy is stale. */
export function upsertEscalation(m: EscalationMap, e: Escalation): EscalationMap {
  const local = m[e.id];
  if (local && isBehind(local, e)) return m;
  return pruneFinished({ ...m, [e.id]: e });
}

/**
 * A (re)subscribe snapshot lists every escalation still open for this user, and those acknowledged
 * recently. An escalation held as open but not listed was acknowledged or closed while the page was
 * away: it is dropped.
 */
export function escalationsFromSnapshot(m: EscalationMap, open: readonly Escalation[], recent: readonly Escalation[] = []): EscalationMap {
  const out: EscalationMap = {};
  for (const e of Object.values(m)) if (e.state !== 'open') out[e.id] = e;
  for (const e of [...recent, ...open]) {
    const local = out[e.id];
    if (!local || !isBehind(local, e)) out[e.id] = e;
  }
  return out;
}

function pruneFinished(m: EscalationMap): EscalationMap {
  const finished = Object.values(m).filter((e) => e.state !== 'open');
  if (finished.length <= MAX_FINISHED_ESCALATIONS) return m;
  finished.sort((a, b) => (a.closedAt ?? a.acknowledgedAt ?? a.openedAt) - (b.closedAt ?? b.acknowledgedAt ?? b.openedAt));
  const out = { ...m };
  for (const e of finished.slice(0, finished.length - MAX_FINISHED_ESCALATIONS)) delete out[e.id];
  return out;
}

/** Open escalations, loudest first: level 2 before level 1, then priority, then the one waiting longest. */
export function openEscalations(m: EscalationMap): Escalation[] {
  return Object.values(m)
    .filter((e) => e.state === 'open')
    .sort((a, b) => b.level - a.level || PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || a.openedAt - b.openedAt || a.id - b.id);
}

/** Escalations acknowledged (their alarm may have resolved since), latest first: the inbox shows what was answered. */
export function acknowledgedEscalations(m: EscalationMap, max = 20): Escalation[] {
  return Object.values(m)
    .filter((e) => e.state !== 'open' && e.acknowledgedAt !== null)
    .sort((a, b) => (b.acknowledgedAt ?? 0) - (a.acknowledgedAt ?? 0) || b.id - a.id)
    .slice(0, max);
}

/**
 * The sound cue for open escalations: the loudest priority among them, and the newest one's id (a new
 * escalation restarts the burst even when the priority is unchanged). Null when none is open.
 */
export function escalationCue(m: EscalationMap): { priority: Escalation['priority']; newestId: number } | null {
  const open = openEscalations(m);
  if (open.length === 0) return null;
  return { priority: open[0]!.priority, newestId: Math.max(...open.map((e) => e.id)) };
}
