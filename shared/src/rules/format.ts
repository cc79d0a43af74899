/** Number and duration formatting for rule messages and change lists. */

/** 86 → "86", 86.44 → "86.4". */
export const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** mg/kg and mg/kg/h: two decimals where they matter (0.35, 0.40). */
export const fmtDose = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** +24 / -3 (signed, for changes and RASS). */
export const signed = (n: number, f: (n: number) => string = fmt) => (n > 0 ? `+${f(n)}` : f(n));

/** A duration in ms as people say it: "30 s", "90 s", "15 min", "2 h". */
export function fmtDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 180 || min % 60 !== 0) return `${min} min`;
  return `${min / 60} h`;
}

export const OP_TEXT: Record<string, string> = { '<': '<', '>': '>', '<=': '≤', '>=': '≥' };

/** Replace {name} placeholders; unknown placeholders are left as they are (a template typo shows). */
export function render(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}
