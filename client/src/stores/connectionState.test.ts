import { describe, expect, it } from 'vitest';
import { SILENCE_LIMIT_MS, connectionLost, connectionReducer, initialConnectionState, type ConnectionEvent, type ConnectionState } from './connectionState';

const run = (s: ConnectionState, ...events: ConnectionEvent[]) => events.reduce(connectionReducer, s);
const live = () => run(initialConnectionState(0), { type: 'connected', now: 100 }, { type: 'subscribed', now: 200 });

describe('connection banner', () => {
  it('is hidden while live', () => {
    expect(connectionLost(live())).toBe(false);
    expect(live().epoch).toBe(1);
  });

  it('shows on disconnect and stays until re-subscribed (not merely reconnected)', () => {
    let s = run(live(), { type: 'disconnected', now: 1000, reason: 'transport close' });
    expect(connectionLost(s)).toBe(true);
    s = run(s, { type: 'connected', now: 2000 });
    expect(connectionLost(s)).toBe(true);
    s = run(s, { type: 'subscribed', now: 2100 });
    expect(connectionLost(s)).toBe(false);
    expect(s.epoch).toBe(2);
  });

  it('shows when a subscribe is refused', () => {
    const s = run(initialConnectionState(0), { type: 'connected', now: 10 }, { type: 'subscribeFailed', now: 20, error: 'denied' });
    expect(connectionLost(s)).toBe(true);
    expect(s.error).toBe('denied');
  });

  it('watchdog: silence beyond the limit while connected shows it; hearing the server again hides it', () => {
    let s = run(live(), { type: 'heard', now: 1000 }, { type: 'tick', now: 1000 + SILENCE_LIMIT_MS });
    expect(connectionLost(s)).toBe(false);
    s = run(s, { type: 'tick', now: 1000 + SILENCE_LIMIT_MS + 1 });
    expect(s.status).toBe('stale');
    expect(connectionLost(s)).toBe(true);
    s = run(s, { type: 'heard', now: 7000 });
    expect(connectionLost(s)).toBe(false);
  });

  it('first load: shows if not live within the limit', () => {
    let s = run(initialConnectionState(0), { type: 'tick', now: SILENCE_LIMIT_MS });
    expect(connectionLost(s)).toBe(false);
    s = run(s, { type: 'tick', now: SILENCE_LIMIT_MS + 1 });
    expect(connectionLost(s)).toBe(true);
  });

  it('a tick that changes nothing returns the same state (no re-render)', () => {
    const s = live();
    expect(connectionReducer(s, { type: 'tick', now: 300 })).toBe(s);
  });
});
