import { VITAL_META, type ArtifactType } from '@infusion/shared';
import { createRng, type Rng } from '../random';
import type { VitalSigns } from './baseline';
import type { MonitorValues } from './generator';

export interface MonitorArtifact {
  atMin: number;
  durationMin: number;
  artifact: ArtifactType;
}

export interface MonitorOptions {
  seed: number;
  /** NIBP cycle in minutes; undefined = a pressure in every frame (as an arterial line gives). */
  nibpIntervalMin?: number;
  artifacts?: readonly MonitorArtifact[];
}

export interface MonitorReading {
  /** False while the monitor is disconnected: no frame goes out. */
  connected: boolean;
  values: MonitorValues;
}


const clampTo = (f: keyof typeof VITAL_META, x: number) => Math.round(Math.min(VITAL_META[f].max, Math.max(VITAL_META[f].min, x)));

/**
 * The bedside monitor between the patient and the wire: NIBP as cycled cuff readings, motion
 * artifact on SpO2 and heart rate, a pulse-oximeter probe off (SpO2 "no valid value"), and a
 * disconnected monitor that sends nothing. Seeded, so the same run gives the same artifacts.
 */
export class Monitor {
  private readonly rng: Rng;
  /** The first cuff reading is the baseline taken as the monitor starts; then one per cycle. */
  private nextNibpMin = 0;

  constructor(private readonly o: MonitorOptions) {
    this.rng = createRng(o.seed);
  }

  private active(min: number, type: ArtifactType): boolean {
    return (this.o.artifacts ?? []).some((a) => a.artifact === type && min >= a.atMin && min < a.atMin + a.durationMin);
  }

  /** What the monitor sends at scenario minute `min` for the patient's true vitals. */
  read(min: number, v: VitalSigns): MonitorReading {
    const connected = !this.active(min, 'disconnect');
    const values: MonitorValues = { hr: v.hr, spo2: v.spo2, etco2: v.etco2, rr: v.rr };
    if (this.o.nibpIntervalMin === undefined) {
      Object.assign(values, { sbp: v.sbp, dbp: v.dbp, map: v.map });
    } else if (min >= this.nextNibpMin) {
      // One reading per cycle, with the pressures of the moment it completes; a missed cycle (coarse
      // steps, or a disconnected monitor) is not made up.
      Object.assign(values, { sbp: v.sbp, dbp: v.dbp, map: v.map });
      const cycle = this.o.nibpIntervalMin;
      this.nextNibpMin = (Math.floor(min / cycle) + 1) * cycle;
    }
    if (this.active(min, 'motion')) {
      // Motion: the oximeter reads low and jumpy, the ECG counts movement as beats.
      values.spo2 = clampTo('spo2', v.spo2 - this.rng.uniform(0, 20));
      values.hr = clampTo('hr', v.hr + this.rng.normal(0, 25));
    }
    if (this.active(min, 'probe_off')) values.spo2 = null;
    return { connected, values };
  }
}
