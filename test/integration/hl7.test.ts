import { connect, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api, createSession, startServer, type TestServer } from '../support/server';

const VT = '\x0b';
const END = '\x1c\x0d';
const ts = (t: number) => new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';

function oru(equipment: string, t: number, obx: [code: string, name: string, value: string][], control = `C${t}`): string {
  return [
    `MSH|^~\\&|GATEWAY^${equipment}^EUI-64|ICU|IKM|HOSP|${ts(t)}||ORU^R01^ORU_R01|${control}|P|2.6`,
    'PID|||PSEUDO-1^^^HOSP^MR',
    'PV1||I|ICU^7^1',
    `OBR|1|||182777000^monitoring of patient^SNOMED-CT|||${ts(t)}`,
    ...obx.map(([code, name, value], i) => `OBX|${i + 1}|NM|${code}^${name}^MDC|1.1.1.${i + 1}|${value}|262688^MDC_DIM_PERCENT^MDC|||||R|||${ts(t)}||||${equipment}^EUI-64`),
  ].join('\r');
}

/** A real MLLP client over TCP: send a message, read its framed ACK. */
class MllpClient {
  private buf = '';
  private waiters: ((s: string) => void)[] = [];
  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      let end: number;
      while ((end = this.buf.indexOf(END)) >= 0) {
        const msg = this.buf.slice(this.buf.indexOf(VT) + 1, end);
        this.buf = this.buf.slice(end + 2);
        this.waiters.shift()?.(msg);
      }
    });
  }
  static open(port: number): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new MllpClient(s)));
      s.once('error', reject);
    });
  }
  send(msg: string): Promise<{ code: string; text: string; raw: string }> {
    return new Promise((resolve) => {
      this.waiters.push((raw) => {
        const msa = raw.split('\r').find((l) => l.startsWith('MSA|'))!.split('|');
        resolve({ code: msa[1]!, text: msa[3] ?? '', raw });
      });
      this.sock.write(VT + msg + END);
    });
  }
  close() {
    this.sock.destroy();
  }
}

