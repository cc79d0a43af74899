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
  /** Alarms raised per hour, day, week or month of the period, for the report's charts. */
  timeline: AlarmTimeline;
  /** How long alarms waited for a user's acknowledgement, in bins, for the report's charts. */
  ackTimes: AckTimeBin[];
}

/** Alarm counts per priority; in the charts' data, `real` and `simulated` sessions are kept apart. */
export type PriorityCounts = Record<AlarmPriority, number>;

export interface AlarmTimelineBucket {
  /** Start (inclusive) and end (exclusive) of the bucket, epoch ms; the first and last are cut to the period. */
  start: number;
  end: number;
  real: PriorityCounts;
  /** Alarms of simulated sessions (all zero unless the report includes them). */
  simulated: PriorityCounts;
}

export interface AlarmTimeline {
  /** Bucket size: hours up to 48 h, days up to 93 days, then weeks (from Monday), then months. */
  bucket: 'hour' | 'day' | 'week' | 'month';
  /** The IANA time zone whose hours, midnights and months bound the buckets (the query's `tz`, default UTC). */
  tz: string;
  buckets: AlarmTimelineBucket[];
}

/**
 * Alarms whose first acknowledgement by a user (or resolution by a user) came within
 * [fromS, toS) seconds of being raised; the last bin (`fromS` and `toS` null) counts the alarms no
 * user acknowledged (they resolved by themselves or are still open). Display bins, not limits.
 */
export interface AckTimeBin {
  label: string;
  fromS: number | null;
  toS: number | null;
  real: PriorityCounts;
  simulated: PriorityCounts;
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
  /** The part of alerts, overrides and refusals from simulated sessions (all zero unless the report includes them). */
  simulated: { alerts: number; overrides: number; refusals: number };
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
