import { transitionError, type CareSetting, type InfusionStatus } from '@infusion/shared';
import type { Scenario } from './schema';

/**
 * Dose limits from ASRA/AAPM/ASA 2018 (clinical-reference.md section 1) that every simulated
 * scenario keeps to, so the demo never shows a dose the guideline would not allow:
 * - bolus strictly below 0.35 mg/kg (Q6: >= 0.35 mg/kg "may result in serious adverse sequelae");
 * - infusion 0.5-2 mg/kg/h outside the ICU (Table 6 dosing range (2)), up to 7 mg/kg/h only in the ICU (Q3);
 * - above 1 mg/kg/h only in a monitored setting (Table 6, personnel and monitoring (3)).
 */
export const GUIDELINE_LIMITS = {
  bolusMaxMgKgExclusive: 0.35,
  rateMinMgKgH: 0.5,
  rateMaxMgKgH: { clinic: 1, monitored_unit: 2, icu: 7 } satisfies Record<CareSetting, number>,
} as const;

/** Every way the scenario's plan breaks the guideline limits or the infusion state machine; empty when fine. */
export function scenarioProblems(s: Scenario): string[] {
  const problems: string[] = [];
  let status: InfusionStatus = 'not_started';
  let lastMin = 0;
  const maxRate = GUIDELINE_LIMITS.rateMaxMgKgH[s.setting];
  for (const step of s.infusion) {
    const at = `${s.name} at ${step.atMin} min`;
    if (step.atMin < lastMin) problems.push(`${at}: steps must be in time order`);
    lastMin = step.atMin;
    const transition = transitionError(status, step.type);
    if (transition) problems.push(`${at}: ${transition}`);
    if (step.type === 'start' || step.type === 'rate_change') {
      if (step.rateMgKgH < GUIDELINE_LIMITS.rateMinMgKgH) problems.push(`${at}: ${step.rateMgKgH} mg/kg/h is below ${GUIDELINE_LIMITS.rateMinMgKgH}`);
      if (step.rateMgKgH > maxRate) problems.push(`${at}: ${step.rateMgKgH} mg/kg/h exceeds ${maxRate} mg/kg/h allowed in ${s.setting}`);
    }
    if (step.type === 'bolus' && step.doseMgKg >= GUIDELINE_LIMITS.bolusMaxMgKgExclusive) {
      problems.push(`${at}: bolus ${step.doseMgKg} mg/kg is not below ${GUIDELINE_LIMITS.bolusMaxMgKgExclusive} mg/kg`);
    }
    status = nextStatus(status, step.type);
  }
  return problems;
}

function nextStatus(status: InfusionStatus, type: Scenario['infusion'][number]['type']): InfusionStatus {
  switch (type) {
    case 'start':
    case 'resume':
      return 'running';
    case 'pause':
      return 'paused';
    case 'stop':
      return 'stopped';
    default:
      return status;
  }
}

/** A first chronic-pain course: a single outpatient infusion of at least 80 mg over more than 2 h (ASRA/AAPM/ASA 2018, Q3). */
export const FIRST_COURSE_MINIMUM = { doseMg: 80, durationMinExclusive: 120 } as const;

/** Ketamine the plan gives a patient of `weightKg` (infusion and boluses, mg) and how long it infuses (min). */
export function planDose(s: Scenario, weightKg: number): { doseMg: number; infusingMin: number } {
  let doseMg = 0;
  let infusingMin = 0;
  let rate = 0;
  let running = false;
  let last = 0;
  for (const step of s.infusion) {
    if (running) {
      doseMg += (rate * weightKg * (step.atMin - last)) / 60;
      infusingMin += step.atMin - last;
    }
    last = step.atMin;
    if (step.type === 'start' || step.type === 'rate_change') rate = step.rateMgKgH;
    if (step.type === 'bolus') doseMg += step.doseMgKg * weightKg;
    if (step.type === 'start' || step.type === 'resume') running = true;
    if (step.type === 'pause' || step.type === 'stop') running = false;
  }
  return { doseMg, infusingMin };
}
