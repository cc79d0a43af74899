import { describe, expect, it } from 'vitest';
import { VITAL_FIELDS, VITAL_META } from '@infusion/shared';
import { Hl7Message, parseHl7Time } from './message';
import { frameMllp, MllpDecoder } from './mllp';
import { readOru } from './oru';

describe('MLLP decoder', () => {
  it('reassembles frames split across chunks and several frames in one chunk, dropping bytes outside frames', () => {
    const d = new MllpDecoder();
    const both = Buffer.concat([Buffer.from('junk'), frameMllp('A|1'), frameMllp('B|2')]);
    expect(d.push(both.subarray(0, 7))).toEqual([]);
    expect(d.push(both.subarray(7))).toEqual([
      { text: 'A|1', oversized: false },
      { text: 'B|2', oversized: false },
    ]);
  });
  it('drops an oversized frame instead of buffering it for ever, keeps its head to answer it, then recovers', () => {
    const d = new MllpDecoder(10);
    expect(d.push(Buffer.concat([Buffer.from([0x0b]), Buffer.from('MSH|x'), Buffer.alloc(50, 65)]))).toEqual([{ text: 'MSH|x' + 'A'.repeat(50), oversized: true }]);
    // The rest of the dropped frame is skipped up to its end; the next frame comes through.
    expect(d.push(Buffer.concat([Buffer.alloc(30, 65), Buffer.from([0x1c, 0x0d]), frameMllp('ok')]))).toEqual([{ text: 'ok', oversized: false }]);
  });
  it('answers a complete frame over the limit as oversized, in order with the others', () => {
    const d = new MllpDecoder(10);
    expect(d.push(Buffer.concat([frameMllp('a'), frameMllp('B'.repeat(20)), frameMllp('c')])).map((i) => i.oversized)).toEqual([false, true, false]);
  });
});

describe('HL7 reading', () => {
  it('takes delimiters from MSH-1/2 and unescapes components', () => {
    const m = Hl7Message.parse('MSH#@~\\&#APP@X#FAC\rOBX#1#NM#150456@MDC\\S\\SAT#');
    expect(m.segment('MSH')!.get(3, 1)).toBe('APP');
    expect(m.segment('OBX')!.get(3, 2)).toBe('MDC@SAT');
  });
  it.each([
    ['20261122093015', Date.UTC(2026, 10, 22, 9, 30, 15)],
    ['20261122093015.250+0100', Date.UTC(2026, 10, 22, 8, 30, 15, 250)],
    ['202611220930', Date.UTC(2026, 10, 22, 9, 30)],
    ['2026-11-22', null],
    ['20261322090000', null],
    ['20261122250000', null],
  ])('parses time %s', (s, t) => {
    expect(parseHl7Time(s)).toBe(t);
  });
  it('groups OBX by observation time, maps MDC and LOINC codes, and takes OBX-18 as the equipment id', () => {
    const m = Hl7Message.parse(
      [
        'MSH|^~\\&|GW|F|||20261122090000||ORU^R01|1|P|2.6',
        'OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||95||||||R|||20261122090000||||EQ1',
        'OBX|2|NM|8867-4^Heart rate^LN||72||||||R|||20261122090000',
        'OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||32767||||||R|||20261122090001',
        'OBX|4|ST|150456^MDC_PULS_OXIM_SAT_O2^MDC||n/a||||||R|||20261122090001',
      ].join('\r'),
    );
    const r = readOru(m, 0);
    expect(r.equipmentId).toBe('EQ1');
    const t = Date.UTC(2026, 10, 22, 9, 0, 0);
    expect(r.frames).toEqual([
      { t, spo2: 95, hr: 72 },
      { t: t + 1000, spo2: null },
    ]);
    expect(r.skipped).toEqual([{ obx: 4, reason: 'OBX-2 ST is not NM' }]);
  });

  it.each(VITAL_FIELDS.flatMap((f) => VITAL_META[f].hl7Codes.map((c) => [c, f] as const)))('maps OBX-3 %s to %s (from the vital-sign table)', (code, field) => {
    const m = Hl7Message.parse(['MSH|^~\\&|GW|F|||20261122090000||ORU^R01|1|P|2.6', `OBX|1|NM|${code}^x^MDC||42||||||R|||20261122090000||||EQ1`].join('\r'));
    expect(readOru(m, 0).frames).toEqual([{ t: Date.UTC(2026, 10, 22, 9, 0, 0), [field]: 42 }]);
  });

  it('takes an OBX-3 code named like an object property ("valueOf", "constructor") as unknown, keeping the other values', () => {
    const m = Hl7Message.parse(
      ['MSH|^~\\&|GW|F|||20261122090000||ORU^R01|1|P|2.6', 'OBX|1|NM|valueOf||95||||||R|||20261122090000||||EQ1', 'OBX|2|NM|x^constructor||5||||||R|||20261122090000', 'OBX|3|NM|8867-4^Heart rate^LN||72||||||R|||20261122090000'].join('\r'),
    );
    const r = readOru(m, 0);
    expect(r.frames).toEqual([{ t: Date.UTC(2026, 10, 22, 9, 0, 0), hr: 72 }]);
    expect(r.skipped.map((x) => x.obx)).toEqual([1, 2]);
  });
});
