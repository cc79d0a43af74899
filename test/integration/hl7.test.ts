import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alarm, Result } from '@infusion/shared';
import { api, connected, createSession, dashboard, startServer, type TestServer } from '../support/server';
import { dbOf } from '../support/storeSql';

const VT = '\x0b';
const END = '\x1c\x0d';
const ts = (t: number) => new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';

function oru(equipment: string, t: number, obx: [code: string, name: string, value: string][], control = `C${t}`, who: { pid?: string; bed?: string } = {}): string {
  return [
    `MSH|^~\\&|GATEWAY^${equipment}^EUI-64|ICU|IKM|HOSP|${ts(t)}||ORU^R01^ORU_R01|${control}|P|2.6`,
    `PID|||${who.pid ?? 'PSEUDO-1'}^^^HOSP^MR`,
    `PV1||I|${who.bed ?? 'ICU^7^1'}`,
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

  const rows = (sessionId: string) => dbOf(s).selectFrom('vitals').select(['seq', 't', 'hr', 'spo2', 'sbp']).where('session_id', '=', sessionId).orderBy('t').execute();

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
    expect(await rows(sess.id)).toEqual([{ seq: 0, t: t0, hr: null, spo2: 97, sbp: 128 }]);
    expect((await c.send(msg)).code).toBe('AA');
    expect(await rows(sess.id)).toHaveLength(1);
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
    expect((await rows(sess.id)).map((r) => r.spo2)).toEqual([96]);
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
    const actions = await dbOf(s).selectFrom('audit_log').select(['action', 'actor']).where('entity', '=', 'device').where('entity_id', '=', String(id)).orderBy('id').execute();
    expect(actions).toEqual([
      { action: 'device.create', actor: 'user:admin' },
      { action: 'device.bind', actor: 'user:nurse' },
      { action: 'device.unbind', actor: 'user:nurse' },
    ]);
  });
  const register = async (hl7Id: string, sessionId: string, bed?: string) => {
    const dev = await api<{ device: { id: number } }>(s.admin, 'POST', '/api/devices', { name: `monitor ${hl7Id}`, hl7Id });
    const bind = await api(s.nurse, 'POST', `/api/devices/${dev.body.data.device.id}/bind`, { sessionId, ...(bed ? { bed } : {}) });
    expect(bind.status, JSON.stringify(bind.body)).toBe(200);
    return dev.body.data.device.id;
  };
  const alarmsOf = async (sessionId: string) => (await api<{ alarms: Alarm[] }>(s.nurse, 'GET', `/api/sessions/${sessionId}`)).body.data.alarms;

  it('stores two messages with the same observation time as two sets of values, raises on the second, and answers a true resend (same MSH-10) again without storing it twice', async () => {
    const sess = await createSession(s.nurse);
    await register('DDDD000000000004', sess.id);
    const c = await MllpClient.open(port);
    const t = Date.now() - 3000;
    const hr = oru('DDDD000000000004', t, [['147842', 'MDC_ECG_HEART_RATE', '80']], 'MSG-1');
    const nibp = oru('DDDD000000000004', t, [['150021', 'MDC_PRESS_BLD_NONINV_SYS', '210'], ['150022', 'MDC_PRESS_BLD_NONINV_DIA', '120']], 'MSG-2');
    expect((await c.send(hr)).code).toBe('AA');
    expect((await c.send(nibp)).code).toBe('AA');
    expect((await rows(sess.id)).map((r) => [r.hr, r.sbp])).toEqual([
      [80, null],
      [null, 210],
    ]);
    await expect.poll(async () => (await alarmsOf(sess.id)).map((a) => a.ruleId)).toContain('sbp.high.high');
    // A resend of either (even with a new MSH-7) gets the same answer and stores nothing.
    expect(await c.send(nibp.replace(/\|ORU\^R01/, '|ORU^R01').replace(ts(t), ts(t + 5000)))).toMatchObject({ code: 'AA', text: 'accepted' });
    expect((await c.send(hr)).code).toBe('AA');
    expect(await rows(sess.id)).toHaveLength(2);
    // The same control id with other content is not a resend: refused, nothing stored.
    const reused = await c.send(oru('DDDD000000000004', t, [['147842', 'MDC_ECG_HEART_RATE', '95']], 'MSG-1'));
    expect(reused).toMatchObject({ code: 'AR', text: expect.stringMatching(/MSH-10 control id MSG-1 was already used/) });
    expect(await rows(sess.id)).toHaveLength(2);
    c.close();
  });

  it('refuses a message for another bed of a gateway or another patient, stores nothing, and raises a technical alarm on the bound session', async () => {
    const sess = await createSession(s.nurse, { patientRef: 'PSEUDO-1' });
    await register('EEEE000000000005', sess.id, 'ICU^7^1');
    const c = await MllpClient.open(port);
    const t = Date.now() - 2000;
    const obx: [string, string, string][] = [['150456', 'MDC_PULS_OXIM_SAT_O2', '91']];
    const otherBed = await c.send(oru('EEEE000000000005', t, obx, 'B-1', { bed: 'ICU^8^1' }));
    expect(otherBed).toMatchObject({ code: 'AR', text: "PV1-3 bed ICU 8 1 does not match the bound session's bed ICU 7 1" }); // MSA-3 carries HL7 delimiters as spaces
    const otherPatient = await c.send(oru('EEEE000000000005', t, obx, 'B-2', { pid: 'PSEUDO-2' }));
    expect(otherPatient).toMatchObject({ code: 'AR', text: "PID-3 patient PSEUDO-2 does not match the bound session's patient" });
    expect(await rows(sess.id)).toEqual([]);
    // Stored (the write queue commits it, then it is broadcast), latched until acknowledged.
    await expect.poll(async () => (await alarmsOf(sess.id)).find((a) => a.ruleId === 'tech.source_mismatch')?.message).toMatch(/PID-3 patient PSEUDO-2/);
    const alarm = (await alarmsOf(sess.id)).find((a) => a.ruleId === 'tech.source_mismatch')!;
    expect(alarm).toMatchObject({ kind: 'technical', priority: 'medium', latching: true, state: 'active', conditionActive: false });
    expect(alarm.source).toMatch(/Institutional default/);
    const dash = dashboard(s.nurse);
    await connected(dash);
    const ack = (await dash.emitWithAck('alarm:acknowledge', { alarmId: alarm.id })) as Result<Alarm>;
    expect(ack.ok && ack.data.state).toBe('resolved');
    dash.close();
    // The right patient at the right bed is accepted.
    expect((await c.send(oru('EEEE000000000005', t, obx, 'B-3'))).code).toBe('AA');
    expect((await rows(sess.id)).map((r) => r.spo2)).toEqual([91]);
    c.close();
  });

  it('routes a gateway by bed: each bed to its own session, an unbound bed refused', async () => {
    const a = await createSession(s.nurse);
    const b = await createSession(s.nurse);
    const id = await register('FFFF000000000006', a.id, 'ICU^7^1');
    expect((await api(s.nurse, 'POST', `/api/devices/${id}/bind`, { sessionId: b.id, bed: 'ICU^8^1' })).status).toBe(200);
    // The same bed twice would be a guess: refused.
    expect((await api(s.nurse, 'POST', `/api/devices/${id}/bind`, { sessionId: b.id, bed: 'ICU^7^1' })).status).toBe(409);
    const c = await MllpClient.open(port);
    const t = Date.now() - 2000;
    expect((await c.send(oru('FFFF000000000006', t, [['147842', 'MDC_ECG_HEART_RATE', '70']], 'G-1', { bed: 'ICU^7^1' }))).code).toBe('AA');
    expect((await c.send(oru('FFFF000000000006', t, [['147842', 'MDC_ECG_HEART_RATE', '90']], 'G-2', { bed: 'ICU^8^1' }))).code).toBe('AA');
    expect(await c.send(oru('FFFF000000000006', t, [['147842', 'MDC_ECG_HEART_RATE', '99']], 'G-3', { bed: 'ICU^9^1' }))).toMatchObject({ code: 'AR', text: expect.stringMatching(/bed ICU 9 1 is not bound/) });
    expect((await rows(a.id)).map((r) => r.hr)).toEqual([70]);
    expect((await rows(b.id)).map((r) => r.hr)).toEqual([90]);
    c.close();
  });

  it('keeps the good observations of a message with one out-of-range value (AE naming it), and always answers: too many observation times, an oversized frame', async () => {
    const sess = await createSession(s.nurse);
    await register('ABAB000000000007', sess.id);
    const c = await MllpClient.open(port);
    const t = Date.now() - 2000;
    const ack = await c.send(oru('ABAB000000000007', t, [['150456', 'MDC_PULS_OXIM_SAT_O2', '96'], ['147842', 'MDC_ECG_HEART_RATE', '400']], 'R-1'));
    expect(ack).toMatchObject({ code: 'AE', text: 'OBX 2 hr 400 above the physiological range (max 300 /min)' });
    expect((await rows(sess.id)).map((r) => [r.spo2, r.hr])).toEqual([[96, null]]);

    const many = [
      `MSH|^~\\&|GW|ICU|IKM|HOSP|${ts(t)}||ORU^R01^ORU_R01|R-2|P|2.6`,
      ...Array.from({ length: 1001 }, (_, i) => `OBX|${i + 1}|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97||||||R|||${ts(t - 3_600_000 + i * 1000)}||||ABAB000000000007`),
    ].join('\r');
    expect(await c.send(many)).toMatchObject({ code: 'AR', text: '1001 observation times: at most 1000 per message; nothing stored' });

    const huge = oru('ABAB000000000007', t, [['150456', 'MDC_PULS_OXIM_SAT_O2', '97']], 'R-3') + '\rNTE|1||' + 'x'.repeat(1_100_000);
    const big = await c.send(huge);
    expect(big).toMatchObject({ code: 'AR', text: 'message larger than the MLLP limit of 1048576 bytes: nothing stored' });
    expect(big.raw).toContain('MSA|AR|R-3|');
    // The connection still works after it.
    expect((await c.send(oru('ABAB000000000007', t + 1000, [['150456', 'MDC_PULS_OXIM_SAT_O2', '95']], 'R-4'))).code).toBe('AA');
    expect((await rows(sess.id)).map((r) => r.spo2)).toEqual([96, 95]);
    c.close();
  });
});
