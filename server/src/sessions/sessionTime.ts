/**
 * A session's own time, which its rules and timers run on. A clinical session keeps wall time (the
 * device's event time); a training session runs on its scenario clock, which a trainer speeds up
 * (x10, x60) and pauses: a rule's 10 s delay is 10 scenario seconds at any speed, and nothing
 * advances while the run is paused. Frames, alarms and every record keep their wall-clock stamps;
 * only what is judged and timed is mapped.
 */
export interface SessionTime {
  /** The session's time at a wall instant: never decreasing (constant while paused). */
  at(wall: number): number;
  /** The first wall instant at which the session's time reaches `t`. */
  wallOf(t: number): number;
}

/** The session's time, or null when it keeps wall time (every clinical session). */
export type SessionTimes = (sessionId: string) => SessionTime | null;

export const wallTime: SessionTimes = () => null;

/** Session time elapsed between two wall instants (wall time for a session that keeps it). */
export function elapsedOn(times: SessionTimes, sessionId: string, fromWall: number, toWall: number): number {
  const s = times(sessionId);
  return s ? s.at(toWall) - s.at(fromWall) : toWall - fromWall;
}
