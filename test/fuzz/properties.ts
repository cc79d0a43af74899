import { createApp, Hl7Message, Hl7ParseError, isOruR01, ManualClock, MllpDecoder, readOru, testConfig, type App } from '@infusion/server';
import { VITAL_FIELDS, VITAL_META, vitalsFrameSchema, type IngestResult } from '@infusion/shared';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoSession } from '../support/server';

/**
 * Properties over everything a device or monitor can send: the HL7 reader (parse, ORU reading),
 * MLLP framing, the whole HL7 path against a real app, and the ingest path (schema and
 * IngestService.ingest). Run small in the normal suite and at 100,000+ cases by `npm run fuzz`.
 */

const NOW = Date.UTC(2026, 10, 22, 9, 0, 0);
const ts = (t: number) => new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14) + '+0000';
const EQUIPMENT = 'FUZZEQ0000000001';
const BED = 'ICU^7^1';
const PATIENT = 'PSEUDO-1';

/** What the cases exercised (so a run that only ever hit refusals would show it). */
export const stats = { hl7: { AA: 0, AE: 0, AR: 0 }, ingest: { accepted: 0, duplicates: 0, rejected: 0, conflicts: 0 } };

export interface FuzzRuns {
  hl7Read: number;
  mllp: number;
  hl7App: number;
  ingest: number;
}
export const FULL_RUNS: FuzzRuns = { hl7Read: 50_000, mllp: 10_000, hl7App: 15_000, ingest: 25_000 };
export const SMALL_RUNS: FuzzRuns = { hl7Read: 300, mllp: 100, hl7App: 100, ingest: 100 };

// ---- generators ----------------------------------------------------------------------------

const codes = ['150456^MDC_PULS_OXIM_SAT_O2^MDC', '147842^MDC_ECG_HEART_RATE^MDC', '8867-4^Heart rate^LN', '150021^MDC_PRESS_BLD_NONINV_SYS^MDC', '150022^MDC_PRESS_BLD_NONINV_DIA^MDC', '151562^MDC_RESP_RATE^MDC', '151708^MDC_AWAY_CO2_ET^MDC', '999999^MDC_UNKNOWN^MDC', ''];
const values = ['95', '97', '72', '-999', '32767', '400', '-5', '0', '300', '300.1', 'abc', '1e309', '', ' 88 ', '120', '210', '0x10', 'NaN', 'Infinity'];
const times = [ts(NOW), ts(NOW - 1000), ts(NOW - 60_000), ts(NOW + 3_600_000), ts(NOW - 7_200_000), '2026', '20261322090000', 'yesterday', '', '19700101000000'];
const junk = fc.string({ maxLength: 16 });
/** Mostly the listed values (the first most often), sometimes junk: near-valid input reaches deep. */
const pick = <T>(xs: readonly T[]) => fc.oneof({ arbitrary: fc.constant(xs[0]!), weight: 6 }, { arbitrary: fc.constantFrom(...xs), weight: 3 }, { arbitrary: junk as fc.Arbitrary<T | string>, weight: 1 });

const obx = fc
  .record({ type: pick(['NM', 'ST', '']), code: pick(codes), value: pick(values), status: pick(['R', 'F', 'C', 'X', '']), time: pick(times), equipment: pick([EQUIPMENT, '', 'OTHER']) })
  .map((o, i = 1) => `OBX|${i}|${o.type}|${o.code}||${o.value}||||||${o.status}|||${o.time}||||${o.equipment}^EUI-64`);

/** A near-valid ORU^R01 from the fuzz equipment, with random headers, identity, observations and damage. */
export const hl7Message = fc
  .record({
    type: pick(['ORU^R01^ORU_R01', 'ORU^R01', 'ADT^A01', '']),
    // Mostly new messages; sometimes a control id already used (a resend, or a reuse with other content).
    control: fc.oneof({ arbitrary: fc.uuid(), weight: 8 }, { arbitrary: fc.constantFrom('F-1', 'F-2', ''), weight: 2 }),
    pid: pick([PATIENT, 'PSEUDO-2', '']),
    bed: pick([BED, 'ICU^8^1', '']),
    obxs: fc.array(obx, { maxLength: 12 }),
    newline: fc.constantFrom('\r', '\n', '\r\n'),
    damage: fc.option(fc.record({ at: fc.nat(), text: fc.string({ maxLength: 8 }) }), { freq: 6 }),
  })
  .map((m) => {
    const text = [
      `MSH|^~\\&|${EQUIPMENT}^GW^EUI-64|ICU|IKM|HOSP|${ts(NOW)}||${m.type}|${m.control}|P|2.6`,
      m.pid ? `PID|||${m.pid}^^^HOSP^MR` : 'PID|',
      m.bed ? `PV1||I|${m.bed}` : 'PV1|',
      ...m.obxs,
    ].join(m.newline);
    if (!m.damage) return text;
    const at = m.damage.at % (text.length + 1);
    return text.slice(0, at) + m.damage.text + text.slice(at);
  });

