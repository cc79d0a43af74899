/**
 * A small stand-in for the monitoring server, for the simulator's own tests: the session REST
 * endpoints and the /ingest namespace with the real contract (validation, dedupe by session and
 * seq, per-frame ack), plus hooks to misbehave (no ack, partial ack, error, dropped connection).
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import {
  INGEST_NAMESPACE,
  fieldErrors,
  checklistInputSchema,
  orderInputSchema,
  infusionEventInputSchema,
  observationInputSchema,
  rescueDoseInputSchema,
  sessionCreateSchema,
  vitalsFrameSchema,
  type IngestResult,
  type InfusionEventInput,
  type Result,
  type SessionCreateParsed,
  type VitalsFrame,
} from '@infusion/shared';
import { Server, type Socket } from 'socket.io';

export type IngestBehaviour =
  /** Commit and ack every frame (the default). */
  | { kind: 'ack' }
  /** Commit but never answer. */
  | { kind: 'silent' }
  /** Commit, then drop the connection before answering. */
  | { kind: 'disconnect' }
  /** Commit nothing and answer with an error. */
  | { kind: 'error'; error: string }
  /** Commit and ack only the frames `keep` selects; say nothing about the others. */
  | { kind: 'partial'; keep: (f: VitalsFrame) => boolean };

export interface ReceivedBatch {
  at: number;
  sessionIds: string[];
  seqs: number[];
}

export interface FakeSession extends SessionCreateParsed {
  id: string;
  status: 'active' | 'ended';
  infusionEvents: (InfusionEventInput & { receivedAt: number })[];
  /** Scores, order and checklist, in order (the scores go on during the infusion). */
  preparation: string[];
  /** Rescue doses documented, as "drugId doseMg". */
  rescue: string[];
}

type AckFn = (res: Result<IngestResult>) => void;

export class FakeServer {
  readonly batches: ReceivedBatch[] = [];
  /** Committed frames per session, in commit order. */
  readonly committed = new Map<string, VitalsFrame[]>();
  readonly sessions: FakeSession[] = [];
  readonly requests: { method: string; path: string; headers: IncomingMessage['headers'] }[] = [];
  handshakeAuth: unknown[] = [];
  /** Decides how each incoming batch is handled; `n` counts batches from 0. */
  behaviour: (frames: unknown[], n: number) => IngestBehaviour = () => ({ kind: 'ack' });
  /** Make session creation fail for these patient labels. */
  failCreate = new Set<string>();
  private readonly http: HttpServer;
  private readonly io: Server;
  private readonly connections = new Set<NetSocket>();

