import { VITAL_BY_HL7_CODE, VITAL_META, type VitalField } from '@infusion/shared';
import type { Hl7Message } from './message';
import { parseHl7Time } from './message';

/** Vendor sentinels for "no valid reading": never a measurement. */
const SENTINELS = new Set([-999, -9999, 32767, 65535, 8388607]);

export interface OruObservations {
  /** Equipment id: OBX-18 if sent, else MSH-3 (sending application). */
  equipmentId: string;
  /** MSH-10: a resend of the same message from the same equipment carries the same id. */
  controlId: string;
  /** PID-3 (first identifier), compared with the bound session's patientRef; '' when absent. */
  patientId: string;
  /** PV1-3 point of care, room and bed ("ICU^7^1"), compared with the bed a gateway is bound for; '' when absent. */
  bed: string;
  /** One entry per observation time, all values of that time together. */
  frames: ({ t: number } & Partial<Record<VitalField, number | null>>)[];
  /** OBX segments not used, with why (unknown code, not numeric, bad time). */
  skipped: { obx: number; reason: string }[];
}

export function isOruR01(msg: Hl7Message): boolean {
  const msh = msg.segment('MSH');
  return msh?.get(9, 1) === 'ORU' && msh.get(9, 2) === 'R01';
}

export function readOru(msg: Hl7Message, fallbackTime: number): OruObservations {
  const msh = msg.segment('MSH')!;
  const obxs = msg.all('OBX');
  const equipmentId = obxs.map((o) => o.get(18, 1)).find((x) => x) || msh.get(3, 1);
  const pv1 = msg.segment('PV1');
  const bed = pv1 ? [1, 2, 3].map((c) => pv1.get(3, c).trim()).join('^').replace(/\^+$/, '') : '';
  const messageTime = parseHl7Time(msh.get(7)) ?? fallbackTime;
  const byTime = new Map<number, { t: number } & Partial<Record<VitalField, number | null>>>();
  /** Which OBX gave each value, to name it when a pair is refused. */
  const obxOf = new Map<number, Partial<Record<VitalField, number>>>();
  const skipped: OruObservations['skipped'] = [];
  obxs.forEach((o, i) => {
    const n = i + 1;
    // OBX-3 identifier (or its text) → field, from the vital-sign table (clinical-reference.md section 5).
    const field = VITAL_BY_HL7_CODE.get(o.get(3, 1)) ?? VITAL_BY_HL7_CODE.get(o.get(3, 2));
    if (!field) return skipped.push({ obx: n, reason: `unknown observation ${o.get(3, 1)}^${o.get(3, 2)}` });
    if (o.get(2) && o.get(2) !== 'NM') return skipped.push({ obx: n, reason: `OBX-2 ${o.get(2)} is not NM` });
    const status = o.get(11);
    if (status && !['R', 'F', 'C'].includes(status)) return skipped.push({ obx: n, reason: `OBX-11 status ${status}` });
    const raw = o.get(5).trim();
    const num = raw === '' ? null : Number(raw);
    if (num !== null && !Number.isFinite(num)) return skipped.push({ obx: n, reason: `OBX-5 "${raw.slice(0, 20)}" is not a number` });
    const t = o.get(14) ? parseHl7Time(o.get(14)) : messageTime;
    if (t === null) return skipped.push({ obx: n, reason: `OBX-14 "${o.get(14)}" is not an HL7 time` });
    const value = num === null || SENTINELS.has(num) ? null : num;
    // Each observation is judged alone, so one bad value never costs the message its good ones.
    const meta = VITAL_META[field];
    if (value !== null && value < meta.min) return skipped.push({ obx: n, reason: `${field} ${value} below the physiological range (min ${meta.min} ${meta.unit})` });
    if (value !== null && value > meta.max) return skipped.push({ obx: n, reason: `${field} ${value} above the physiological range (max ${meta.max} ${meta.unit})` });
    let f = byTime.get(t);
    if (!f) byTime.set(t, (f = { t }));
    const from = obxOf.get(t) ?? {};
    obxOf.set(t, from);
    if (f[field] !== undefined) return skipped.push({ obx: n, reason: `second ${field} for the same time (OBX ${from[field]} kept)` });
    f[field] = value;
    from[field] = n;
  });
  for (const f of byTime.values()) {
    if (typeof f.sbp === 'number' && typeof f.dbp === 'number' && f.dbp > f.sbp) {
      const from = obxOf.get(f.t) ?? {};
      skipped.push({ obx: from.dbp ?? 0, reason: `diastolic ${f.dbp} exceeds systolic ${f.sbp} (OBX ${from.sbp}): both refused` });
      delete f.sbp;
      delete f.dbp;
    }
  }
  const frames = [...byTime.values()].filter((f) => Object.keys(f).length > 1).sort((a, b) => a.t - b.t);
  skipped.sort((a, b) => a.obx - b.obx);
  return { equipmentId, controlId: msh.get(10).trim(), patientId: msg.segment('PID')?.get(3, 1).trim() ?? '', bed, frames, skipped };
}
