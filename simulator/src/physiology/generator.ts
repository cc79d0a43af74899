import type { VitalField, VitalsFrame } from '@infusion/shared';
import { NO_DRUGS, TYPICAL_SUSCEPTIBILITY, agitation, agitationHaemodynamics, rescueHaemodynamics, sedationDepth, ventilatoryDepression, type DrugLevels, type PdSusceptibility } from '../pd/effects';
import { PD } from '../pd/parameters';
import { createRng, type Rng } from '../random';
import { drawBaseline, meanArterialPressure, type Baseline, type VitalSigns } from './baseline';
import { TYPICAL_SENSITIVITY, ketamineEffect, type KetamineSensitivity } from './effects';
import { applyExcursions, type ExcursionField, type VitalExcursion } from './excursion';
import { GasExchange, type GasExchangeReading } from './respiration';

export interface VitalsGeneratorOptions {
  /** Same seed, same patient and same noise: runs are reproducible. */
  seed: number;
  /** Fixed resting values; anything missing is drawn from the seed. */
  baseline?: Partial<Baseline>;
  /** Added to the drawn resting values before the overrides (an archetype's shift). */
  baselineShift?: Partial<Baseline>;
  sensitivity?: Partial<KetamineSensitivity>;
  susceptibility?: Partial<PdSusceptibility>;
  /** Alveolar-arterial PO2 difference (mmHg) and oxygen stores' time constant (min). */
  aaGradientMmHg?: number;
  o2TimeConstantMin?: number;
  events?: readonly VitalExcursion[];
  /** Multiplies every noise amplitude; 0 gives the noise-free trajectory. */
  noiseScale?: number;
}

/** The patient's state behind the vitals: what the virtual assessor and the trainer see. */
export interface PatientState {
  /** Sedation depth 0-1 and agitation in RASS points above 0. */
  sedation: number;
  agitation: number;
  /** Fractional depression of alveolar ventilation. */
  ventilatoryDepression: number;
  gas: GasExchangeReading;
}

/**
 * Output limits: physiologically survivable values well inside VITAL_META, so the server never
 * refuses a simulated frame whatever a scenario asks for.
 */
export const OUTPUT_LIMITS: Record<ExcursionField, [number, number]> = {
  hr: [30, 220],
  sbp: [60, 260],
  dbp: [30, 160],
  spo2: [50, 100],
  etco2: [5, 90],
  rr: [4, 50],
};
/** Pulse pressure never collapses below this, so DBP < SBP in every frame. */
const MIN_PULSE_PRESSURE = 15;

/**
 * Per frame: a slow drift (first-order autoregressive, about one minute of memory at one frame a
 * second) plus beat-to-beat jitter, both in the vital's units.
 */
const NOISE: Record<ExcursionField, { drift: number; jitter: number }> = {
  hr: { drift: 2.5, jitter: 1 },
  sbp: { drift: 3, jitter: 2 },
  dbp: { drift: 2, jitter: 1.5 },
  spo2: { drift: 0.5, jitter: 0.4 },
  etco2: { drift: 1, jitter: 0.5 },
  rr: { drift: 0.8, jitter: 0.5 },
};
const DRIFT_MEMORY = Math.exp(-1 / 60);

const clamp = (x: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, x));

/**
 * Vital signs of one simulated patient, driven by the effect-site concentrations of ketamine and the
 * rescue drugs: haemodynamics from ketamine's Emax model plus the rescue drugs and agitation;
 * ventilation, EtCO2 and SpO2 from one gas-exchange state (physiology/respiration.ts), so a fall in
 * ventilation shows in RR at once, in EtCO2 over minutes and in SpO2 last.
 */
export class VitalsGenerator {
  readonly baseline: Baseline;
  readonly sensitivity: KetamineSensitivity;
  /** Mutable: a scripted reaction raises the patient's susceptibility from its minute on. */
  readonly susceptibility: PdSusceptibility;
  private readonly events: readonly VitalExcursion[];
  private readonly rng: Rng;
  private readonly noiseScale: number;
  private readonly drift: Record<ExcursionField, number> = { hr: 0, sbp: 0, dbp: 0, spo2: 0, etco2: 0, rr: 0 };
  private readonly gas: GasExchange;
  private lastMin: number | null = null;

