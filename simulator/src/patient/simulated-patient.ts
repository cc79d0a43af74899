import { CONTRAINDICATIONS, SIM_DRUGS, type InfusionEventInput, type InfusionStatus, type ObservationScale, type ScenarioEvent, type SimDrug } from '@infusion/shared';
import { assess } from '../pd/assessor';
import { dissociation, nauseaHazard, pain, type DrugLevels } from '../pd/effects';
import { PD } from '../pd/parameters';
import { Monitor, VitalsGenerator, type MonitorReading, type PatientState, type VitalSigns } from '../physiology';
import { DOMINO_1982, PkModel, type PkParameterSet } from '../pk';
import { RESCUE_PK } from '../pk/rescue-drugs';
import { createRng, deriveSeed, type Rng } from '../random';
import type { InfusionStep, Scenario } from '../scenarios/schema';
import { ARCHETYPE_PROFILES } from './archetypes';

export interface SimulatedPatientOptions {
  scenario: Scenario;
  weightKg: number;
  seed: number;
  pkParams?: PkParameterSet;
  /** See VitalsGeneratorOptions.noiseScale. */
  noiseScale?: number;
  /**
   * True (default): a scripted nurse plays the scenario's infusion plan (the demo and load runs).
   * False: only the trainee's actions (act()) change the infusion.
   */
  followPlan?: boolean;
}

/** A drug given in this step by the scenario's script, ready to be documented as a rescue dose. */
export interface GivenDrug {
  drug: SimDrug;
  doseMg: number;
  label: string;
  source: string;
}

export interface PatientSample {
  /** Infusion events whose scenario minute was reached in this step, in order, ready for the REST API. */
  infusionEvents: InfusionEventInput[];
  /** Drugs the script gave in this step. */
  drugsGiven: GivenDrug[];
  /** Prompts and reactions that started in this step (their labels, and a prompt's text). */
  announcements: string[];
  /** The patient's true vitals (before the monitor). */
  vitals: VitalSigns;
  /** What the monitor sends (NIBP cycles, artifacts; nothing while disconnected). */
  reading: MonitorReading;
  plasmaNgMl: number;
  effectNgMl: number;
  levels: DrugLevels;
  state: PatientState & { nausea: boolean; dissociation: number; pain: number };
}

/** A trainee's (or trainer's) action on the patient, at the patient's current minute. */
export type PatientAction = { type: 'infusion'; event: InfusionEventInput } | { type: 'drug'; drug: SimDrug; doseMg: number };

/** Bolus doses are sent in mg, rounded to 0.1 mg as a syringe would be read. */
const roundMg = (mg: number) => Math.round(mg * 10) / 10;
/** Rescue doses are drawn up to the 0.1 mg below, so a per-kg dose never ends above its source's range. */
const floorMg = (mg: number) => Math.floor(mg * 10 + 1e-9) / 10;

type Timed = { atMin: number; step: InfusionStep } | { atMin: number; event: ScenarioEvent };

/**
 * One simulated patient on the scenario clock: plays the infusion plan and the scripted events into
 * the PK models of ketamine and the rescue drugs at their exact minutes, takes the trainee's actions,
 * and turns effect-site concentrations into vitals, sedation, agitation, pain and nausea. Pure (no
 * I/O, no wall clock), so a run is reproducible from its seed.
 */
export class SimulatedPatient {
  readonly scenario: Scenario;
  readonly weightKg: number;
  readonly pk: PkModel;
  readonly vitals: VitalsGenerator;
  readonly monitor: Monitor;
  /** True when the pre-infusion assessment finds a blocking contraindication: the scripted nurse does not start. */
  readonly checklistFails: boolean;
  private readonly rescue = new Map<SimDrug, PkModel>();
  private readonly timeline: Timed[];
  private readonly followPlan: boolean;
  private readonly baselinePain: number;
  private readonly baseSusceptibility: { emergence: number; nausea: number };
  private readonly assessorRng: Rng;
  private readonly symptomRng: Rng;
  private next = 0;
  private status: InfusionStatus = 'not_started';
  private orderedRate = 0;
  private nauseated = false;
  private lastMin = 0;

