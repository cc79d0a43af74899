import type { Scenario } from './schema';

/**
 * Hypoventilation with desaturation shortly after a rate increase: SpO2 falls to about 85% for
 * 2.5 scenario minutes, then recovers after the rate is lowered. Shows the SpO2 alarm.
 * At speed X the hold lasts 150/X real seconds: keep X <= 10 for the hold to outlast a 10 s alarm delay.
 */
export const desaturation: Scenario = {
  name: 'desaturation',
  title: 'Desaturation after a rate increase',
  description: 'Rate raised to 0.75 mg/kg/h at 8 min; hypoventilation from 12 min with SpO2 near 85% for 2.5 min; rate lowered at 16 min, recovery.',
  setting: 'clinic',
  indication: 'Complex regional pain syndrome',
  patient: { weightKg: [55, 85], ageYears: [35, 68] },
  infusion: [
    { atMin: 0, type: 'start', rateMgKgH: 0.5 },
    { atMin: 8, type: 'rate_change', rateMgKgH: 0.75, note: 'Titrated for pain' },
    { atMin: 16, type: 'rate_change', rateMgKgH: 0.5, note: 'Rate lowered after desaturation' },
    { atMin: 120, type: 'stop', note: 'Planned end of infusion' },
  ],
  physiology: { baseline: { spo2: 97 } },
  events: [
    {
      kind: 'excursion',
      label: 'Hypoventilation with desaturation',
      atMin: 12,
      onsetMin: 1,
      holdMin: 2.5,
      recoverMin: 2,
      to: { spo2: 85, rr: 8, etco2: 50 },
      delta: { hr: 8 },
    },
  ],
};
