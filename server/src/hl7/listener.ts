import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Rule } from '@infusion/shared';
import type { AlarmManager } from '../alarms/alarmManager';
import type { Device, DeviceKeys } from '../auth/deviceKeys';
import type { DeviceAssignments } from '../ingest/deviceAssignments';
import { MAX_FRAMES_PER_BATCH, type IngestService } from '../ingest/ingestService';
import type { SessionService } from '../sessions/sessionService';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { buildAck, Hl7Message, Hl7ParseError } from './message';
import { frameMllp, MllpDecoder } from './mllp';
import { contentDigest, type Hl7MessageLog } from './messageLog';
import { isOruR01, readOru } from './oru';

export interface Hl7ListenerDeps {
  devices: DeviceKeys;
  assignments: DeviceAssignments;
  ingest: IngestService;
  alarms: AlarmManager;
  sessions: SessionService;
  messages: Hl7MessageLog;
  clock: Clock;
  log: Logger;
}

/**
 * Raised on a session when a message from its bound equipment names another patient or bed. Not a
 * rule of the rule set: the identity check raises it, through the alarm manager like any other
 * alarm (stored, broadcast, acknowledged). Latching: it stays shown until someone has looked.
 */
export const SOURCE_MISMATCH_RULE: Rule = {
  id: 'tech.source_mismatch',
  title: 'Monitor data refused: patient or bed does not match',
  kind: 'technical',
  check: 'sensor_off',
  fields: ['hr'],
  priority: 'medium',
  category: 'technical',
  forMs: 0,
  clearForMs: 0,
  latching: true,
  message: '{message}',
  actions: ['Check which patient and bed the monitor or gateway is set to', 'Bind the right device (or gateway bed) to this session', 'Observe the patient directly while monitor data is refused'],
  rescue: [],
  source: {
    document: 'Institutional default (identity before value: a value is stored only when its source matches the session; IEC 60601-1-8 technical alarms, clinical-reference.md section 4)',
    section: 'HL7 identity check: PID-3 patient id and PV1-3 bed against the bound session',
    institutionalDefault: true,
  },
};

/** Refuses a message whose identity does not match its session, and says so on that session. */
function identityAlarm(d: Hl7ListenerDeps, sessionId: string, message: string, now: number): void {
  const live = d.sessions.getLive(sessionId);
  if (!live) return;
  const t = Math.max(now, live.lastEvalT);
  d.alarms.apply(live.stored, [
    { type: 'fire', rule: SOURCE_MISMATCH_RULE, t, value: null, limit: null, message },
    // The refusal is an event, not a lasting condition: the alarm stays latched until acknowledged.
    { type: 'clear', rule: SOURCE_MISMATCH_RULE, t, value: null, limit: null, message },
  ]);
}

type Route = { sessionId: string } | { refuse: string; alarmOn?: string };

/**
 * Which session a message from this device is for (docs/api.md, HL7 matching rules): the device's
 * one binding, or for a gateway the binding of the message's bed. Never a guess.
 */
function route(d: Hl7ListenerDeps, device: Device, bed: string): Route {
  const open = d.assignments.forDevice(device.id);
  if (open.length === 0) return { refuse: `device ${device.id} is not bound to a session` };
  if (bed) {
    const exact = open.filter((a) => a.bed === bed);
    if (exact.length === 1) return { sessionId: exact[0]!.sessionId };
    if (open.length === 1) {
      const only = open[0]!;
      if (only.bed === null) return { sessionId: only.sessionId };
      return { refuse: `PV1-3 bed ${bed} does not match the bound session's bed ${only.bed}`, alarmOn: only.sessionId };
    }
    return { refuse: `PV1-3 bed ${bed} is not bound to a session (device ${device.id} feeds ${open.length} sessions by bed)` };
  }
  if (open.length === 1) return { sessionId: open[0]!.sessionId };
  return { refuse: `device ${device.id} feeds ${open.length} sessions: the message has no PV1-3 bed to choose one` };
}

/**
 * HL7 v2 over MLLP: ORU^R01 from monitors and gateways goes through the same ingest path as every
 * other device. Only registered equipment bound to an active session, with a matching patient and
 * bed, is accepted; the ACK is sent after the observations are committed (AA), or names what was
 * refused (AE) or why nothing was (AR). Every message gets an answer, whatever it holds.
 */
export async function handleHl7(text: string, d: Hl7ListenerDeps): Promise<string> {
  try {
    return await handle(text, d);
  } catch (err) {
    d.log.error({ err }, 'hl7: message handling failed');
    return buildAck(headerOf(text), 'AR', 'internal error: nothing stored; resend later', d.clock.now());
  }
}

/** The ACK for a frame dropped for its size: named by its MSH if the head holds one. */
export function oversizedAck(head: string, maxBytes: number, now: number): string {
  return buildAck(headerOf(head), 'AR', `message larger than the MLLP limit of ${maxBytes} bytes: nothing stored`, now);
}

