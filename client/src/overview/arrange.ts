import { PRIORITY_RANK, type Alarm, type Session } from '@infusion/shared';
import { shownAlarms } from '../stores/selectors';

export type TileSort = 'chair' | 'alarm' | 'patient';
export type TileFilter = 'all' | 'alarming' | 'unacknowledged';

const natural = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });

/** Highest shown alarm priority rank of each session (0: none) and whether any is unacknowledged. */
function alarmState(alarms: Record<number, Alarm>): Map<string, { rank: number; unack: boolean }> {
  const out = new Map<string, { rank: number; unack: boolean }>();
  for (const a of shownAlarms(alarms)) {
    const held = out.get(a.sessionId) ?? { rank: 0, unack: false };
    out.set(a.sessionId, { rank: Math.max(held.rank, PRIORITY_RANK[a.priority]), unack: held.unack || a.state === 'active' });
  }
  return out;
}

/**
 * The overview's tiles in the chosen order and filter. `search` matches chair or patient label.
 * Sorting by alarm puts the highest priority first, unacknowledged before acknowledged, then by chair.
 */
export function arrangeTiles(sessions: Session[], alarms: Record<number, Alarm>, sort: TileSort, filter: TileFilter, search: string): Session[] {
  const state = alarmState(alarms);
  const q = search.trim().toLowerCase();
  const kept = sessions.filter((s) => {
    const st = state.get(s.id);
    if (filter === 'alarming' && !st) return false;
    if (filter === 'unacknowledged' && !st?.unack) return false;
    return q === '' || s.location.toLowerCase().includes(q) || s.patientLabel.toLowerCase().includes(q);
  });
  const byChair = (a: Session, b: Session) => natural(a.location, b.location) || natural(a.patientLabel, b.patientLabel);
  const cmp: Record<TileSort, (a: Session, b: Session) => number> = {
    chair: byChair,
    patient: (a, b) => natural(a.patientLabel, b.patientLabel) || natural(a.location, b.location),
    alarm: (a, b) => {
      const sa = state.get(a.id);
      const sb = state.get(b.id);
      return (sb?.rank ?? 0) - (sa?.rank ?? 0) || Number(sb?.unack ?? false) - Number(sa?.unack ?? false) || byChair(a, b);
    },
  };
  return [...kept].sort(cmp[sort]);
}
