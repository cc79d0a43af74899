import type { IngestClientToServer, IngestServerToClient } from '@infusion/shared';
import type { Namespace } from 'socket.io';
import type { DeviceKeys } from '../auth/deviceKeys';
import { handler } from '../realtime/ack';
import type { Logger } from '../util/logger';
import type { IngestService, IngestSource } from './ingestService';

type IngestNs = Namespace<IngestClientToServer, IngestServerToClient, Record<string, never>, { device: IngestSource }>;

/**
 * Devices (and the simulator) stream frames here with `auth: { deviceKey }`; the ack carries the
 * per-frame outcome after commit. A revoked key is disconnected at once.
 */
export function attachIngest(ns: IngestNs, ingest: IngestService, keys: DeviceKeys, log: Logger): void {
  ns.use((socket, next) => {
    const auth = socket.handshake.auth as { deviceKey?: unknown } | undefined;
    keys.authenticate(auth?.deviceKey).then(
      (device) => {
        if (!device) return next(new Error(auth?.deviceKey ? 'invalid or revoked device key' : 'device key required (auth: { deviceKey })'));
        socket.data.device = { id: device.id, simulator: device.simulator };
        next();
      },
      // The key could not be read (storage failing): the device is refused for now and retries.
      (err: unknown) => {
        log.warn({ err }, 'device key check failed');
        next(new Error('device key could not be checked; retry'));
      },
    ).catch((err: unknown) => log.error({ err }, 'device connection setup failed'));
  });
  keys.onRevoke((id) => {
    for (const s of ns.sockets.values()) if (s.data.device.id === id) s.disconnect(true);
  });
  ns.on('connection', (socket) => {
    socket.on(
      'frames',
      handler(log, (frames: unknown) => ingest.ingest(frames, socket.data.device)),
    );
  });
}
