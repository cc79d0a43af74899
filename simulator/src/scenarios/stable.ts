import type { Scenario } from './schema';

/** The reference course: an uneventful outpatient infusion at the bottom of the guideline range. */
export const stable: Scenario = {
  name: 'stable',
  title: 'Stable outpatient infusion',
  description: '0.5 mg/kg/h for 150 min in a healthy adult; the expected modest rise in heart rate and blood pressure, no alarm.',
  setting: 'clinic',
  indication: 'Chronic neuropathic pain',
  patient: { weightKg: [58, 92], ageYears: [28, 64] },
  infusion: [
    { atMin: 0, type: 'start', rateMgKgH: 0.5 },
    { atMin: 150, type: 'stop', note: 'Planned end of infusion' },
  ],
  physiology: {},
  events: [],
};
