import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';

/** The engine.io field the slow-screen check reads must exist in the pinned version. */
describe('engine.io send buffer', () => {
  it('is readable on a connected socket', async () => {
    const http = createServer();
    const srv = new Server(http);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const connected = new Promise<unknown>((r) => srv.on('connection', (s) => r(s.conn)));
    const c = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
    const conn = (await connected) as { writeBuffer?: unknown[] };
    expect(Array.isArray(conn.writeBuffer)).toBe(true);
    c.close();
    await new Promise<void>((r) => {
      void srv.close(() => r());
    });
  });
});