  constructor(opts: VitalsGeneratorOptions) {
    this.rng = createRng(opts.seed);
    const drawn = drawBaseline(this.rng, {});
    const shift = opts.baselineShift ?? {};
    const o = opts.baseline ?? {};
    const sbp = o.sbp ?? drawn.sbp + (shift.sbp ?? 0);
    this.baseline = {
      hr: o.hr ?? drawn.hr + (shift.hr ?? 0),
      sbp,
      dbp: o.dbp ?? Math.min(sbp - 25, drawn.dbp + (shift.dbp ?? 0)),
      spo2: o.spo2 ?? Math.min(100, drawn.spo2 + (shift.spo2 ?? 0)),
      etco2: o.etco2 ?? drawn.etco2 + (shift.etco2 ?? 0),
      rr: o.rr ?? drawn.rr + (shift.rr ?? 0),
    };
    this.sensitivity = { ...TYPICAL_SENSITIVITY, ...opts.sensitivity };
    this.susceptibility = { ...TYPICAL_SUSCEPTIBILITY, ...opts.susceptibility };
    this.events = opts.events ?? [];
    this.noiseScale = opts.noiseScale ?? 1;
    this.gas = new GasExchange({
      rr: this.baseline.rr,
      etco2: this.baseline.etco2,
      spo2: this.baseline.spo2,
      aaGradientMmHg: opts.aaGradientMmHg ?? 8,
      ...(opts.o2TimeConstantMin === undefined ? {} : { o2TimeConstantMin: opts.o2TimeConstantMin }),
    });
  }

  /** The pharmacodynamic state at these concentrations (does not advance anything). */
  state(levels: number | DrugLevels): PatientState {
    const l = asLevels(levels);
    const depression = ventilatoryDepression(l, this.susceptibility);
    return { sedation: sedationDepth(l, this.susceptibility), agitation: agitation(l, this.susceptibility), ventilatoryDepression: depression, gas: this.gas.peek(depression) };
  }

  /**
   * Noise-free values at scenario minute `min` for these effect-site concentrations (a number is the
   * ketamine concentration alone). Reads the gas-exchange state as it is; next() advances it.
   */
  expected(min: number, levels: number | DrugLevels): Record<ExcursionField, number> {
    const l = asLevels(levels);
    const st = this.state(l);
    return this.compose(min, l, st.gas, st.agitation);
  }

  /** One frame's worth of vitals: advances the gas exchange to `min` and the noise by one sample. */
  next(min: number, levels: number | DrugLevels): VitalSigns {
    const l = asLevels(levels);
    const dt = this.lastMin === null ? 0 : Math.max(0, min - this.lastMin);
    this.lastMin = min;
    const depression = ventilatoryDepression(l, this.susceptibility);
    const gas = this.gas.step(dt, depression);
    const e = this.compose(min, l, gas, agitation(l, this.susceptibility));
    const v = {} as Record<ExcursionField, number>;
    for (const f of Object.keys(e) as ExcursionField[]) {
      const n = NOISE[f];
      this.drift[f] = DRIFT_MEMORY * this.drift[f] + Math.sqrt(1 - DRIFT_MEMORY ** 2) * this.rng.normal(0, n.drift);
      v[f] = e[f] + this.noiseScale * (this.drift[f] + this.rng.normal(0, n.jitter));
    }
    const sbp = Math.round(clamp(v.sbp, OUTPUT_LIMITS.sbp));
    const dbp = Math.round(clamp(Math.min(v.dbp, sbp - MIN_PULSE_PRESSURE), OUTPUT_LIMITS.dbp));
    return {
      hr: Math.round(clamp(v.hr, OUTPUT_LIMITS.hr)),
      sbp,
      dbp,
      map: Math.round(meanArterialPressure(sbp, dbp)),
      spo2: Math.round(clamp(v.spo2, OUTPUT_LIMITS.spo2)),
      etco2: Math.round(clamp(v.etco2, OUTPUT_LIMITS.etco2)),
      rr: Math.round(clamp(v.rr, OUTPUT_LIMITS.rr)),
    };
  }

  /** Baseline plus the drug effects, then the scripted excursions. */
  private compose(min: number, l: DrugLevels, gas: GasExchangeReading, agitationPts: number): Record<ExcursionField, number> {
    const b = this.baseline;
    const k = ketamineEffect(l.ketamine, this.sensitivity);
    const r = rescueHaemodynamics(l);
    const a = agitationHaemodynamics(agitationPts);
    const co2 = PD.hypercapniaHr.value * Math.max(0, gas.paco2 - PD.gas.paco2Baseline.value);
    const raw = {
      hr: b.hr + k.hr + r.hr + a.hr + co2,
      sbp: b.sbp + k.sbp + r.sbp + a.sbp,
      dbp: b.dbp + k.dbp + r.dbp + a.dbp,
      spo2: gas.spo2,
      etco2: gas.etco2 + k.etco2,
      rr: gas.rr + k.rr,
    };
    const out = { ...raw };
    for (const f of Object.keys(raw) as ExcursionField[]) out[f] = applyExcursions(this.events, f, raw[f], min);
    return out;
  }
}

const asLevels = (levels: number | DrugLevels): DrugLevels => (typeof levels === 'number' ? { ...NO_DRUGS, ketamine: levels } : levels);

/** What a monitor sends: a value, null for "no valid value" (probe off), or nothing (no new reading). */
export type MonitorValues = Partial<Record<VitalField, number | null>>;

export function toFrame(sessionId: string, seq: number, t: number, v: VitalSigns | MonitorValues): VitalsFrame {
  return { sessionId, seq, t, ...v };
}