  constructor(opts: SimulatedPatientOptions) {
    this.scenario = opts.scenario;
    this.weightKg = opts.weightKg;
    this.followPlan = opts.followPlan ?? true;
    const profile = ARCHETYPE_PROFILES[opts.scenario.archetype];
    this.pk = new PkModel(opts.weightKg, opts.pkParams ?? DOMINO_1982);
    const events = opts.scenario.events;
    this.vitals = new VitalsGenerator({
      seed: opts.seed,
      baseline: opts.scenario.physiology.baseline,
      baselineShift: profile.baselineShift,
      sensitivity: { ...profile.sensitivity, ...opts.scenario.physiology.sensitivity },
      susceptibility: profile.susceptibility,
      aaGradientMmHg: profile.aaGradientMmHg,
      o2TimeConstantMin: profile.o2TimeConstantMin,
      events: events.flatMap((e) => (e.kind === 'excursion' ? [e] : [])),
      noiseScale: opts.noiseScale,
    });
    this.baseSusceptibility = { emergence: this.vitals.susceptibility.emergence, nausea: this.vitals.susceptibility.nausea };
    this.monitor = new Monitor({
      seed: deriveSeed(opts.seed, 1),
      nibpIntervalMin: opts.scenario.monitor?.nibpIntervalMin,
      artifacts: events.flatMap((e) => (e.kind === 'artifact' ? [e] : [])),
    });
    this.assessorRng = createRng(deriveSeed(opts.seed, 2));
    this.symptomRng = createRng(deriveSeed(opts.seed, 3));
    this.baselinePain = profile.baselinePain;
    const findings = opts.scenario.checklist?.findings ?? [];
    this.checklistFails = findings.some((id) => CONTRAINDICATIONS.find((c) => c.id === id)?.blocking);
    const plan: Timed[] = this.followPlan && !this.checklistFails ? opts.scenario.infusion.map((step) => ({ atMin: step.atMin, step })) : [];
    const scripted: Timed[] = events
      .filter((e) => e.kind !== 'excursion' && e.kind !== 'artifact' && !(e.kind === 'drug' && e.plan && !this.followPlan))
      .map((event) => ({ atMin: event.atMin, event }));
    // Stable sort: at the same minute the plan goes first, then the script, each in its written order.
    this.timeline = [...plan, ...scripted].sort((a, b) => a.atMin - b.atMin);
  }

  get timeMin(): number {
    return this.pk.timeMin;
  }

  get infusionStatus(): InfusionStatus {
    return this.status;
  }

  /** Advance to scenario minute `min` (never backwards) and produce one sample. */
  advanceTo(min: number): PatientSample {
    const infusionEvents: InfusionEventInput[] = [];
    const drugsGiven: GivenDrug[] = [];
    const announcements: string[] = [];
    for (let item = this.timeline[this.next]; item && item.atMin <= min; item = this.timeline[this.next]) {
      this.advanceDrugs(item.atMin);
      if ('step' in item) infusionEvents.push(this.applyStep(item.step));
      else this.applyScripted(item.event, drugsGiven, announcements);
      this.next++;
    }
    this.advanceDrugs(min);
    const levels = this.levels();
    this.updateNausea(levels, Math.max(0, min - this.lastMin));
    this.lastMin = Math.max(this.lastMin, min);
    const vitals = this.vitals.next(this.pk.timeMin, levels);
    const reading = this.monitor.read(this.pk.timeMin, vitals);
    return {
      infusionEvents,
      drugsGiven,
      announcements,
      vitals,
      reading,
      plasmaNgMl: this.pk.plasmaNgMl,
      effectNgMl: levels.ketamine,
      levels,
      state: this.state(levels),
    };
  }

