import { describe, expect, it } from 'vitest';
import { fetchExport, fileNameOf, formatBytes } from './exportDownload';

describe('export download', () => {
  it('takes the server file name, without path separators, else a plain one', () => {
    expect(fileNameOf('attachment; filename="Chair-2_EXP-7_2026-11-22_SIMULATED.pdf"', 'x.pdf')).toBe('Chair-2_EXP-7_2026-11-22_SIMULATED.pdf');
    expect(fileNameOf('attachment; filename="../../etc/passwd"', 'x.pdf')).toBe('.._.._etc_passwd');
    expect(fileNameOf(null, 'session-1.csv')).toBe('session-1.csv');
  });

  it('counts the bytes as they arrive and keeps the whole file', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('a,b\r\n'));
        c.enqueue(new TextEncoder().encode('1,2\r\n'));
        c.close();
      },
    });
    const seen: number[] = [];
    const r = await fetchExport('s1', 'csv', (n) => seen.push(n), () => Promise.resolve(new Response(body, { headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="a.csv"' } })));
    expect(seen).toEqual([5, 10]);
    expect(r.ok && r.name).toBe('a.csv');
    expect(r.ok && (await r.file.text())).toBe('a,b\r\n1,2\r\n');
  });

  it('turns a refusal into the server reason, and a cut stream into an error, never a file', async () => {
    const refused = await fetchExport('s1', 'pdf', () => {}, () => Promise.resolve(new Response(JSON.stringify({ ok: false, error: 'session s1 not found' }), { status: 404 })));
    expect(refused).toEqual({ ok: false, error: 'session s1 not found' });
    const cut = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2]));
        c.error(new Error('reset'));
      },
    });
    const broken = await fetchExport('s1', 'csv', () => {}, () => Promise.resolve(new Response(cut)));
    expect(broken.ok).toBe(false);
    const down = await fetchExport('s1', 'csv', () => {}, () => Promise.reject(new Error('offline')));
    expect(down).toEqual({ ok: false, error: 'cannot reach the server' });
  });

  it('formats sizes', () => {
    expect([formatBytes(900), formatBytes(12_800), formatBytes(3_565_158)]).toEqual(['900 B', '13 kB', '3.4 MB']);
  });
});
