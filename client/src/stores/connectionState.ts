/**
 * Link status of the dashboard, as a pure reducer so the rules for the "connection lost" banner
 * can be tested without a socket.
 *
 * connecting  -> socket not connected yet (first load)
 * subscribing -> connected, waiting for the subscribe snapshot
 * live        -> subscribed, messages arriving
 * stale       -> connected but silent for longer than SILENCE_LIMIT_MS (watchdog)
 * lost        -> disconnected, subscribe refused, or no link within SILENCE_LIMIT_MS
 */
export type LinkStatus = 'connecting' | 'subscribing' | 'live' | 'stale' | 'lost';

export interface ConnectionState {
  status: LinkStatus;
  /** When the current status began. */
  since: number;
  lastSeenAt: number;
  error: string | null;
  /** Set when the link was lost; cleared only once re-subscribed (or, if merely silent, heard again). */
  lostSince: number | null;
  /** Count of successful subscribes: pages re-fetch their detail when it changes. */
  epoch: number;
}

export type ConnectionEvent =
  | { type: 'connected'; now: number }
  | { type: 'disconnected'; now: number; reason: string }
  | { type: 'connectError'; now: number; error: string }
  | { type: 'subscribed'; now: number }
  | { type: 'subscribeFailed'; now: number; error: string }
  /** Any message, ack or ping from the server. */
  | { type: 'heard'; now: number }
  /** Watchdog clock. */
  | { type: 'tick'; now: number };

/** Silence after which the dashboard warns that alarms may not be arriving. */
export const SILENCE_LIMIT_MS = 5000;

export const initialConnectionState = (now: number): ConnectionState => ({
  status: 'connecting',
  since: now,
  lastSeenAt: now,
  error: null,
  lostSince: null,
  epoch: 0,
});

export function connectionReducer(s: ConnectionState, e: ConnectionEvent): ConnectionState {
  const lose = (error: string): ConnectionState => ({
    ...s,
    status: 'lost',
    since: e.now,
    error,
    lostSince: s.lostSince ?? e.now,
  });
  switch (e.type) {
    case 'connected':
      return { ...s, status: 'subscribing', since: e.now, lastSeenAt: e.now };
    case 'disconnected':
      return lose(e.reason);
    case 'connectError':
      return s.status === 'lost' && s.error === e.error ? s : lose(e.error);
    case 'subscribeFailed':
      return lose(e.error);
    case 'subscribed':
      return { ...s, status: 'live', since: e.now, lastSeenAt: e.now, error: null, lostSince: null, epoch: s.epoch + 1 };
    case 'heard':
      // Only silence is healed by hearing the server again; a lost link needs a new snapshot.
      if (s.status === 'stale') return { ...s, status: 'live', since: e.now, lastSeenAt: e.now, lostSince: null };
      return { ...s, lastSeenAt: e.now };
    case 'tick':
      if (s.status === 'live' && e.now - s.lastSeenAt > SILENCE_LIMIT_MS) {
        return { ...s, status: 'stale', since: e.now, lostSince: e.now };
      }
      if ((s.status === 'connecting' || s.status === 'subscribing') && s.lostSince === null && e.now - s.since > SILENCE_LIMIT_MS) {
        return lose(s.status === 'connecting' ? 'no connection to the server' : 'no snapshot from the server');
      }
      return s;
  }
}

/** The red banner: alarms are not known to be reaching this screen. */
export const connectionLost = (s: ConnectionState) => s.lostSince !== null;
