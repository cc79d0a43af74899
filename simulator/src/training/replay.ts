import type { TrainingAction, TrainingRunEvent } from '@infusion/shared';
import type { PatientAction } from '../patient';
import type { Scenario } from '../scenarios';

/** A run's timeline as the patient model takes it: the scenario with its injected events, and the actions by scenario second. */
export interface ReplayPlan {
  scenario: Scenario;
  /** Applied before the sample of scenario second `atS` (the first whole second at or after the action). */
  actions: { atS: number; action: PatientAction }[];
}

/** Same timeline, same plan: what makes a re-simulation after a restart give the same patient. */
export function replayPlan(scenario: Scenario, events: readonly TrainingRunEvent[]): ReplayPlan {
  const injected = events.flatMap((e) => (e.kind === 'inject' ? [e.event] : []));
  const actions = events
    .flatMap((e) => (e.kind === 'action' ? [{ atS: Math.ceil(e.scenarioMs / 1000), id: e.id, action: toPatientAction(e.action) }] : []))
    .sort((a, b) => a.atS - b.atS || a.id - b.id)
    .map(({ atS, action }) => ({ atS, action }));
  return { scenario: { ...scenario, events: [...scenario.events, ...injected] }, actions };
}

function toPatientAction(a: TrainingAction): PatientAction {
  if (a.type === 'drug') return a;
  const e = a.event;
  switch (e.type) {
    case 'start':
    case 'rate_change':
      return { type: 'infusion', event: { type: e.type, rateMgKgH: e.rateMgKgH ?? 0 } };
    case 'bolus':
      return { type: 'infusion', event: { type: 'bolus', doseMg: e.doseMg ?? 0 } };
    default:
      return { type: 'infusion', event: { type: e.type } };
  }
}
