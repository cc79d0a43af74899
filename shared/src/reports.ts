import type { AlarmPriority } from './alarms';

/** Alarm statistics per unit and period (GET /api/reports/alarms). */
export interface RuleStats {
  ruleId: string;
  priority: AlarmPriority;
  title: string;
  count: number;
  perSessionHour: number;
  acknowledged: number;
  medianAckS: number | null;
  p90AckS: number | null;
}

export interface AlarmReport {
  unit: string;
  from: number;
  to: number;
  includeSimulated: boolean;
  sessions: number;
  sessionHours: number;
  alarms: number;
  alarmsPerSessionHour: number;
  byPriority: Record<AlarmPriority, { count: number; perSessionHour: number; medianAckS: number | null; p90AckS: number | null }>;
  byRule: RuleStats[];
  /** The rules that raise the most alarms per session-hour: where a site tunes its limits first. */
  noisiestRules: RuleStats[];
  escalations: { level1: number; level2: number; acknowledged: number };
}


/** One limit's figures in the guardrail compliance report (GET /api/reports/guardrails). */
export interface GuardrailLimitStats {
  /** Rule id, order limit or rescue limit ("dose.rate.max", "order.rate.max", "rescue.midazolam.dose"). */
  limitId: string;
  label: string;
  level: 'soft' | 'hard';
  /** Soft limit shown and not (yet) confirmed. */
  alerts: number;
  /** Soft limit confirmed with a reason: the dose was given. */
  overrides: number;
  /** Hard limit: the dose was refused and not stored. */
  refusals: number;
}

export interface GuardrailOverride {
  at: number;
  by: string;
  action: string;
  limitId: string;
  value: number;
  limit: number;
  unit: string;
  reason: string;
}

/** Dose-error-reduction compliance per unit and period: what a pharmacy reviews in a pump's drug-library analytics. */
export interface GuardrailReport {
  unit: string;
  from: number;
  to: number;
  includeSimulated: boolean;
  softAlerts: number;
  overrides: number;
  hardRefusals: number;
  byLimit: GuardrailLimitStats[];
  /** Every override with its reason, newest first (no patient identities: session ids only in the audit log). */
  overrideReasons: GuardrailOverride[];
}
