import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, formatWait, readResult, refusalText, request, requestInit, type FetchFn, type HttpMethod } from './http';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A fetch that records what it was asked and answers `res`. */
function recorder(res: () => Response | Promise<Response>) {
  const calls: { input: string; init: RequestInit }[] = [];
  const fetchFn: FetchFn = async (input, init) => {
    calls.push({ input, init });
    return res();
  };
  return { calls, fetchFn };
}
const headersOf = (init: RequestInit) => init.headers as Record<string, string>;

describe('request helper: CSRF token', () => {
  it('is sent on every state-changing method', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE'] as HttpMethod[]) {
      expect(headersOf(requestInit(m, { a: 1 }, 'tok'))[CSRF_HEADER]).toBe('tok');
    }
  });

  it('is never sent on safe methods', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS'] as HttpMethod[]) {
      expect(headersOf(requestInit(m, undefined, 'tok'))).not.toHaveProperty(CSRF_HEADER);
    }
  });

  it('is left out when there is none (before login)', () => {
    expect(headersOf(requestInit('POST', {}, null))).not.toHaveProperty(CSRF_HEADER);
  });

  it('goes out with the actual fetch, with the cookie of this origin and a JSON body', async () => {
    const { calls, fetchFn } = recorder(() => json(200, { ok: true, data: { id: 1 } }));
    await request(fetchFn, 'PATCH', '/api/users/1', { disabled: true }, 'tok');
    await request(fetchFn, 'GET', '/api/users', undefined, 'tok');
    expect(calls[0]!.input).toBe('/api/users/1');
    expect(calls[0]!.init.method).toBe('PATCH');
    expect(calls[0]!.init.credentials).toBe('same-origin');
    expect(calls[0]!.init.body).toBe('{"disabled":true}');
    expect(headersOf(calls[0]!.init)).toMatchObject({ [CSRF_HEADER]: 'tok', 'content-type': 'application/json' });
    expect(headersOf(calls[1]!.init)).not.toHaveProperty(CSRF_HEADER);
    expect(calls[1]!.init.body).toBeUndefined();
  });
});

describe('request helper: answers', () => {
  it('returns the data of an ok answer', async () => {
    const r = await readResult<{ id: number }>(json(201, { ok: true, data: { id: 7 } }));
    expect(r).toEqual({ ok: true, status: 201, data: { id: 7 } });
  });

  it("returns the server's error text and field errors", async () => {
    const r = await readResult(json(400, { ok: false, error: 'invalid user', fields: [{ field: 'username', reason: 'too short' }, { bogus: 1 }] }));
    expect(r).toEqual({ ok: false, status: 400, error: 'invalid user', fields: [{ field: 'username', reason: 'too short' }] });
  });

  it('keeps the dose check a refused dose carries, so the form can name the limits', async () => {
    const check = { outcome: 'refused', limits: [], crossings: [{ id: 'dose.rate.max' }] };
    const r = await readResult(json(409, { ok: false, error: 'refused by 1 hard limit(s)', check }));
    expect(r).toMatchObject({ ok: false, status: 409, check });
  });

  it('reads Retry-After of a locked account', async () => {
    const r = await readResult(json(423, { ok: false, error: 'account temporarily locked after repeated failed logins' }, { 'retry-after': '900' }));
    expect(r).toMatchObject({ ok: false, status: 423, retryAfterS: 900 });
  });

  it('survives a body that is not JSON', async () => {
    const r = await readResult(new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(r).toEqual({ ok: false, status: 502, error: 'request failed (HTTP 502)' });
  });

  it('turns an unreachable server into status 0 instead of throwing', async () => {
    const r = await request(
      () => Promise.reject(new TypeError('Failed to fetch')),
      'GET',
      '/api/auth/me',
      undefined,
      null,
    );
    expect(r).toEqual({ ok: false, status: 0, error: 'cannot reach the server' });
  });
});

describe('wait texts', () => {
  it('formats waits in seconds, minutes and hours', () => {
    expect(formatWait(0)).toBe('1 s');
    expect(formatWait(45)).toBe('45 s');
    expect(formatWait(60)).toBe('1 min');
    expect(formatWait(61)).toBe('2 min');
    expect(formatWait(900)).toBe('15 min');
    expect(formatWait(3600)).toBe('1 h');
    expect(formatWait(3900)).toBe('1 h 5 min');
  });

  it('adds the wait to 423 and 429 refusals only', () => {
    expect(refusalText({ status: 423, error: 'account temporarily locked after repeated failed logins', retryAfterS: 900 })).toBe(
      'account temporarily locked after repeated failed logins. Try again in 15 min.',
    );
    expect(refusalText({ status: 429, error: 'too many login attempts; wait a minute', retryAfterS: 60 })).toBe('too many login attempts; wait a minute. Try again in 1 min.');
    expect(refusalText({ status: 401, error: 'invalid username or password', retryAfterS: 5 })).toBe('invalid username or password');
  });
});
