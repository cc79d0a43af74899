import type { FieldError } from '@infusion/shared';

/**
 * HTTP to the server's JSON API. Every answer becomes one shape: `{ ok: true, data }` or
 * `{ ok: false, status, error, fields?, retryAfterS?, check? }`, with status 0 when the server could not be reached
 * (`check`: the dose check a refused dosing request carries, read by the dose forms).
 */
export type ApiResult<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; error: string; fields?: FieldError[]; retryAfterS?: number; check?: unknown; assessment?: unknown };

export type HttpMethod = 'GET' | 'HEAD' | 'OPTIONS' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const CSRF_HEADER = 'x-csrf-token';
export const UNREACHABLE = 'cannot reach the server';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** State-changing methods: the server refuses them with the login cookie unless the CSRF token comes too. */
export const isUnsafeMethod = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/**
 * The fetch options of a request: cookie sent (same origin only), JSON body, and the CSRF token
 * on unsafe methods only (a GET never carries it, so it cannot leak through a logged URL or cache).
 */
export function requestInit(method: HttpMethod, body: unknown, csrfToken: string | null): RequestInit {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (isUnsafeMethod(method) && csrfToken) headers[CSRF_HEADER] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) init.body = JSON.stringify(body);
  return init;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function asFields(v: unknown): FieldError[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const fields = v.filter((f): f is FieldError => isObject(f) && typeof f.field === 'string' && typeof f.reason === 'string');
  return fields.length ? fields : undefined;
}

/** Seconds from a Retry-After header (seconds form only; the server sends nothing else). */
export function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}

/** Turn a fetch Response into an ApiResult, whatever its body (a proxy's HTML error page included). */
export async function readResult<T>(res: Response): Promise<ApiResult<T>> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.ok && isObject(body) && body.ok === true) return { ok: true, status: res.status, data: body.data as T };
  const error = isObject(body) && typeof body.error === 'string' && body.error ? body.error : `request failed (HTTP ${res.status})`;
  const fields = isObject(body) ? asFields(body.fields) : undefined;
  const retryAfterS = retryAfterSeconds(res.headers.get('retry-after'));
  return {
    ok: false,
    status: res.status,
    error,
    ...(fields ? { fields } : {}),
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    ...(isObject(body) && body.check !== undefined ? { check: body.check } : {}),
    ...(isObject(body) && body.assessment !== undefined ? { assessment: body.assessment } : {}),
  };
}

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

/** One request to the API; never throws. */
export async function request<T>(fetchFn: FetchFn, method: HttpMethod, path: string, body: unknown, csrfToken: string | null): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetchFn(path, requestInit(method, body, csrfToken));
  } catch {
    return { ok: false, status: 0, error: UNREACHABLE };
  }
  return readResult<T>(res);
}

/** "45 s", "2 min", "15 min", "1 h 5 min": how long to wait before trying again. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  const min = Math.ceil(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min` : `${h} h`;
}

/** The text a form shows for a refused request: the server's reason, and for 423/429 how long to wait. */
export function refusalText(r: { status: number; error: string; retryAfterS?: number }): string {
  if ((r.status === 423 || r.status === 429) && r.retryAfterS !== undefined) return `${r.error}. Try again in ${formatWait(r.retryAfterS)}.`;
  return r.error;
}
