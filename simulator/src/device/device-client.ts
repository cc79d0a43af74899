import {
  INGEST_NAMESPACE,
  type FieldError,
  type IngestClientToServer,
  type IngestResult,
  type IngestServerToClient,
  type Result,
  type VitalsFrame,
} from '@infusion/shared';
import { io, type Socket } from 'socket.io-client';
import { errorText, silentLogger, type SimLogger } from '../log';
import { Outbox, type Batch } from './outbox';

export interface DeviceClientOptions {
  /** Server base URL, e.g. http://localhost:3000; the /ingest namespace is appended. */
  url: string;
  /** Socket.IO handshake `auth` payload (credentials, once the server asks for them). */
  auth?: Record<string, unknown>;
  /** Extra HTTP headers on the handshake (Node clients only). */
  extraHeaders?: Record<string, string>;
  /** How long to wait for an ack before the batch counts as lost and is sent again. Default 10 s. */
  ackTimeoutMs?: number;
  /** Frames per emit. Default 50. */
  batchSize?: number;
  /** Batches awaiting an ack at once (at most one per session). Default 8. */
  maxInFlight?: number;
  /** Delay before sending again frames whose batch failed. Default 1 s. */
  retryDelayMs?: number;
  /** Frames kept while the server is unreachable; newer frames are dropped beyond this. Default 200,000. */
  maxPending?: number;
  transports?: ('websocket' | 'polling')[];
  log?: SimLogger;
  /** Called once per frame the server refused (it will never accept it). */
  onRejected?: (frame: VitalsFrame, errors: FieldError[]) => void;
}

export interface DeviceStats {
  connected: boolean;
  /** Frames emitted, resends included. */
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Frames emitted again after a lost or partial ack. */
  resent: number;
  /** Frames not yet acknowledged (waiting or in flight). */
  pending: number;
  /** Batches whose ack did not come (timeout or disconnect). */
  lostAcks: number;
  /** Batches the server answered with an error. */
  serverErrors: number;
  /** Frames dropped because the outbox was full. */
  dropped: number;
  reconnects: number;
}

/** Logs a few rejections per session in full, then only counts them. */
const REJECTION_LOG_LIMIT = 10;
/** Repeated connection errors are logged at most this often. */
const ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * A monitoring device on the /ingest namespace: frames go into an ordered outbox and leave it only
 * when the server acknowledges them (accepted, duplicate, or rejected for good). Anything not
 * acknowledged is sent again, in order, after a timeout or a reconnect. It never throws on a server
 * error or a server that goes away; it keeps trying until closed.
 */
