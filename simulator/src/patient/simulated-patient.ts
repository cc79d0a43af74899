import type { InfusionEventInput, InfusionStatus } from '@infusion/shared';
import { VitalsGenerator, type VitalSigns } from '../physiology';
import { DOMINO_1982, PkModel, type PkParameterSet } from '../pk';
import type { InfusionStep, Scenario } from '../scenarios';

export interface SimulatedPatientOptions {
  scenario: Scenario;
  weightKg: number;
  seed: number;
  pkParams?: PkParameterSet;
  /** See VitalsGeneratorOptions.noiseScale. */
  noiseScale?: number;
}

export interface PatientSample {
  /** Infusion events whose scenario minute was reached in this step, in order, ready for the REST API. */
  infusionEvents: InfusionEventInput[];
  vitals: VitalSigns;
  plasmaNgMl: number;
  effectNgMl: number;
}

/** Bolus doses are sent in mg, rounded to 0.1 mg as a syringe would be read. */
const roundMg = (mg: number) => Math.round(mg * 10) / 10;

/**
 * One simulated patient on the scenario clock: plays the infusion plan into the PK model at the
 * exact scenario minutes and turns the effect-site concentration into vital signs. Pure (no I/O,
 * no wall clock), so a run is reproducible from its seed.
 */
export class SimulatedPatient {
  readonly scenario: Scenario;
  readonly weightKg: number;
  readonly pk: PkModel;
  readonly vitals: VitalsGenerator;
  private nextStep = 0;
  private status: InfusionStatus = 'not_started';

  constructor(opts: SimulatedPatientOptions) {
    this.scenario = opts.scenario;
    this.weightKg = opts.weightKg;
    this.pk = new PkModel(opts.weightKg, opts.pkParams ?? DOMINO_1982);
    this.vitals = new VitalsGenerator({
      seed: opts.seed,
      baseline: opts.scenario.physiology.baseline,
      sensitivity: opts.scenario.physiology.sensitivity,
      events: opts.scenario.events,
      noiseScale: opts.noiseScale,
    });
  }

  get timeMin(): number {
    return this.pk.timeMin;
  }

  get infusionStatus(): InfusionStatus {
    return this.status;
  }

  /** Advance to scenario minute `min` (never backwards) and produce one sample of vitals. */
  advanceTo(min: number): PatientSample {
    const infusionEvents: InfusionEventInput[] = [];
    for (let step = this.scenario.infusion[this.nextStep]; step && step.atMin <= min; step = this.scenario.infusion[this.nextStep]) {
      this.pk.advance(Math.max(0, step.atMin - this.pk.timeMin));
      infusionEvents.push(this.apply(step));
      this.nextStep++;
    }
    this.pk.advance(Math.max(0, min - this.pk.timeMin));
    const ce = this.pk.effectNgMl;
    return { infusionEvents, vitals: this.vitals.next(this.pk.timeMin, ce), plasmaNgMl: this.pk.plasmaNgMl, effectNgMl: ce };
  }

  private apply(step: InfusionStep): InfusionEventInput {
    const note = step.note === undefined ? {} : { note: step.note };
    switch (step.type) {
      case 'start':
      case 'rate_change':
        if (step.type === 'start') this.status = 'running';
        // A rate ordered while paused takes effect on resume.
        if (this.status === 'running') this.pk.setRate(step.rateMgKgH);
        return { type: step.type, rateMgKgH: step.rateMgKgH, ...note };
      case 'bolus': {
        const doseMg = roundMg(step.doseMgKg * this.weightKg);
        this.pk.bolus(doseMg);
        return { type: 'bolus', doseMg, ...note };
      }
      case 'pause':
      case 'stop':
        this.status = step.type === 'pause' ? 'paused' : 'stopped';
        this.pk.setRate(0);
        return { type: step.type, ...note };
      case 'resume': {
        this.status = 'running';
        const rate = this.orderedRate();
        this.pk.setRate(rate);
        return { type: 'resume', ...note };
      }
    }
  }

  /** The last ordered rate before a resume (a pause keeps the order). */
  private orderedRate(): number {
    for (let i = this.nextStep - 1; i >= 0; i--) {
      const s = this.scenario.infusion[i];
      if (s && (s.type === 'start' || s.type === 'rate_change')) return s.rateMgKgH;
    }
    return 0;
  }
}
