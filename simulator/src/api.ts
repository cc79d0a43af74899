import type { ChecklistInput, ChecklistRecord, FieldError, Order, OrderInput, InfusionEvent, InfusionEventInput, Observation, ObservationInput, RescueDose, RescueDoseInput, Result, Session, SessionCreate } from '@infusion/shared';

export interface ApiClientOptions {
  /** Server base URL, e.g. http://localhost:3000. */
  url: string;
  /** Added to every request (e.g. an Authorization header once the server requires one). */
  headers?: Record<string, string>;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

/** A failed REST call; the message carries the method, path, HTTP status and the server's own error text. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or null when the server could not be reached or did not answer in time. */
    readonly status: number | null,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
  }
}

/** Typed client for the session REST endpoints the simulator uses. */
export class InfusionApi {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(opts: ApiClientOptions) {
    this.base = opts.url.replace(/\/+$/, '');
    this.headers = opts.headers ?? {};
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The active sessions the caller may see. */
  activeSessions(): Promise<Session[]> {
    return this.post<Session[]>('/api/sessions', undefined, 'GET');
  }

  createSession(input: SessionCreate): Promise<Session> {
    return this.post<Session>('/api/sessions', input);
  }

  infusionEvent(sessionId: string, event: InfusionEventInput): Promise<{ session: Session; event: InfusionEvent }> {
    return this.post(`/api/sessions/${encodeURIComponent(sessionId)}/infusion`, event);
  }

  observation(sessionId: string, obs: ObservationInput): Promise<Observation> {
    return this.post(`/api/sessions/${encodeURIComponent(sessionId)}/observations`, obs);
  }

  /** The physician's order (a trainer writes it on a simulated session). */
  order(sessionId: string, order: OrderInput): Promise<{ order: Order }> {
    return this.post(`/api/sessions/${encodeURIComponent(sessionId)}/order`, order, 'PUT');
  }

  checklist(sessionId: string, checklist: ChecklistInput): Promise<ChecklistRecord> {
    return this.post(`/api/sessions/${encodeURIComponent(sessionId)}/checklist`, checklist, 'PUT');
  }

  /** A rescue or co-medication dose, documented against the formulary entry `drugId`. */
  rescue(sessionId: string, dose: RescueDoseInput): Promise<RescueDose> {
    return this.post(`/api/sessions/${encodeURIComponent(sessionId)}/rescue`, dose);
  }

  /** Ends the session early with the reason (the server refuses while an infusion runs: stop it first). */
  endSession(sessionId: string, reason = 'simulation stopped'): Promise<Session> {
    return this.post<Session>(`/api/sessions/${encodeURIComponent(sessionId)}/end`, { outcome: 'ended_early', reason });
  }

  private async post<T>(path: string, body?: unknown, method: 'GET' | 'POST' | 'PUT' = 'POST'): Promise<T> {
    const what = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), accept: 'application/json', ...this.headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new ApiError(`${what}: cannot reach ${this.base}: ${networkReason(err)}`, null);
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (isResult<T>(parsed)) {
      if (parsed.ok && res.ok) return parsed.data;
      if (!parsed.ok) {
        const fields = parsed.fields ?? [];
        const detail = fields.length ? ` (${fields.map((f) => `${f.field}: ${f.reason}`).join('; ')})` : '';
        throw new ApiError(`${what} failed with ${res.status}: ${parsed.error}${detail}`, res.status, fields);
      }
    }
    const snippet = text.trim().slice(0, 200) || res.statusText || 'empty body';
    throw new ApiError(`${what} failed with ${res.status}: unexpected response: ${snippet}`, res.status);
  }
}

function isResult<T>(x: unknown): x is Result<T> {
  return typeof x === 'object' && x !== null && 'ok' in x && typeof x.ok === 'boolean';
}

/** fetch hides the socket error (ECONNREFUSED, ...) in `cause`. */
function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  const base = err instanceof Error ? err.message : String(err);
  return cause?.code ?? cause?.message ?? base;
}
