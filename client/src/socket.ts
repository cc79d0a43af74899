import { io, type Socket } from 'socket.io-client';
import type { DashboardClientToServer, DashboardServerToClient } from '@infusion/shared';

export type DashboardSocket = Socket<DashboardServerToClient, DashboardClientToServer>;

export interface DashboardSocketOptions {
  /** Extra handshake payload; the login itself travels as the httpOnly cookie of the handshake. */
  auth?: Record<string, unknown>;
}

/**
 * The one place the dashboard socket is created: the page's own origin, default namespace.
 * Not connected yet, so the caller can attach every handler before the first 'connect'.
 * The server authenticates it by the login cookie sent with the handshake, so each login gets a
 * socket of its own (forceNew): a connection opened under an earlier login is never reused.
 */
export function createDashboardSocket(options: DashboardSocketOptions = {}): DashboardSocket {
  return io({
    withCredentials: true,
    autoConnect: false,
    forceNew: true,
    reconnection: true,
    reconnectionAttempts: Infinity,
    // Short back-off: a monitoring screen should be back within a couple of seconds of the server.
    reconnectionDelay: 500,
    reconnectionDelayMax: 2000,
    ...(options.auth ? { auth: options.auth } : {}),
  });
}
