import type { Scenario } from './schema';

/**
 * A patient with a strong chronotropic response: a small bolus pushes the heart rate past 150/min
 * for a minute or two and keeps it above 120/min at 1 mg/kg/h; the infusion is paused at 30 min
 * and stopped at 40 min, and the heart rate settles.
 */
export const tachycardia: Scenario = {
  name: 'tachycardia',
  title: 'Tachycardia after a bolus',
  description: '0.75 mg/kg/h, a 0.25 mg/kg bolus at 8 min and 1 mg/kg/h from 10 min in a patient with over three times the usual heart-rate response; paused at 30 min and stopped at 40 min.',
  setting: 'clinic',
  indication: 'Chronic post-surgical pain',
  patient: { weightKg: [55, 90], ageYears: [25, 60] },
  infusion: [
    { atMin: 0, type: 'start', rateMgKgH: 0.75 },
    { atMin: 8, type: 'bolus', doseMgKg: 0.25, note: 'Physician-ordered bolus for breakthrough pain' },
    { atMin: 10, type: 'rate_change', rateMgKgH: 1, note: 'Titrated for pain' },
    { atMin: 30, type: 'pause', note: 'Paused for tachycardia' },
    { atMin: 40, type: 'stop', note: 'Stopped: persistent tachycardia' },
  ],
  physiology: { baseline: { hr: 95 }, sensitivity: { hr: 3.3 } },
  events: [],
};
