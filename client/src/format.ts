import type { CareSetting, InfusionEventType, InfusionStatus, RuleProfile } from '@infusion/shared';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time as HH:MM:SS (24 h), the same on every locale. */
export function formatClock(t: number | null | undefined): string {
  if (t == null || !Number.isFinite(t)) return '--:--:--';
  const d = new Date(t);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/**
 * Labels of a time axis: HH:MM while ticks are a minute or more apart; HH:MM:SS when they are closer, where
 * HH:MM alone would print the same minute twice ("06:47 06:47 06:48") on a zoomed or short chart.
 */
export function timeTickLabels(ticks: readonly number[], stepMs: number): string[] {
  const seconds = stepMs < 60_000 || ticks.some((t) => new Date(t).getSeconds() !== 0);
  return ticks.map((t) => (seconds ? formatClock(t) : formatClock(t).slice(0, 5)));
}

/** Local date and time as YYYY-MM-DD HH:MM:SS, for lists that span days (users, devices, audit log). */
export function formatDateTime(t: number | null | undefined): string {
  if (t == null || !Number.isFinite(t)) return '—';
  const d = new Date(t);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatClock(t)}`;
}

/** A vital sign as a monitor shows it: whole number, or '--' when missing or invalid. */
export function formatVital(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '--' : String(Math.round(v));
}

export const formatRate = (mgKgH: number) => `${mgKgH.toFixed(2)} mg/kg/h`;
export const formatMg = (mg: number) => `${mg.toFixed(1)} mg`;
export const formatMgPerKg = (mgKg: number) => `${mgKg.toFixed(2)} mg/kg`;

export const INFUSION_STATUS_LABEL: Record<InfusionStatus, string> = {
  not_started: 'Not started',
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
};

export const INFUSION_EVENT_LABEL: Record<InfusionEventType, string> = {
  start: 'Start',
  rate_change: 'Rate change',
  bolus: 'Bolus',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
};

/** A dose-guardrail action as a clinician says it ("Bolus", "Rescue dose · midazolam"), not its id ("infusion.bolus"). */
export function guardrailActionLabel(action: string): string {
  const [kind, what = ''] = action.split('.', 2);
  if (kind === 'infusion' && what in INFUSION_EVENT_LABEL) return INFUSION_EVENT_LABEL[what as InfusionEventType];
  if (kind === 'rescue' && what) return `Rescue dose · ${what.replace(/_/g, ' ')}`;
  return action;
}

export const CARE_SETTING_LABEL: Record<CareSetting, string> = {
  clinic: 'Clinic',
  monitored_unit: 'Monitored unit',
  icu: 'ICU',
};

/** A countdown as a clock shows it: "1:53", "0:07", "1:02:03"; whole seconds rounded up, never negative. */
export function formatCountdown(ms: number): string {
  const total = Number.isFinite(ms) ? Math.max(0, Math.ceil(ms / 1000)) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

/** How long ago, as people say it: "just now", "40 s ago", "2 min ago", "1 h 5 min ago". */
export function formatAge(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return rest ? `${h} h ${rest} min ago` : `${h} h ago`;
}

export const RULE_PROFILE_LABEL: Record<RuleProfile, string> = {
  standard: 'Standard',
  elderly_comorbid: 'Elderly / comorbid',
};
