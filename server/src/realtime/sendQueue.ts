/** engine.io keeps unsent packets in a field it does not type as public (pinned version; read defensively). */
export const pendingPackets = (socket: { conn: unknown }): number => (socket.conn as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;

export interface QueueBounds {
  /** Packets waiting for one screen that, still exceeded at the next sweep, mean the screen has stopped reading. */
  behind: number;
  /** Packets waiting beyond which a screen is cut at once (a burst this large is not a healthy screen). */
  hard: number;
  /** Sweep interval. */
  sweepMs: number;
}

/**
 * A screen that stops reading (but still answers pings) would make the server hold every alarm and
 * session event for it, forever. A healthy screen's queue empties within a round trip, even after a
 * burst; one whose queue stays long across a sweep, or grows past the hard bound, is cut off. It
 * reconnects and catches up from its last alarm event id (Snapshot.missedAlarmUpdates).
 */
export const DEFAULT_QUEUE_BOUNDS: QueueBounds = { behind: 200, hard: 2_000, sweepMs: 1_000 };

/** Closes the connection without waiting for the queue to drain (it never would), freeing what it held. */
export function cutOff(socket: { conn: unknown; data: unknown }): void {
  (socket.conn as { close(discard?: boolean): void }).close(true);
}