  private constructor(readonly port: number, http: HttpServer, io: Server) {
    this.http = http;
    this.io = io;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(port = 0): Promise<FakeServer> {
    const http = createServer();
    const io = new Server(http);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(port, '127.0.0.1', () => resolve());
    });
    const server = new FakeServer((http.address() as AddressInfo).port, http, io);
    http.on('request', (req, res) => server.onRequest(req, res));
    http.on('connection', (c: NetSocket) => {
      server.connections.add(c);
      c.on('close', () => server.connections.delete(c));
    });
    io.of(INGEST_NAMESPACE).on('connection', (socket) => {
      server.handshakeAuth.push(socket.handshake.auth);
      socket.on('frames', (frames: unknown, ack: AckFn) => server.onFrames(socket, frames, ack));
    });
    return server;
  }

  committedSeqs(sessionId: string): number[] {
    return (this.committed.get(sessionId) ?? []).map((f) => f.seq);
  }

  /** Drops every device connection (the server stays up). */
  disconnectAll(): void {
    this.io.of(INGEST_NAMESPACE).disconnectSockets(true);
  }

  /** Graceful: devices are told to disconnect. Abrupt: connections are cut, as in a crash. */
  async close(mode: 'graceful' | 'abrupt' = 'graceful'): Promise<void> {
    if (mode === 'graceful') this.io.of(INGEST_NAMESPACE).disconnectSockets(true);
    else for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => {
      void this.io.close(() => resolve());
    });
    this.http.closeAllConnections();
  }

  private onFrames(socket: Socket, frames: unknown, ack: AckFn) {
    const list = Array.isArray(frames) ? (frames as unknown[]) : [];
    const n = this.batches.length;
    this.batches.push({
      at: Date.now(),
      sessionIds: list.map((f) => String((f as VitalsFrame).sessionId)),
      seqs: list.map((f) => Number((f as VitalsFrame).seq)),
    });
    const b = this.behaviour(list, n);
    if (b.kind === 'error') return ack({ ok: false, error: b.error });
    const result: IngestResult = { accepted: [], duplicates: [], rejected: [], conflicts: [] };
    list.forEach((raw, index) => {
      const parsed = vitalsFrameSchema.safeParse(raw);
      if (!parsed.success) {
        const r = raw as Partial<VitalsFrame>;
        result.rejected.push({ index, sessionId: r.sessionId ?? null, seq: r.seq ?? null, errors: fieldErrors(parsed.error) });
        return;
      }
      const f = parsed.data;
      if (b.kind === 'partial' && !b.keep(f)) return;
      const stored = this.committed.get(f.sessionId) ?? [];
      this.committed.set(f.sessionId, stored);
      if (stored.some((s) => s.seq === f.seq)) result.duplicates.push(f.seq);
      else {
        stored.push(f);
        result.accepted.push(f.seq);
      }
    });
    if (b.kind === 'silent') return;
    if (b.kind === 'disconnect') {
      socket.disconnect(true);
      return;
    }
    ack({ ok: true, data: result });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '';
    this.requests.push({ method: req.method ?? '', path, headers: req.headers });
    if (path.startsWith('/socket.io/')) return; // Socket.IO answers its own requests.
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const json = body ? (JSON.parse(body) as unknown) : undefined;
      if (req.method === 'GET' && path === '/api/sessions') return send(200, { ok: true, data: this.sessions.filter((x) => x.status === 'active') });
      if (req.method === 'POST' && path === '/api/sessions') {
        const parsed = sessionCreateSchema.safeParse(json);
        if (!parsed.success) return send(400, { ok: false, error: 'invalid session', fields: fieldErrors(parsed.error) });
        if (this.failCreate.has(parsed.data.patientLabel)) return send(409, { ok: false, error: `location ${parsed.data.location} is busy` });
        // Like the real server: chair and label are unique among a unit's active sessions.
        const dup = this.sessions.find((x) => x.status === 'active' && x.unit === parsed.data.unit && (x.location === parsed.data.location || x.patientLabel === parsed.data.patientLabel));
        if (dup) return send(409, { ok: false, error: 'duplicate location', fields: [{ field: 'location', reason: `${dup.location} already has an active session in this unit` }] });
        const session: FakeSession = { ...parsed.data, id: `s${this.sessions.length + 1}`, status: 'active', infusionEvents: [], preparation: [], rescue: [] };
        this.sessions.push(session);
        return send(201, { ok: true, data: session });
      }
      const m = /^\/api\/sessions\/([^/]+)\/(infusion|end|observations|checklist|order|rescue)$/.exec(path);
      const session = m && this.sessions.find((s) => s.id === decodeURIComponent(m[1]!));
      const method = m?.[2] === 'checklist' || m?.[2] === 'order' ? 'PUT' : 'POST';
      if (req.method !== method || !m || !session) return send(404, { ok: false, error: `no route ${req.method} ${path}` });
      // The pre-infusion steps: validated with the real schemas, recorded for the tests.
      if (m[2] === 'observations') {
        const o = observationInputSchema.safeParse(json);
        if (!o.success) return send(400, { ok: false, error: 'invalid observation', fields: fieldErrors(o.error) });
        session.preparation.push(`${o.data.scale} ${o.data.score}`);
        return send(201, { ok: true, data: { ...o.data, id: session.preparation.length, sessionId: session.id, t: Date.now(), note: null, by: 'sim' } });
      }
      if (m[2] === 'rescue') {
        const r = rescueDoseInputSchema.safeParse(json);
        if (!r.success) return send(400, { ok: false, error: 'invalid rescue dose', fields: fieldErrors(r.error) });
        session.rescue.push(`${r.data.drugId} ${r.data.doseMg}`);
        return send(201, { ok: true, data: { ...r.data, id: session.rescue.length, sessionId: session.id, drug: r.data.drugId, alarmId: null, t: Date.now(), note: r.data.note ?? null, by: 'sim' } });
      }
      if (m[2] === 'order') {
        const o = orderInputSchema.safeParse(json);
        if (!o.success) return send(400, { ok: false, error: 'invalid order', fields: fieldErrors(o.error) });
        session.preparation.push(`order ${o.data.rateMinMgKgH}-${o.data.rateMaxMgKgH}${o.data.bolusAllowed ? ` bolus ${o.data.bolusMaxMgKg}` : ''}`);
        return send(200, { ok: true, data: { order: { ...o.data, sessionId: session.id, version: 1, at: Date.now(), by: 'sim' }, checklist: null } });
      }
      if (m[2] === 'checklist') {
        const c = checklistInputSchema.safeParse(json);
        if (!c.success) return send(400, { ok: false, error: 'invalid checklist', fields: fieldErrors(c.error) });
        session.preparation.push(`checklist ${c.data.orderedRateMgKgH}`);
        return send(200, { ok: true, data: { sessionId: session.id, input: c.data, result: { passed: true, items: [] }, at: Date.now(), by: 'sim', override: null } });
      }
      if (session.status === 'ended') return send(409, { ok: false, error: 'session has ended' });
      if (m[2] === 'end') {
        session.status = 'ended';
        return send(200, { ok: true, data: session });
      }
      const ev = infusionEventInputSchema.safeParse(json);
      if (!ev.success) return send(400, { ok: false, error: 'invalid infusion event', fields: fieldErrors(ev.error) });
      session.infusionEvents.push({ ...ev.data, receivedAt: Date.now() });
      send(200, { ok: true, data: { session, event: ev.data } });
    });
  }
}

export const waitFor = async (cond: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> => {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** A local URL where nothing listens (a port just released). */
export async function unusedUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}
