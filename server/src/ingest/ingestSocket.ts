import type { IngestClientToServer, IngestServerToClient } from '@infusion/shared';
import type { Namespace } from 'socket.io';
import { handler } from '../realtime/ack';
import type { Logger } from '../util/logger';
import type { IngestService } from './ingestService';

/** Devices (and the simulator) stream frames here; the ack carries the per-frame outcome after commit. */
export function attachIngest(ns: Namespace<IngestClientToServer, IngestServerToClient>, ingest: IngestService, log: Logger): void {
  ns.on('connection', (socket) => {
    socket.on(
      'frames',
      handler(log, (frames: unknown) => ingest.ingest(frames)),
    );
  });
}
