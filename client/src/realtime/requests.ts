import type { Alarm, Escalation, PhysicianResponse, PhysicianResponseRequest, Result, Session, SessionDetail, Snapshot } from '@infusion/shared';
import { handleRefusal } from '../auth/authActions';
import type { DashboardSocket } from '../socket';

/** How long to wait for an ack before treating the request as failed. */
export const ACK_TIMEOUT_MS = 8000;

type AckCallback<T> = (err: Error | null, res: Result<T>) => void;

/**
 * Turn a timed-out or thrown request into an ordinary failed Result, so callers handle one shape.
 * Every event re-checks the login on the server: an answer saying the login is gone ends it here too.
 */
async function ask<T>(send: (cb: AckCallback<T>) => void): Promise<Result<T>> {
  const res = await new Promise<Result<T>>((resolve) => {
    try {
      send((err, r) => resolve(err ? { ok: false, error: 'no answer from the server' } : r));
    } catch (e) {
      resolve({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
  if (!res.ok) handleRefusal(res.error);
  return res;
}

/** Pauses one alarm's sound for the server's fixed, disclosed time; answers the alarm's session with its pauses. */
export function pauseAlarmAudio(socket: DashboardSocket, alarmId: number): Promise<Result<Session>> {
  if (!socket.connected) return Promise.resolve({ ok: false, error: 'not connected to the server' });
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('alarm:audioPause', { alarmId }, cb));
}

export function requestSnapshot(socket: DashboardSocket, lastAlarmEventId: number | undefined): Promise<Result<Snapshot>> {
  const req = lastAlarmEventId === undefined ? {} : { lastAlarmEventId };
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('subscribe', req, cb));
}

export function requestSessionDetail(socket: DashboardSocket, sessionId: string, sinceT?: number): Promise<Result<SessionDetail>> {
  const req = sinceT === undefined ? { sessionId } : { sessionId, sinceT };
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('session:detail', req, cb));
}

export function acknowledgeAlarm(socket: DashboardSocket, alarmId: number): Promise<Result<Alarm>> {
  // Socket.IO would buffer the emit until reconnection; a nurse must know now that it did not go through.
  if (!socket.connected) return Promise.resolve({ ok: false, error: 'not connected to the server' });
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('alarm:acknowledge', { alarmId }, cb));
}

/** Acknowledge an escalation as its responder (physicians; trainers in simulated sessions). */
export function acknowledgeEscalation(socket: DashboardSocket, escalationId: number): Promise<Result<Escalation>> {
  if (!socket.connected) return Promise.resolve({ ok: false, error: 'not connected to the server' });
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('escalation:acknowledge', { escalationId }, cb));
}

/** Document a physician's response for the bedside (physicians; trainers in simulated sessions). */
export function recordResponse(socket: DashboardSocket, req: PhysicianResponseRequest): Promise<Result<PhysicianResponse>> {
  if (!socket.connected) return Promise.resolve({ ok: false, error: 'not connected to the server' });
  return ask((cb) => socket.timeout(ACK_TIMEOUT_MS).emit('response:record', req, cb));
}
