import { PRIORITY_RANK, type Alarm, type Session } from '@infusion/shared';
import { shownAlarms } from '../stores/selectors';

export type TileSort = 'chair' | 'alarm' | 'patient' | 'nurse';
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

/** A nurse's name as the overview compares it: spacing and case do not make two nurses. */
export const nurseKey = (name: string) => name.replace(/\s+/g, ' ').trim().toLowerCase();

/** The nurses of these sessions, each once (as first written), in natural order: the choices of the nurse filter. */
export function nursesOf(sessions: readonly Session[]): string[] {
  const byKey = new Map<string, string>();
  for (const s of sessions) if (!byKey.has(nurseKey(s.nurse))) byKey.set(nurseKey(s.nurse), s.nurse.replace(/\s+/g, ' ').trim());
  return [...byKey.values()].sort(natural);
}

/**
 * The overview's tiles in the chosen order and filter. `search` matches chair or patient label; `nurse`
 * (null: every nurse) keeps the sessions of one nurse. Sorting by alarm puts the highest priority first,
 * unacknowledged before acknowledged, then by chair; by nurse groups each nurse's sessions by chair.
 */
export function arrangeTiles(sessions: Session[], alarms: Record<number, Alarm>, sort: TileSort, filter: TileFilter, search: string, nurse: string | null = null): Session[] {
  const state = alarmState(alarms);
  const q = search.trim().toLowerCase();
  const who = nurse === null ? null : nurseKey(nurse);
  const kept = sessions.filter((s) => {
    const st = state.get(s.id);
    if (filter === 'alarming' && !st) return false;
    if (filter === 'unacknowledged' && !st?.unack) return false;
    if (who !== null && nurseKey(s.nurse) !== who) return false;
    return q === '' || s.location.toLowerCase().includes(q) || s.patientLabel.toLowerCase().includes(q);
  });
  const byChair = (a: Session, b: Session) => natural(a.location, b.location) || natural(a.patientLabel, b.patientLabel);
  const cmp: Record<TileSort, (a: Session, b: Session) => number> = {
    chair: byChair,
    patient: (a, b) => natural(a.patientLabel, b.patientLabel) || natural(a.location, b.location),
    nurse: (a, b) => natural(nurseKey(a.nurse), nurseKey(b.nurse)) || byChair(a, b),
    alarm: (a, b) => {
      const sa = state.get(a.id);
      const sb = state.get(b.id);
      return (sb?.rank ?? 0) - (sa?.rank ?? 0) || Number(sb?.unack ?? false) - Number(sa?.unack ?? false) || byChair(a, b);
    },
  };
  return [...kept].sort(cmp[sort]);
}
