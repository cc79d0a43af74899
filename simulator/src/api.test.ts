import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionCreate } from '@infusion/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, InfusionApi } from './api';
import { FakeServer, unusedUrl } from './testing/fake-server';

const session: SessionCreate = {
  patientLabel: 'SIM-01',
  weightKg: 70,
  ageYears: 40,
  setting: 'clinic',
  indication: 'Chronic neuropathic pain',
  supervisingPhysician: 'Simulated physician',
  nurse: 'Simulated nurse',
  location: 'Chair 1',
  simulated: true,
};

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function rawServer(status: number, body: string): Promise<string> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('InfusionApi', () => {
  it('creates a session, records infusion events and ends it, sending the extra headers', async () => {
    const server = await FakeServer.start();
    cleanup.push(() => server.close());
    const api = new InfusionApi({ url: `${server.url}/`, headers: { authorization: 'Bearer t0k' } });
    const created = await api.createSession(session);
    expect(created).toMatchObject({ id: 's1', patientLabel: 'SIM-01', simulated: true, status: 'active' });
    const { event } = await api.infusionEvent(created.id, { type: 'start', rateMgKgH: 0.5 });
    expect(event).toEqual({ type: 'start', rateMgKgH: 0.5 });
    expect((await api.endSession(created.id)).status).toBe('ended');
    expect(server.requests.map((r) => r.path)).toEqual(['/api/sessions', '/api/sessions/s1/infusion', '/api/sessions/s1/end']);
    expect(server.requests.every((r) => r.headers.authorization === 'Bearer t0k')).toBe(true);
  });

  it("carries the server's error text, status and field errors", async () => {
    const server = await FakeServer.start();
    cleanup.push(() => server.close());
    const api = new InfusionApi({ url: server.url });
    const err = await api.createSession({ ...session, weightKg: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toMatch(/^POST \/api\/sessions failed with 400: invalid session \(weightKg: .+\)$/);
    expect((err as ApiError).fields[0]?.field).toBe('weightKg');
    await expect(api.endSession('nope')).rejects.toThrow('POST /api/sessions/nope/end failed with 404: no route POST /api/sessions/nope/end');
  });

  it('explains a response that is not the JSON contract', async () => {
    const url = await rawServer(502, '<html>Bad gateway</html>');
    await expect(new InfusionApi({ url }).endSession('x')).rejects.toThrow(/failed with 502: unexpected response: <html>Bad gateway<\/html>/);
  });

  it('explains an unreachable server', async () => {
    const url = await unusedUrl();
    const err = (await new InfusionApi({ url }).endSession('x').catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBeNull();
    expect(err.message).toBe(`POST /api/sessions/x/end: cannot reach ${url}: ECONNREFUSED`);
  });
});
