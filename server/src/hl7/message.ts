/**
 * A small HL7 v2 reader for what this product receives (ORU^R01 from monitors and gateways):
 * segments, fields, repetitions, components and escape sequences, with the delimiters taken from
 * MSH-1/MSH-2 of each message. Written here because the maintained npm parsers either need a newer
 * Node (global WebSocket) or could not be installed from the registry.
 */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export class Hl7ParseError extends Error {}

export class Hl7Segment {
  constructor(
    readonly name: string,
    /** fields[n] is field n as HL7 counts it (MSH-1 is the field separator itself). */
    private readonly fields: string[],
    private readonly d: Delimiters,
  ) {}

  /** Raw field n (first repetition), escapes left in. */
  raw(n: number): string {
    return (this.fields[n] ?? '').split(this.d.repetition)[0] ?? '';
  }

  /** Component c (1-based) of field n, unescaped. */
  get(n: number, c = 1): string {
    return unescape(this.raw(n).split(this.d.component)[c - 1] ?? '', this.d);
  }
}

export class Hl7Message {
  constructor(
    readonly segments: Hl7Segment[],
    readonly delimiters: Delimiters,
  ) {}

  static parse(text: string): Hl7Message {
    const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
    const first = lines[0];
    if (!first?.startsWith('MSH') || first.length < 8) throw new Hl7ParseError('message does not start with an MSH segment');
    const d: Delimiters = { field: first[3]!, component: first[4]!, repetition: first[5]!, escape: first[6]!, subcomponent: first[7]! };
    if (new Set(Object.values(d)).size !== 5) throw new Hl7ParseError('MSH-1/MSH-2 delimiters are not five distinct characters');
    const segments = lines.map((line) => {
      const parts = line.split(d.field);
      const name = parts[0] ?? '';
      if (!/^[A-Z][A-Z0-9]{2}$/.test(name)) throw new Hl7ParseError(`bad segment name "${name.slice(0, 10)}"`);
      // For MSH, field 1 is the separator and field 2 the encoding characters.
      const fields = name === 'MSH' ? ['MSH', d.field, ...parts.slice(1)] : parts;
      return new Hl7Segment(name, fields, d);
    });
    return new Hl7Message(segments, d);
  }

  segment(name: string): Hl7Segment | undefined {
    return this.segments.find((s) => s.name === name);
  }

  all(name: string): Hl7Segment[] {
    return this.segments.filter((s) => s.name === name);
  }
}

function unescape(s: string, d: Delimiters): string {
  if (!s.includes(d.escape)) return s;
  const e = d.escape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return s.replace(new RegExp(`${e}([FSTRE])${e}`, 'g'), (_m, k: string) => ({ F: d.field, S: d.component, T: d.subcomponent, R: d.repetition, E: d.escape })[k] ?? '');
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** HL7 DTM: YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ] → epoch ms. Without a zone, UTC is assumed. */
export function parseHl7Time(s: string): number | null {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,4}))?([+-]\d{4})?$/.exec(s.trim());
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', frac = '0', zone] = m;
  // Date.UTC would roll month 13 or minute 61 over into a real but wrong time: refuse it instead.
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return null;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  if (Number.isNaN(utc)) return null;
  if (!zone) return utc;
  const sign = zone[0] === '-' ? -1 : 1;
  return utc - sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
}

export function formatHl7Time(t: number): string {
  const d = new Date(t);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0000`;
}

/** ACK for a received message: MSA-1 AA / AE / AR, MSA-2 its control id, ERR with the reason. */
export function buildAck(msg: Hl7Message | null, code: 'AA' | 'AE' | 'AR', text: string, now: number): string {
  const msh = msg?.segment('MSH');
  const sendingApp = msh?.raw(3) ?? '';
  const sendingFac = msh?.raw(4) ?? '';
  const control = msh?.raw(10) ?? '';
  const version = msh?.raw(12) || '2.6';
  const clean = text.replace(/[|^~\\&\r\n]/g, ' ').slice(0, 200);
  const segs = [
    `MSH|^~\\&|INFUSION-MONITOR|IKM|${sendingApp}|${sendingFac}|${formatHl7Time(now)}||ACK^R01^ACK|ACK${now}|P|${version}`,
    `MSA|${code}|${control}|${clean}`,
  ];
  if (code !== 'AA') segs.push(`ERR|||${code === 'AR' ? '207^Application internal error^HL70357' : '102^Data type error^HL70357'}|E||||${clean}`);
  return segs.join('\r');
}
