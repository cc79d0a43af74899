import { PD } from '../pd/parameters';

/**
 * Ventilation and gas exchange on one state: a fall in alveolar ventilation lowers the respiratory
 * rate at once, raises PaCO2 (and EtCO2) over the CO2 stores' time constant, lowers alveolar and
 * arterial PO2 through the alveolar gas equation, and the oximeter follows arterial saturation over
 * the oxygen stores' time constant. So RR, EtCO2 and SpO2 move together, SpO2 last.
 */

const WATER_VAPOUR_MMHG = 47;

/** Oxygen saturation (%) from PO2 (mmHg): Severinghaus, J Appl Physiol 1979;46:599-602. */
export function severinghausSaturation(po2MmHg: number): number {
  const p = Math.max(0.1, po2MmHg);
  return 100 / ((23400 / (p ** 3 + 150 * p)) + 1);
}

/** Alveolar PO2 (mmHg) from PaCO2 on the configured FiO2. */
export function alveolarPo2(paco2MmHg: number): number {
  const g = PD.gas;
  return g.fio2.value * (g.barometricMmHg.value - WATER_VAPOUR_MMHG) - paco2MmHg / g.respiratoryQuotient.value;
}

export interface GasExchangeOptions {
  /** Resting RR (/min) and EtCO2 (mmHg). */
  rr: number;
  etco2: number;
  /** Alveolar-arterial PO2 difference, mmHg (larger in the elderly and the obese). */
  aaGradientMmHg: number;
  /** Oxygen stores' time constant, min (shorter with a small FRC, as in obesity). */
  o2TimeConstantMin?: number;
  /** Resting SpO2 to show at rest (%); the model's own value is shifted to match it. */
  spo2?: number;
}

export interface GasExchangeReading {
  rr: number;
  etco2: number;
  paco2: number;
  /** Arterial saturation now, and what the oximeter shows (lagging). */
  sao2: number;
  spo2: number;
}

export class GasExchange {
  private paco2: number;
  private spo2Shown: number;
  private readonly restPaco2: number;
  private readonly etco2Gap: number;
  private readonly spo2Offset: number;
  private readonly o2Tau: number;

  constructor(private readonly o: GasExchangeOptions) {
    this.restPaco2 = PD.gas.paco2Baseline.value;
    this.etco2Gap = this.restPaco2 - o.etco2;
    const restSat = this.saturation(this.restPaco2);
    this.spo2Offset = o.spo2 === undefined ? 0 : o.spo2 - restSat;
    this.o2Tau = o.o2TimeConstantMin ?? PD.gas.o2TimeConstantMin.value;
    this.paco2 = this.restPaco2;
    this.spo2Shown = Math.min(100, restSat + this.spo2Offset);
  }

  private saturation(paco2: number): number {
    return severinghausSaturation(alveolarPo2(paco2) - this.o.aaGradientMmHg);
  }

  /** Advances the CO2 and O2 stores by dtMin at a fractional ventilatory depression `depression` (0-1). */
  step(dtMin: number, depression: number): GasExchangeReading {
    const va = Math.max(0.05, 1 - depression);
    const targetPaco2 = Math.min(120, this.restPaco2 / va);
    if (dtMin > 0) {
      this.paco2 += (targetPaco2 - this.paco2) * (1 - Math.exp(-dtMin / PD.gas.co2TimeConstantMin.value));
    }
    const sao2 = Math.min(100, this.saturation(this.paco2) + this.spo2Offset);
    if (dtMin > 0) this.spo2Shown += (sao2 - this.spo2Shown) * (1 - Math.exp(-dtMin / this.o2Tau));
    return this.reading(depression, sao2);
  }

  /** The current state without advancing it. */
  peek(depression: number): GasExchangeReading {
    return this.reading(depression, Math.min(100, this.saturation(this.paco2) + this.spo2Offset));
  }

  private reading(depression: number, sao2: number): GasExchangeReading {
    const rr = this.o.rr * Math.max(0.05, 1 - depression) ** PD.respiration.rateShare.value;
    return { rr, etco2: this.paco2 - this.etco2Gap, paco2: this.paco2, sao2, spo2: this.spo2Shown };
  }
}