  /** Applies a trainee's (or trainer's) action at the patient's current minute. */
  act(action: PatientAction): void {
    if (action.type === 'drug') return this.giveDrug(action.drug, action.doseMg);
    const ev = action.event;
    switch (ev.type) {
      case 'start':
      case 'rate_change':
        if (ev.type === 'start') this.status = 'running';
        this.orderedRate = ev.rateMgKgH;
        if (this.status === 'running') this.pk.setRate(ev.rateMgKgH);
        return;
      case 'bolus':
        this.pk.bolus(ev.doseMg);
        return;
      case 'pause':
      case 'stop':
        this.status = ev.type === 'pause' ? 'paused' : 'stopped';
        this.pk.setRate(0);
        return;
      case 'resume':
        this.status = 'running';
        this.pk.setRate(this.orderedRate);
        return;
    }
  }

  /**
   * The virtual assessor's score on `scale` now (sedation scales or pain), with assessor noise. `rng`:
   * another source of that noise (a score asked for from outside leaves the scripted ones unchanged).
   */
  assess(scale: ObservationScale, rng: Rng = this.assessorRng): number {
    const l = this.levels();
    return assess(rng, scale, { ...this.vitals.state(l), pain: pain(l, this.baselinePain) });
  }

  /** Effect-site concentrations (ng/mL) of every drug now. */
  levels(): DrugLevels {
    const l = { ketamine: this.pk.effectNgMl } as DrugLevels;
    for (const d of SIM_DRUGS) l[d] = this.rescue.get(d)?.effectNgMl ?? 0;
    return l;
  }

  private state(l: DrugLevels): PatientSample['state'] {
    return { ...this.vitals.state(l), nausea: this.nauseated, dissociation: dissociation(l), pain: pain(l, this.baselinePain) };
  }

  private advanceDrugs(min: number): void {
    this.pk.advance(Math.max(0, min - this.pk.timeMin));
    for (const m of this.rescue.values()) m.advance(Math.max(0, min - m.timeMin));
  }

  private giveDrug(drug: SimDrug, doseMg: number): void {
    let m = this.rescue.get(drug);
    if (!m) {
      m = new PkModel(this.weightKg, RESCUE_PK[drug]);
      m.advance(this.pk.timeMin);
      this.rescue.set(drug, m);
    }
    m.bolus(doseMg);
  }

  private updateNausea(l: DrugLevels, dtMin: number): void {
    if (dtMin <= 0) return;
    const u = this.symptomRng.next();
    if (this.nauseated) {
      // Resolves on its own, sooner with ondansetron on board.
      const resolve = PD.nausea.resolvePerMin.value * (1 + l.ondansetron / PD.nausea.ondansetronHalving.value);
      if (u < 1 - Math.exp(-resolve * dtMin)) this.nauseated = false;
    } else if (u < 1 - Math.exp(-nauseaHazard(l, this.vitals.susceptibility) * dtMin)) {
      this.nauseated = true;
    }
  }

  private applyScripted(ev: ScenarioEvent, drugsGiven: GivenDrug[], announcements: string[]): void {
    switch (ev.kind) {
      case 'drug': {
        const doseMg = floorMg(ev.doseMgKg * this.weightKg);
        this.giveDrug(ev.drug, doseMg);
        drugsGiven.push({ drug: ev.drug, doseMg, label: ev.label, source: ev.doseSource });
        return;
      }
      case 'reaction':
        if (ev.reaction === 'emergence') this.vitals.susceptibility.emergence = this.baseSusceptibility.emergence * ev.susceptibility;
        else this.vitals.susceptibility.nausea = this.baseSusceptibility.nausea * ev.susceptibility;
        announcements.push(ev.label);
        return;
      case 'prompt':
        announcements.push(`${ev.label}: ${ev.text}`);
        return;
      default:
        return;
    }
  }

  private applyStep(step: InfusionStep): InfusionEventInput {
    const note = step.note === undefined ? {} : { note: step.note };
    let event: InfusionEventInput;
    switch (step.type) {
      case 'start':
      case 'rate_change':
        event = { type: step.type, rateMgKgH: step.rateMgKgH, ...note };
        break;
      case 'bolus':
        event = { type: 'bolus', doseMg: roundMg(step.doseMgKg * this.weightKg), ...note };
        break;
      default:
        event = { type: step.type, ...note };
    }
    this.act({ type: 'infusion', event });
    return event;
  }
}
