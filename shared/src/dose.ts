import { DEFAULT_DOSING_WEIGHT, dosingWeight, type DosingWeight, type DosingWeightPatient, type DosingWeightRule } from './dosingWeight';
import type { InfusionEvent, InfusionEventType, InfusionState, InfusionStatus } from './sessions';

/**
 * The dosing weight of a patient under a rule set's choice (actual body weight when the set makes
 * none). Every dose total below takes this weight: mg = mg/kg x dosing kg, mg/kg = mg / dosing kg.
 */
export const sessionDosingWeight = (p: DosingWeightPatient, rule: DosingWeightRule | undefined): DosingWeight => dosingWeight((rule ?? DEFAULT_DOSING_WEIGHT).basis, p);

type DoseEvent = Pick<InfusionEvent, 'type' | 't' | 'rateMgKgH' | 'doseMg'>;

/** Which infusion events are allowed from which state; anything else is refused with a reason. */
const ALLOWED: Record<InfusionEventType, InfusionStatus[]> = {
  start: ['not_started', 'stopped'],
  rate_change: ['running', 'paused'],
  bolus: ['not_started', 'running', 'paused', 'stopped'],
  pause: ['running'],
  resume: ['paused'],
  stop: ['running', 'paused'],
};

export function transitionError(status: InfusionStatus, type: InfusionEventType): string | null {
  return ALLOWED[type].includes(status) ? null : `cannot ${type.replace('_', ' ')} an infusion that is ${status.replace('_', ' ')}`;
}

export const initialInfusion = (): InfusionState => ({
  status: 'not_started',
  rateMgKgH: 0,
  cumulativeMg: 0,
  cumulativeMgPerKg: 0,
  asOf: 0,
});

/** Advance the running dose to time t (mg = mg/kg/h x dosing kg x h). Pure: used by server, client and replay. */
export function doseAt(state: InfusionState, weightKg: number, t: number): InfusionState {
  if (t <= state.asOf) return state;
  const hours = state.status === 'running' ? (t - state.asOf) / 3_600_000 : 0;
  const mg = state.cumulativeMg + state.rateMgKgH * weightKg * hours;
  return { ...state, cumulativeMg: mg, cumulativeMgPerKg: mg / weightKg, asOf: t };
}

export function applyInfusionEvent(state: InfusionState, weightKg: number, ev: DoseEvent): InfusionState {
  const s = doseAt(state, weightKg, ev.t);
  switch (ev.type) {
    case 'start':
      return { ...s, status: 'running', rateMgKgH: ev.rateMgKgH ?? 0 };
    case 'rate_change':
      return { ...s, rateMgKgH: ev.rateMgKgH ?? s.rateMgKgH };
    case 'bolus': {
      const mg = s.cumulativeMg + (ev.doseMg ?? 0);
      return { ...s, cumulativeMg: mg, cumulativeMgPerKg: mg / weightKg };
    }
    case 'pause':
      return { ...s, status: 'paused' };
    case 'resume':
      return { ...s, status: 'running' };
    case 'stop':
      return { ...s, status: 'stopped', rateMgKgH: 0 };
  }
}

export function replayInfusion(weightKg: number, events: DoseEvent[]): InfusionState {
  return events.reduce((s, e) => applyInfusionEvent(s, weightKg, e), initialInfusion());
}
