import { VITAL_META } from '../../vitals';
import { fmt, fmtDuration } from '../format';
import type { ImplausibleJumpRule, NoDataRule, SensorOffRule, SignalAbsentRule } from '../schema';
import { BAND, BREACH, CLEAR, type Assessment, type EvalInput, type KindResult } from '../state';

/** Technical alarms: sensor off, implausible jump (artifact), no data. Distinct from clinical ones. */

// ---------------------------------------------------------------- sensor off

/**
 * d = bit i set while rule.fields[i]'s latest report is null, or (with absentMs) while frames have
 * kept coming without it for longer than absentMs after its last reading. x = [bits]
 */
export function assessSensorOff(rule: SensorOffRule, prevD: unknown, inp: EvalInput): KindResult {
  let off = typeof prevD === 'number' ? prevD : 0;
  const s = inp.raw;
  if (s) {
    rule.fields.forEach((f, i) => {
      const v = s[f];
      if (v === null) off |= 1 << i;
      else if (v !== undefined) off &= ~(1 << i);
      else if (rule.absentMs !== undefined) {
        const last = inp.before.raw[f];
        if (last && inp.now - last[0] > rule.absentMs) off |= 1 << i;
      }
    });
  }
  return { a: { lvl: off ? BREACH : CLEAR, v: null, lim: null, x: [off] }, d: off };
}

export function describeSensorOff(rule: SensorOffRule, a: Assessment): Record<string, string> {
  const bits = a.x?.[0] ?? 0;
  const labels = rule.fields.filter((_f, i) => bits & (1 << i)).map((f) => VITAL_META[f].label);
  return { labels: labels.join(', ') };
}

// ---------------------------------------------------------------- signal absent

/**
 * Frames keep coming but none carries a valid reading of any of the fields (absent or null): the
 * signal is missing, e.g. no respiratory signal for apnea detection. d = event time of the last valid
 * reading (or of the first frame). Judged on frames only: a silent monitor is the no-data alarm's.
 * v = seconds without a reading, lim = absentMs in s.
 */
export function assessSignalAbsent(rule: SignalAbsentRule, prevD: unknown, inp: EvalInput): KindResult {
  const s = inp.raw;
  if (!s) return { a: null, d: prevD };
  const valid = rule.fields.some((f) => typeof s[f] === 'number');
  const since = valid || typeof prevD !== 'number' ? inp.now : prevD;
  const gap = inp.now - since;
  const lvl = valid ? CLEAR : gap >= rule.absentMs ? BREACH : BAND;
  return { a: { lvl, v: Math.floor(gap / 1000), lim: rule.absentMs / 1000, x: null }, d: since };
}

export function describeSignalAbsent(rule: SignalAbsentRule, a: Assessment): Record<string, string> {
  return { labels: rule.fields.map((f) => VITAL_META[f].label).join(', '), value: fmt(a.v ?? 0), limit: fmt(a.lim ?? 0) };
}

// ---------------------------------------------------------------- implausible jump

/**
 * A reading that differs from the previous one by more than maxDelta within withinMs is an artifact:
 * a technical alarm, and the clinical rules do not see that reading. v = jump, lim = maxDelta,
 * x = [previous, reading, ms between them].
 */
export function assessImplausibleJump(rule: ImplausibleJumpRule, inp: EvalInput): Assessment | null {
  const v = inp.raw?.[rule.field];
  if (typeof v !== 'number') return null;
  const prev = inp.before.raw[rule.field];
  const dt = prev ? inp.now - prev[0] : Infinity;
  if (!prev || dt > rule.withinMs) return { lvl: CLEAR, v: null, lim: rule.maxDelta, x: null };
  const jump = Math.abs(v - prev[1]);
  return { lvl: jump > rule.maxDelta ? BREACH : CLEAR, v: jump, lim: rule.maxDelta, x: [prev[1], v, dt] };
}

export function describeImplausibleJump(rule: ImplausibleJumpRule, a: Assessment): Record<string, string> {
  const [from, to, dt] = a.x ?? [];
  return {
    label: VITAL_META[rule.field].label,
    from: fmt(from ?? 0),
    value: fmt(to ?? 0),
    change: fmt(a.v ?? 0),
    dt: fmtDuration(Math.max(1000, dt ?? 0)),
    limit: fmt(rule.maxDelta),
  };
}

// ---------------------------------------------------------------- no data

/**
 * v = seconds since the last frame, lim = timeout in s. Before any frame: since the infusion started
 * (a monitor that never sends is an alarm while the drug runs), nothing before the start.
 */
export function assessNoData(rule: NoDataRule, inp: EvalInput): Assessment | null {
  const ref = inp.after.lastVitalsAt ?? inp.after.dataDueFrom;
  if (ref === null) return null;
  const gap = Math.max(0, inp.now - ref);
  const lvl = gap >= rule.timeoutMs ? BREACH : gap <= rule.presentWithinMs ? CLEAR : BAND;
  return { lvl, v: Math.floor(gap / 1000), lim: rule.timeoutMs / 1000, x: null };
}

export function describeNoData(_rule: NoDataRule, a: Assessment): Record<string, string> {
  return { value: fmt(a.v ?? 0), limit: fmt(a.lim ?? 0) };
}