export class DeviceClient {
  private readonly socket: Socket<IngestServerToClient, IngestClientToServer>;
  private readonly outbox = new Outbox();
  private readonly log: SimLogger;
  private readonly ackTimeoutMs: number;
  private readonly batchSize: number;
  private readonly maxInFlight: number;
  private readonly retryDelayMs: number;
  private readonly maxPending: number;
  private readonly onRejected: DeviceClientOptions['onRejected'];
  private readonly counters = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, resent: 0, lostAcks: 0, serverErrors: 0, dropped: 0, reconnects: 0 };
  private readonly rejectionsLogged = new Map<string, number>();
  private readonly lastLogged = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private drainWaiters: ((drained: boolean) => void)[] = [];
  private everConnected = false;
  private closed = false;

  constructor(opts: DeviceClientOptions) {
    this.log = opts.log ?? silentLogger;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 10_000;
    this.batchSize = opts.batchSize ?? 50;
    this.maxInFlight = opts.maxInFlight ?? 8;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.maxPending = opts.maxPending ?? 200_000;
    this.onRejected = opts.onRejected;
    const url = `${opts.url.replace(/\/+$/, '')}${INGEST_NAMESPACE}`;
    this.socket = io(url, {
      auth: opts.auth,
      extraHeaders: opts.extraHeaders,
      transports: opts.transports ?? ['websocket'],
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
    });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', (reason) => this.onDisconnect(reason));
    this.socket.on('connect_error', (err) => this.onConnectError(err));
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get stats(): DeviceStats {
    return { connected: this.socket.connected, pending: this.outbox.size, ...this.counters };
  }

  /** Queues frames (in seq order per session) and sends them as soon as the connection allows. */
  send(frames: VitalsFrame | readonly VitalsFrame[]): void {
    const list = Array.isArray(frames) ? frames : [frames as VitalsFrame];
    for (const frame of list) {
      if (this.closed || this.outbox.size >= this.maxPending) {
        this.counters.dropped++;
        this.logOnce('dropped', 'warn', this.closed ? 'device closed: frames dropped' : `outbox full (${this.maxPending} frames): newest frames dropped`);
        continue;
      }
      this.outbox.push(frame);
    }
    this.flush();
  }

  /** Resolves true once every queued frame is acknowledged, false if `timeoutMs` passes first. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.outbox.size === 0) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (drained: boolean) => {
        clearTimeout(timer);
        this.drainWaiters = this.drainWaiters.filter((w) => w !== waiter);
        resolve(drained);
      };
      const timer = setTimeout(() => waiter(false), timeoutMs);
      this.drainWaiters.push(waiter);
    });
  }

  /** Disconnects for good. Frames still pending are reported in the returned stats and not sent. */
  close(): DeviceStats {
    this.closed = true;
    this.clearTimers();
    this.socket.removeAllListeners();
    this.socket.disconnect();
    for (const w of [...this.drainWaiters]) w(false);
    return this.stats;
  }

  private onConnect() {
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.log.info(`device connected to ${INGEST_NAMESPACE}${this.outbox.size ? ` (${this.outbox.size} frames to send)` : ''}`);
    this.outbox.clearDelays();
    this.flush();
  }

  private onDisconnect(reason: Socket.DisconnectReason) {
    // Our own resend replaces Socket.IO's replay of buffered packets: never both.
    this.socket.sendBuffer = [];
    if (this.closed) return;
    this.log.warn(`device disconnected (${reason}); ${this.outbox.size} frames kept for resend`);
    // After a server-side disconnect Socket.IO does not reconnect by itself.
    if (reason === 'io server disconnect') this.scheduleReconnect(this.retryDelayMs);
  }

  private onConnectError(err: Error) {
    if (this.closed) return;
    this.logOnce('connect_error', 'warn', `device cannot connect: ${err.message}; retrying`);
    // A refusal by server middleware (e.g. credentials) stops Socket.IO's own retries.
    if (!this.socket.active) this.scheduleReconnect(5_000);
  }

  private scheduleReconnect(delayMs: number) {
    if (this.reconnectTimer || this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, delayMs);
  }

  private flush() {
    if (this.closed || !this.socket.connected) return;
    while (this.outbox.inFlight < this.maxInFlight) {
      const batch = this.outbox.take(Date.now(), this.batchSize);
      if (!batch) break;
      void this.emit(batch);
    }
    this.armRetry();
  }

  private async emit(batch: Batch) {
    this.counters.sent += batch.frames.length;
    this.counters.resent += batch.resent;
    let res: Result<IngestResult>;
    try {
      res = await this.socket.timeout(this.ackTimeoutMs).emitWithAck('frames', batch.frames);
    } catch (err) {
      this.counters.lostAcks++;
      this.logOnce('lost', 'warn', `no ack for ${batch.frames.length} frames of ${batch.sessionId} (${errorText(err)}); will resend`);
      this.outbox.release(batch, Date.now() + (this.socket.connected ? this.retryDelayMs : 0));
      return this.afterAck();
    }
    if (!isResult(res)) {
      this.counters.serverErrors++;
      this.logOnce('malformed', 'error', 'server sent a malformed ack; will resend');
      this.outbox.release(batch, Date.now() + this.retryDelayMs);
    } else if (!res.ok) {
      this.counters.serverErrors++;
      const fields = res.fields?.map((f) => `${f.field}: ${f.reason}`).join('; ');
      this.logOnce('server_error', 'error', `server refused a batch: ${res.error}${fields ? ` (${fields})` : ''}; will resend`);
      this.outbox.release(batch, Date.now() + this.retryDelayMs);
    } else {
      const s = this.outbox.settle(batch, res.data, Date.now() + this.retryDelayMs);
      this.counters.accepted += s.accepted;
      this.counters.duplicates += s.duplicates;
      this.counters.rejected += s.rejected.length;
      for (const r of s.rejected) this.reportRejected(r.frame, r.errors);
    }
    this.afterAck();
  }

  private afterAck() {
    if (this.outbox.size === 0) for (const w of [...this.drainWaiters]) w(true);
    this.flush();
  }

  private reportRejected(frame: VitalsFrame, errors: FieldError[]) {
    const n = (this.rejectionsLogged.get(frame.sessionId) ?? 0) + 1;
    this.rejectionsLogged.set(frame.sessionId, n);
    if (n <= REJECTION_LOG_LIMIT) {
      const why = errors.map((e) => `${e.field}: ${e.reason}`).join('; ') || 'no reason given';
      this.log.warn(`frame rejected (session ${frame.sessionId} seq ${frame.seq}): ${why}`);
      if (n === REJECTION_LOG_LIMIT) this.log.warn(`further rejections for session ${frame.sessionId} are counted, not logged`);
    }
    try {
      this.onRejected?.(frame, errors);
    } catch (err) {
      this.log.error(`onRejected handler failed: ${errorText(err)}`);
    }
  }

  /** Wakes the flush when a delayed session becomes ready again. */
  private armRetry() {
    if (this.retryTimer || this.closed) return;
    const now = Date.now();
    const at = this.outbox.nextRetryAt(now);
    if (at === null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.flush();
    }, at - now + 5);
  }

  private logOnce(key: string, level: keyof SimLogger, msg: string) {
    const now = Date.now();
    if (now - (this.lastLogged.get(key) ?? -Infinity) < ERROR_LOG_INTERVAL_MS) return;
    this.lastLogged.set(key, now);
    this.log[level](msg);
  }

  private clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.retryTimer = this.reconnectTimer = null;
  }
}

function isResult(x: unknown): x is Result<IngestResult> {
  if (typeof x !== 'object' || x === null || !('ok' in x)) return false;
  if (x.ok !== true) return x.ok === false;
  const d = (x as { data?: unknown }).data as Partial<IngestResult> | undefined;
  return !!d && Array.isArray(d.accepted) && Array.isArray(d.duplicates) && Array.isArray(d.rejected);
}