/** Just the MSH of a message that could not be handled, to address the ACK; null if there is none. */
function headerOf(text: string): Hl7Message | null {
  try {
    return Hl7Message.parse(text.split(/\r\n|\r|\n/)[0] ?? '');
  } catch {
    return null;
  }
}

async function handle(text: string, d: Hl7ListenerDeps): Promise<string> {
  const now = d.clock.now();
  let msg: Hl7Message;
  try {
    msg = Hl7Message.parse(text);
  } catch (e) {
    return buildAck(headerOf(text), 'AR', e instanceof Hl7ParseError ? `unparsable message: ${e.message}` : 'unparsable message', now);
  }
  if (!isOruR01(msg)) return buildAck(msg, 'AR', `only ORU^R01 is accepted (got ${msg.segment('MSH')?.raw(9) ?? '?'})`, now);
  const obs = readOru(msg, now);
  const device = obs.equipmentId ? d.devices.byHl7Id(obs.equipmentId) : null;
  if (!device) return buildAck(msg, 'AR', `equipment ${obs.equipmentId || '(none)'} is not a registered device`, now);
  return d.messages.once(device.id, obs.controlId, async () => {
    const digest = contentDigest(msg, text);
    const before = obs.controlId ? await d.messages.get(device.id, obs.controlId) : null;
    if (before) {
      // A true resend gets the same answer again; a reused id with other content is refused.
      if (before.digest === digest) return buildAck(msg, before.code, before.text, now);
      return buildAck(msg, 'AR', `MSH-10 control id ${obs.controlId} was already used by this equipment for a different message: nothing stored`, now);
    }
    const r = route(d, device, obs.bed);
    if ('refuse' in r) {
      if (r.alarmOn) identityAlarm(d, r.alarmOn, `HL7 message refused: ${r.refuse}`, now);
      return buildAck(msg, 'AR', r.refuse, now);
    }
    const live = d.sessions.getLive(r.sessionId);
    const patientRef = live?.stored.patientRef ?? null;
    if (obs.patientId && patientRef && obs.patientId !== patientRef) {
      const why = `PID-3 patient ${obs.patientId} does not match the bound session's patient`;
      identityAlarm(d, r.sessionId, `HL7 message refused: ${why}`, now);
      return buildAck(msg, 'AR', why, now);
    }
    if (obs.frames.length > MAX_FRAMES_PER_BATCH) return buildAck(msg, 'AR', `${obs.frames.length} observation times: at most ${MAX_FRAMES_PER_BATCH} per message; nothing stored`, now);
    const skipped = obs.skipped.map((s) => `OBX ${s.obx} ${s.reason}`);
    if (obs.frames.length === 0) return buildAck(msg, 'AR', `no usable observations${skipped.length ? `: ${skipped.join('; ')}` : ''}`, now);
    // HL7 has no frame counter: each observation time of a new message gets the device's next seq,
    // allocated in the same turn as the ingest call so nothing else can take it.
    await d.ingest.prepareSeqs(r.sessionId, device.id);
    const base = d.ingest.nextSeq(r.sessionId, device.id);
    const result = await d.ingest.ingest(
      obs.frames.map((f, i) => ({ ...f, sessionId: r.sessionId, seq: base + i })),
      device,
    );
    const problems = [...result.rejected.flatMap((x) => x.errors.map((e) => `${e.field}: ${e.reason}`)), ...result.conflicts.flatMap((x) => x.errors.map((e) => `${e.field}: ${e.reason}`)), ...skipped];
    if (result.accepted.length === 0) return buildAck(msg, 'AR', problems.join('; ') || 'nothing accepted', now);
    const answer = { digest, code: problems.length ? ('AE' as const) : ('AA' as const), text: problems.length ? problems.join('; ') : 'accepted' };
    if (obs.controlId) await d.messages.record(device.id, obs.controlId, r.sessionId, answer, now);
    return buildAck(msg, answer.code, answer.text, now);
  });
}

export function startHl7Listener(port: number, host: string, d: Hl7ListenerDeps, maxBytes = 1 << 20): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setTimeout(5 * 60_000, () => socket.destroy());
    const decoder = new MllpDecoder(maxBytes);
    // One message at a time per connection, so ACKs go back in order.
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      for (const item of decoder.push(chunk)) {
        if (item.oversized) d.log.warn({ maxBytes }, 'hl7: refused an oversized MLLP frame');
        chain = chain
          .then(() => (item.oversized ? oversizedAck(item.text, maxBytes, d.clock.now()) : handleHl7(item.text, d)))
          .then((ack) => {
            if (!socket.destroyed) socket.write(frameMllp(ack));
          })
          .catch((err: unknown) => d.log.error({ err }, 'hl7: could not answer'));
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