const anyText = fc.oneof({ arbitrary: hl7Message, weight: 8 }, { arbitrary: fc.string({ maxLength: 200 }), weight: 1 }, { arbitrary: fc.string({ unit: 'binary', maxLength: 200 }), weight: 1 });

// ---- properties ----------------------------------------------------------------------------

/** Parsing either works or says why (Hl7ParseError); reading an ORU never throws and keeps values in range. */
export function hl7ReadProperty(numRuns: number, seed?: number): number {
  fc.assert(
    fc.property(anyText, (text) => {
      let msg: Hl7Message;
      try {
        msg = Hl7Message.parse(text);
      } catch (e) {
        if (!(e instanceof Hl7ParseError)) throw e;
        return;
      }
      if (!isOruR01(msg)) return;
      const r = readOru(msg, NOW);
      for (const f of r.frames) {
        if (!Number.isFinite(f.t)) throw new Error(`non-finite time ${f.t}`);
        for (const k of VITAL_FIELDS) {
          const v = f[k];
          if (v !== undefined && v !== null && (v < VITAL_META[k].min || v > VITAL_META[k].max)) throw new Error(`${k} ${v} out of range kept`);
        }
      }
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
  return numRuns;
}

/** MLLP decoding of arbitrary chunks never throws, and never hands out more than its limit. */
export function mllpProperty(numRuns: number, seed?: number): number {
  const chunk = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.string({ maxLength: 200 }).map((s) => new Uint8Array(Buffer.concat([Buffer.from([0x0b]), Buffer.from(s), Buffer.from([0x1c, 0x0d])]))),
    fc.constantFrom(new Uint8Array([0x0b]), new Uint8Array([0x1c]), new Uint8Array([0x0d]), new Uint8Array([0x1c, 0x0d])),
  );
  fc.assert(
    fc.property(fc.array(chunk, { maxLength: 20 }), (chunks) => {
      const d = new MllpDecoder(256);
      for (const c of chunks) for (const item of d.push(Buffer.from(c))) if (Buffer.byteLength(item.text) > 4096 * 4) throw new Error('item larger than the head limit');
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
  return numRuns;
}

/** A real app (temp SQLite file, manual clock) with a real and an HL7 device bound to one session. */
async function fuzzApp(): Promise<{ app: App; sessionId: string; otherId: string; device: { id: number; simulator: boolean }; rows(): number; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'infusion-fuzz-'));
  const clock = new ManualClock(NOW);
  const app = createApp({ config: testConfig({ DB_PATH: join(dir, 'fuzz.db'), LOG_LEVEL: 'silent', WRITE_FLUSH_MS: 1 }), clock, clientDist: null, autoTick: false });
  const who = { id: 'test:fuzz' };
  await app.ready;
  const sess = await app.sessions.create({ ...demoSession(), patientRef: PATIENT }, who);
  const other = await app.sessions.create(demoSession(), who);
  const device = app.devices.create({ name: 'fuzz monitor', hl7Id: EQUIPMENT }, who).device;
  app.assignments.assign(device.id, sess, BED, who, () => true);
  const db = new Database(join(dir, 'fuzz.db'), { readonly: true });
  const count = db.prepare('SELECT COUNT(*) n FROM vitals');
  return {
    app,
    sessionId: sess.id,
    otherId: other.id,
    device,
    rows: () => (count.get() as { n: number }).n,
    async close() {
      db.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The whole HL7 path always answers with a well-formed ACK; a refusal stores nothing. */
export async function hl7AppProperty(numRuns: number, seed?: number): Promise<number> {
  const f = await fuzzApp();
  try {
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const before = f.rows();
        const ack = await f.app.handleHl7(text);
        const msa = ack.split('\r').find((l) => l.startsWith('MSA|'));
        if (!ack.startsWith('MSH|') || !msa) throw new Error(`malformed ACK: ${ack.slice(0, 200)}`);
        const code = msa.split('|')[1];
        if (code !== 'AA' && code !== 'AE' && code !== 'AR') throw new Error(`MSA-1 ${code}`);
        stats.hl7[code]++;
        if (code === 'AR' && f.rows() !== before) throw new Error('AR but rows were stored');
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
  } finally {
    await f.close();
  }
  return numRuns;
}

/** Ingest never throws on a list, accounts for every frame, and stores exactly what it calls accepted. */
export async function ingestProperty(numRuns: number, seed?: number): Promise<number> {
  const f = await fuzzApp();
  const reader = new Database(f.app.db.name, { readonly: true });
  const stored = reader.prepare(`SELECT t, ${VITAL_FIELDS.join(', ')} FROM vitals WHERE session_id = ? AND device_id = ? AND seq = ?`);
  const value = (k: (typeof VITAL_FIELDS)[number]) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 }, { arbitrary: fc.constant(null), weight: 3 }, { arbitrary: fc.integer({ min: VITAL_META[k].min, max: VITAL_META[k].max }), weight: 20 }, { arbitrary: fc.double(), weight: 1 }, { arbitrary: fc.string({ maxLength: 3 }), weight: 1 });
  const frame = fc.record(
    {
      sessionId: fc.oneof({ arbitrary: fc.constant(f.sessionId), weight: 12 }, fc.constant(f.otherId), fc.constant('s_nobody'), fc.string({ maxLength: 8 })),
      seq: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 10_000_000 }), weight: 10 }, { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 3 }, fc.integer(), fc.double(), fc.string({ maxLength: 3 })),
      // Mostly a few fixed times, so a resent seq often carries the very same frame (a duplicate).
      t: fc.oneof({ arbitrary: fc.constantFrom(NOW - 2000, NOW - 1000, NOW), weight: 12 }, fc.integer({ min: NOW - 120_000, max: NOW + 10_000 }), fc.integer(), fc.constant(NOW + 3_600_000)),
      ...Object.fromEntries(VITAL_FIELDS.map((k) => [k, value(k)])),
    },
    { requiredKeys: ['sessionId', 'seq', 't'] },
  );
  const item = fc.oneof({ arbitrary: frame, weight: 8 }, { arbitrary: fc.anything(), weight: 1 }, { arbitrary: frame.map((x) => ({ ...x, extra: 1 })), weight: 1 });
  try {
    await fc.assert(
      // Some frames of a batch come again at its end: an identical resend in the same batch.
      fc.asyncProperty(fc.array(item, { maxLength: 30 }).chain((xs) => fc.subarray(xs).map((again) => [...xs, ...again])), async (batch) => {
        const clean = JSON.parse(JSON.stringify(batch)) as unknown[];
        const r: IngestResult = await f.app.ingest.ingest(clean, f.device);
        const answered = r.accepted.length + r.duplicates.length + r.rejected.length + r.conflicts.length;
        if (answered !== clean.length) throw new Error(`${clean.length} frames, ${answered} answered`);
        for (const k of ['accepted', 'duplicates', 'rejected', 'conflicts'] as const) stats.ingest[k] += r[k].length;
        for (const seq of r.accepted) {
          const row = stored.get(f.sessionId, f.device.id, seq) as Record<string, number | null> | undefined;
          if (!row) throw new Error(`accepted seq ${seq} is not stored`);
          const matches = clean.some((x) => {
            const p = vitalsFrameSchema.safeParse(x);
            return p.success && p.data.sessionId === f.sessionId && p.data.seq === seq && p.data.t === row.t && VITAL_FIELDS.every((k) => (p.data[k] ?? null) === row[k]);
          });
          if (!matches) throw new Error(`accepted seq ${seq} is stored with values no frame had`);
        }
      }),
      { numRuns, ...(seed === undefined ? {} : { seed }) },
    );
    // What is not a list is refused as a whole, with the field named.
    for (const junkInput of [null, 42, 'x', { frames: [] }]) {
      await f.app.ingest.ingest(junkInput, f.device).then(
        () => {
          throw new Error('a non-list was ingested');
        },
        (e: unknown) => {
          if ((e as { status?: number }).status !== 400) throw e;
        },
      );
    }
  } finally {
    reader.close();
    await f.close();
  }
  return numRuns;
}

export async function runAll(runs: FuzzRuns, seed?: number, log: (s: string) => void = () => {}): Promise<number> {
  let total = 0;
  const step = async (name: string, fn: () => number | Promise<number>) => {
    const t0 = performance.now();
    const n = await fn();
    total += n;
    log(`${name}: ${n.toLocaleString('en')} cases, 0 crashes (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  };
  await step('HL7 parse + ORU reading', () => hl7ReadProperty(runs.hl7Read, seed));
  await step('MLLP framing', () => mllpProperty(runs.mllp, seed));
  await step('handleHl7 against a real app', () => hl7AppProperty(runs.hl7App, seed));
  await step('ingest schema + IngestService.ingest', () => ingestProperty(runs.ingest, seed));
  return total;
}
