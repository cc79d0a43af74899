import type { VitalsFrame } from '@infusion/shared';
import { createRng, type Rng } from '../random';
import { drawBaseline, meanArterialPressure, type Baseline, type VitalSigns } from './baseline';
import { TYPICAL_SENSITIVITY, ketamineEffect, type KetamineSensitivity } from './effects';
import { applyExcursions, type ExcursionField, type VitalExcursion } from './excursion';

export interface VitalsGeneratorOptions {
  /** Same seed, same patient and same noise: runs are reproducible. */
  seed: number;
  /** Fixed resting values; anything missing is drawn from the seed. */
  baseline?: Partial<Baseline>;
  sensitivity?: Partial<KetamineSensitivity>;
  events?: readonly VitalExcursion[];
  /** Multiplies every noise amplitude; 0 gives the noise-free trajectory. */
  noiseScale?: number;
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

/** Vital signs of one simulated patient, driven by the ketamine effect-site concentration. */
export class VitalsGenerator {
  readonly baseline: Baseline;
  readonly sensitivity: KetamineSensitivity;
  private readonly events: readonly VitalExcursion[];
  private readonly rng: Rng;
  private readonly noiseScale: number;
  private readonly drift: Record<ExcursionField, number> = { hr: 0, sbp: 0, dbp: 0, spo2: 0, etco2: 0, rr: 0 };

  constructor(opts: VitalsGeneratorOptions) {
    this.rng = createRng(opts.seed);
    this.baseline = drawBaseline(this.rng, opts.baseline);
    this.sensitivity = { ...TYPICAL_SENSITIVITY, ...opts.sensitivity };
    this.events = opts.events ?? [];
    this.noiseScale = opts.noiseScale ?? 1;
  }

  /** Noise-free values at scenario minute `min` for effect-site concentration `ceNgMl`. */
  expected(min: number, ceNgMl: number): Record<ExcursionField, number> {
    const b = this.baseline;
    const d = ketamineEffect(ceNgMl, this.sensitivity);
    const raw = { hr: b.hr + d.hr, sbp: b.sbp + d.sbp, dbp: b.dbp + d.dbp, spo2: b.spo2, etco2: b.etco2 + d.etco2, rr: b.rr + d.rr };
    const out = { ...raw };
    for (const f of Object.keys(raw) as ExcursionField[]) out[f] = applyExcursions(this.events, f, raw[f], min);
    return out;
  }

  /** One frame's worth of vitals: advances the noise by one sample. */
  next(min: number, ceNgMl: number): VitalSigns {
    const e = this.expected(min, ceNgMl);
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
}

export function toFrame(sessionId: string, seq: number, t: number, v: VitalSigns): VitalsFrame {
  return { sessionId, seq, t, ...v };
}
