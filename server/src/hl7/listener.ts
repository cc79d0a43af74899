import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { DeviceKeys } from '../auth/deviceKeys';
import type { IngestService } from '../ingest/ingestService';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { buildAck, Hl7Message, Hl7ParseError } from './message';
import { frameMllp, MllpDecoder } from './mllp';
import { isOruR01, readOru } from './oru';

export interface Hl7ListenerDeps {
  devices: DeviceKeys;
  ingest: IngestService;
  clock: Clock;
  log: Logger;
}

/**
 * HL7 v2 over MLLP: ORU^R01 from monitors and gateways goes through the same ingest path as every
 * other device. Only registered equipment bound to an active session is accepted; the ACK is sent
 * after the observations are committed (AA), or names what was refused (AE) or why nothing was (AR).
 */
export async function handleHl7(text: string, d: Hl7ListenerDeps): Promise<string> {
  const now = d.clock.now();
  let msg: Hl7Message;
  try {
    msg = Hl7Message.parse(text);
  } catch (e) {
    return buildAck(null, 'AR', e instanceof Hl7ParseError ? `unparsable message: ${e.message}` : 'unparsable message', now);
  }
  if (!isOruR01(msg)) return buildAck(msg, 'AR', `only ORU^R01 is accepted (got ${msg.segment('MSH')?.raw(9) ?? '?'})`, now);
  const obs = readOru(msg, now);
  const device = obs.equipmentId ? d.devices.byHl7Id(obs.equipmentId) : null;
  if (!device) return buildAck(msg, 'AR', `equipment ${obs.equipmentId || '(none)'} is not a registered device`, now);
  if (!device.boundSessionId) return buildAck(msg, 'AR', `device ${device.id} is not bound to a session`, now);
  if (obs.frames.length === 0) return buildAck(msg, 'AE', `no usable observations: ${obs.skipped.map((s) => `OBX ${s.obx} ${s.reason}`).join('; ')}`, now);
  // The observation time is the frame's sequence number: a resent message is a duplicate, not new data.
  const frames = obs.frames.map((f) => ({ ...f, sessionId: device.boundSessionId, seq: f.t }));
  const result = await d.ingest.ingest(frames);
  const problems = [
    ...result.rejected.flatMap((r) => r.errors.map((e) => `${e.field}: ${e.reason}`)),
    ...obs.skipped.map((s) => `OBX ${s.obx} ${s.reason}`),
  ];
  if (result.accepted.length + result.duplicates.length === 0) return buildAck(msg, 'AR', problems.join('; ') || 'nothing accepted', now);
  return problems.length ? buildAck(msg, 'AE', problems.join('; '), now) : buildAck(msg, 'AA', 'accepted', now);
}

export function startHl7Listener(port: number, host: string, d: Hl7ListenerDeps): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setTimeout(5 * 60_000, () => socket.destroy());
    const decoder = new MllpDecoder();
    // One message at a time per connection, so ACKs go back in order.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      const { messages, oversized } = decoder.push(chunk);
      if (oversized) d.log.warn({ oversized }, 'hl7: dropped oversized MLLP frame');
      for (const m of messages) {
        chain = chain
          .then(() => handleHl7(m, d))
          .then((ack) => {
            if (!socket.destroyed) socket.write(frameMllp(ack));
          })
          .catch((err: unknown) => d.log.error({ err }, 'hl7: message handling failed'));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      d.log.info({ port: actual, host }, 'hl7 listener');
      resolve({
        server,
        port: actual,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
