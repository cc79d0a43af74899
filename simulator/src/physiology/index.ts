export { drawBaseline, meanArterialPressure, type Baseline, type VitalSigns } from './baseline';
export { KETAMINE_EFFECT, TYPICAL_SENSITIVITY, ketamineEffect, occupancy, type KetamineSensitivity, type VitalDeltas } from './effects';
export { EXCURSION_FIELDS, applyExcursions, excursionWeight, type ExcursionField, type VitalExcursion } from './excursion';
export { OUTPUT_LIMITS, VitalsGenerator, toFrame, type VitalsGeneratorOptions } from './generator';
