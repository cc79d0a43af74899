export { drawBaseline, meanArterialPressure, type Baseline, type VitalSigns } from './baseline';
export { KETAMINE_EFFECT, TYPICAL_SENSITIVITY, ketamineEffect, occupancy, type KetamineSensitivity, type VitalDeltas } from './effects';
export { EXCURSION_FIELDS, applyExcursions, excursionWeight, type ExcursionField, type VitalExcursion } from './excursion';
export { OUTPUT_LIMITS, VitalsGenerator, toFrame, type MonitorValues, type PatientState, type VitalsGeneratorOptions } from './generator';
export { GasExchange, alveolarPo2, severinghausSaturation, type GasExchangeReading } from './respiration';
export { Monitor, type MonitorOptions, type MonitorReading } from './monitor';
