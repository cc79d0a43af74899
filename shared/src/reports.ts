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