describe('HL7 v2 ORU^R01 over MLLP', () => {
  let s: TestServer;
  let port: number;
  beforeEach(async () => {
    s = await startServer();
    port = await s.app.startHl7(0);
  });
  afterEach(() => s.close());

  const rows = (sessionId: string) => {
    const db = new Database(s.dbPath, { readonly: true });
    try {
      return db.prepare('SELECT seq, t, hr, spo2, sbp FROM vitals WHERE session_id = ? ORDER BY t').all(sessionId) as { seq: number; t: number; hr: number | null; spo2: number | null; sbp: number | null }[];
    } finally {
      db.close();
    }
  };

  it('binds to loopback by default: not reachable from other hosts unless HL7_HOST says so', () => {
    expect(s.app.hl7Address()).toMatchObject({ address: '127.0.0.1', port });
  });

  it('accepts observations from a bound device after commit, treats sentinels as no value, and resends as duplicates', async () => {
    const sess = await createSession(s.nurse);
    const dev = await api<{ device: { id: number } }>(s.admin, 'POST', '/api/devices', { name: 'Bed 7 monitor', hl7Id: '0123456789ABCDEF' });
    const bind = await api(s.nurse, 'POST', `/api/devices/${dev.body.data.device.id}/bind`, { sessionId: sess.id });
    expect(bind.status).toBe(200);
    const c = await MllpClient.open(port);
    const t = Date.now() - 5000;
    const msg = oru('0123456789ABCDEF', t, [
      ['150456', 'MDC_PULS_OXIM_SAT_O2', '97'],
      ['147842', 'MDC_ECG_HEART_RATE', '-999'],
      ['150021', 'MDC_PRESS_BLD_NONINV_SYS', '128'],
    ]);
    const ack = await c.send(msg);
    expect(ack.code).toBe('AA');
    expect(ack.raw).toContain(`MSA|AA|C${t}`);
    const t0 = Math.floor(t / 1000) * 1000;
    expect(rows(sess.id)).toEqual([{ seq: t0, t: t0, hr: null, spo2: 97, sbp: 128 }]);
    expect((await c.send(msg)).code).toBe('AA');
    expect(rows(sess.id)).toHaveLength(1);
    c.close();
  });

  it('refuses unregistered and unbound equipment, other message types and garbage with AR, and stays up', async () => {
    const c = await MllpClient.open(port);
    const t = Date.now() - 1000;
    const unknown = await c.send(oru('FFFF000000000000', t, [['150456', 'MDC_PULS_OXIM_SAT_O2', '97']]));
    expect(unknown).toMatchObject({ code: 'AR', text: 'equipment FFFF000000000000 is not a registered device' });
    await api(s.admin, 'POST', '/api/devices', { name: 'spare', hl7Id: 'AAAA000000000001' });
    expect(await c.send(oru('AAAA000000000001', t, [['150456', 'MDC_PULS_OXIM_SAT_O2', '97']]))).toMatchObject({ code: 'AR', text: expect.stringMatching(/is not bound to a session/) });
    expect((await c.send('MSH|^~\\&|X|Y|Z|W|20261122||ADT^A01|1|P|2.6')).text).toBe('only ORU R01 is accepted (got ADT A01)');
    expect((await c.send('this is not hl7')).text).toMatch(/unparsable message/);
    c.close();
    expect((await fetch(s.url + '/api/health')).status).toBe(200);
  });

  it('answers AE naming what was refused, and keeps the good observations of the message', async () => {
    const sess = await createSession(s.nurse);
    const dev = await api<{ device: { id: number } }>(s.admin, 'POST', '/api/devices', { name: 'gw', hl7Id: 'BBBB000000000002' });
    await api(s.nurse, 'POST', `/api/devices/${dev.body.data.device.id}/bind`, { sessionId: sess.id });
    const c = await MllpClient.open(port);
    const ack = await c.send(oru('BBBB000000000002', Date.now() - 2000, [
      ['150456', 'MDC_PULS_OXIM_SAT_O2', '96'],
      ['999999', 'MDC_UNKNOWN_THING', '5'],
      ['147842', 'MDC_ECG_HEART_RATE', 'fast'],
    ]));
    expect(ack.code).toBe('AE');
    expect(ack.text).toMatch(/OBX 2 unknown observation 999999/);
    expect(ack.text).toMatch(/OBX 3 OBX-5 "fast" is not a number/);
    expect(rows(sess.id).map((r) => r.spo2)).toEqual([96]);
    c.close();
  });

  it('only lets clinicians who see the session bind a device to it, and audits the binding', async () => {
    const sess = await createSession(s.nurse);
    const dev = await api<{ device: { id: number } }>(s.admin, 'POST', '/api/devices', { name: 'm', hl7Id: 'CCCC000000000003' });
    const id = dev.body.data.device.id;
    expect((await api(s.trainer, 'POST', `/api/devices/${id}/bind`, { sessionId: sess.id })).status).toBe(404);
    expect((await api(s.admin, 'POST', `/api/devices/${id}/bind`, { sessionId: sess.id })).status).toBe(403);
    expect((await api(s.nurse, 'POST', `/api/devices/${id}/bind`, { sessionId: sess.id })).status).toBe(200);
    expect((await api(s.nurse, 'POST', `/api/devices/${id}/unbind`)).status).toBe(200);
    const db = new Database(s.dbPath, { readonly: true });
    const actions = db.prepare("SELECT action, actor FROM audit_log WHERE entity = 'device' AND entity_id = ? ORDER BY id").all(String(id));
    db.close();
    expect(actions).toEqual([
      { action: 'device.create', actor: 'user:admin' },
      { action: 'device.bind', actor: 'user:nurse' },
      { action: 'device.unbind', actor: 'user:nurse' },
    ]);
  });
});
