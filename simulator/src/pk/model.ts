import { expm, type Matrix } from './matrix';
import { DOMINO_1982, type PkParameterSet } from './parameters';

/** State order: three compartments, cumulative eliminated amount (mg), effect-site concentration (mg/L). */
const A1 = 0;
const A2 = 1;
const A3 = 2;
const ELIM = 3;
const CE = 4;
const N = 5;

/** mg/L to ng/mL. */
const NG_ML_PER_MG_L = 1000;

export interface PkAmounts {
  centralMg: number;
  peripheralFastMg: number;
  peripheralSlowMg: number;
  eliminatedMg: number;
}

/** Transition over one step: x(t+dt) = phi x(t) + gamma * infusion (mg/min), exact for a constant rate. */
interface Step {
  phi: Matrix;
  gamma: number[];
}

/**
 * Three-compartment mammillary model with an effect site, solved exactly for piecewise-constant
 * infusion rates (matrix exponential of the augmented system), so the step size never affects
 * accuracy and accelerated simulation is as exact as real time.
 */
export class PkModel {
  readonly params: PkParameterSet;
  readonly weightKg: number;
  readonly v1L: number;
  private x = new Array<number>(N).fill(0);
  private rate = 0;
  private time = 0;
  private dosed = 0;
  private readonly a: Matrix;
  private readonly steps = new Map<number, Step>();

  constructor(weightKg: number, params: PkParameterSet = DOMINO_1982) {
    if (!(weightKg > 0) || !Number.isFinite(weightKg)) throw new RangeError(`weight must be a positive number of kg (got ${weightKg})`);
    this.params = params;
    this.weightKg = weightKg;
    this.v1L = params.v1LFixed ?? params.v1LPerKg * weightKg;
    this.a = systemMatrix(params, this.v1L);
  }

  get timeMin(): number {
    return this.time;
  }

  get rateMgKgH(): number {
    return this.rate;
  }

  /** Total drug given so far (infusion and boluses), mg. */
  get dosedMg(): number {
    return this.dosed;
  }

  get plasmaNgMl(): number {
    return (this.x[A1]! / this.v1L) * NG_ML_PER_MG_L;
  }

  get effectNgMl(): number {
    return this.x[CE]! * NG_ML_PER_MG_L;
  }

  amounts(): PkAmounts {
    return { centralMg: this.x[A1]!, peripheralFastMg: this.x[A2]!, peripheralSlowMg: this.x[A3]!, eliminatedMg: this.x[ELIM]! };
  }

  setRate(rateMgKgH: number): void {
    if (!(rateMgKgH >= 0) || !Number.isFinite(rateMgKgH)) throw new RangeError(`infusion rate must be >= 0 mg/kg/h (got ${rateMgKgH})`);
    this.rate = rateMgKgH;
  }

  /** An IV bolus lands in the central compartment at once. */
  bolus(doseMg: number): void {
    if (!(doseMg > 0) || !Number.isFinite(doseMg)) throw new RangeError(`bolus must be a positive number of mg (got ${doseMg})`);
    this.x[A1]! += doseMg;
    this.dosed += doseMg;
  }

  /** Advance by `minutes` at the current rate. */
  advance(minutes: number): void {
    if (!(minutes >= 0) || !Number.isFinite(minutes)) throw new RangeError(`cannot advance by ${minutes} min`);
    if (minutes === 0) return;
    const { phi, gamma } = this.step(minutes);
    const mgPerMin = (this.rate * this.weightKg) / 60;
    const prev = this.x;
    this.x = phi.map((row, i) => row.reduce((s, v, j) => s + v * prev[j]!, 0) + gamma[i]! * mgPerMin);
    this.dosed += mgPerMin * minutes;
    this.time += minutes;
  }

  private step(dt: number): Step {
    const cached = this.steps.get(dt);
    if (cached) return cached;
    // Augmented matrix [[A, b], [0, 0]]: its exponential holds phi = e^(A dt) and gamma = ∫ e^(A s) b ds.
    const aug: Matrix = Array.from({ length: N + 1 }, (_, i) =>
      Array.from({ length: N + 1 }, (_, j) => (i < N && j < N ? this.a[i]![j]! * dt : i === A1 && j === N ? dt : 0)),
    );
    const e = expm(aug);
    const step: Step = { phi: e.slice(0, N).map((row) => row.slice(0, N)), gamma: e.slice(0, N).map((row) => row[N]!) };
    // Real-time runs use a handful of distinct step sizes; bound the cache anyway.
    if (this.steps.size >= 64) this.steps.clear();
    this.steps.set(dt, step);
    return step;
  }
}

function systemMatrix(p: PkParameterSet, v1L: number): Matrix {
  const m: Matrix = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  m[A1]![A1] = -(p.k10 + p.k12 + p.k13);
  m[A1]![A2] = p.k21;
  m[A1]![A3] = p.k31;
  m[A2]![A1] = p.k12;
  m[A2]![A2] = -p.k21;
  m[A3]![A1] = p.k13;
  m[A3]![A3] = -p.k31;
  m[ELIM]![A1] = p.k10;
  m[CE]![A1] = p.ke0 / v1L;
  m[CE]![CE] = -p.ke0;
  return m;
}

/**
 * Disposition rate constants (the three eigenvalues of the compartment matrix, per minute,
 * positive, fastest first). They are real because a mammillary model is similar to a symmetric matrix.
 */
export function dispositionRates(p: PkParameterSet): [number, number, number] {
  // Characteristic polynomial of the positive rates: s^3 - b s^2 + c s - d = 0.
  const b = p.k10 + p.k12 + p.k13 + p.k21 + p.k31;
  const c = p.k10 * p.k21 + p.k10 * p.k31 + p.k12 * p.k31 + p.k13 * p.k21 + p.k21 * p.k31;
  const d = p.k10 * p.k21 * p.k31;
  // Trigonometric solution for three real roots.
  const shift = b / 3;
  const pp = c - (b * b) / 3;
  const qq = (-2 * b ** 3) / 27 + (b * c) / 3 - d;
  const r = 2 * Math.sqrt(-pp / 3);
  const phi = Math.acos(Math.max(-1, Math.min(1, (3 * qq) / (pp * r))));
  const roots = [0, 1, 2].map((k) => shift + r * Math.cos((phi - 2 * Math.PI * k) / 3));
  roots.sort((x, y) => y - x);
  return [roots[0]!, roots[1]!, roots[2]!];
}

/** Terminal (elimination) half-life in minutes: ln 2 over the slowest disposition rate. */
export function terminalHalfLifeMin(p: PkParameterSet): number {
  return Math.LN2 / dispositionRates(p)[2];
}
