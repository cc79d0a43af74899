import type { Scenario } from './schema';

/**
 * An exaggerated pressor responder (the Yale series saw severe hypertension in about 1% of
 * sessions) titrated to 2 mg/kg/h in a monitored unit: SBP climbs with each rate step, passes
 * 180 mmHg at 2 mg/kg/h and falls back once the rate is lowered.
 */
export const hypertensive: Scenario = {
  name: 'hypertensive',
  title: 'Hypertension at higher rates',
  description: 'Monitored-unit titration 1 -> 1.5 -> 2 mg/kg/h in a patient with an exaggerated pressor response; SBP > 180 at 2 mg/kg/h; rate lowered to 1 mg/kg/h at 50 min.',
  setting: 'monitored_unit',
  indication: 'Refractory chronic pain, inpatient titration',
  patient: { weightKg: [68, 100], ageYears: [45, 70] },
  infusion: [
    { atMin: 0, type: 'start', rateMgKgH: 1 },
    { atMin: 15, type: 'rate_change', rateMgKgH: 1.5, note: 'Titrated for pain' },
    { atMin: 30, type: 'rate_change', rateMgKgH: 2, note: 'Titrated for pain' },
    { atMin: 50, type: 'rate_change', rateMgKgH: 1, note: 'Rate lowered for hypertension' },
    { atMin: 120, type: 'stop', note: 'Planned end of infusion' },
  ],
  physiology: { baseline: { sbp: 140, dbp: 86, hr: 80 }, sensitivity: { bp: 1.8, hr: 1.2 } },
  events: [],
};
