import type { FieldError } from '@infusion/shared';

/**
 * Server field errors on forms. The server names a field by its path ('units.0' for the first unit),
 * so a form input shows the reasons of its own name and of everything under it.
 */
const belongsTo = (f: FieldError, name: string) => f.field === name || f.field.startsWith(`${name}.`);

/** The reasons for one input, joined; null when it has none. */
export function fieldMessage(fields: readonly FieldError[] | undefined, name: string): string | null {
  const reasons = (fields ?? []).filter((f) => belongsTo(f, name)).map((f) => f.reason);
  return reasons.length ? reasons.join('; ') : null;
}

/** Field errors no input of the form shows (e.g. '(root)' or an unknown field), so they are listed with the form's error. */
export function otherFieldErrors(fields: readonly FieldError[] | undefined, names: readonly string[]): FieldError[] {
  return (fields ?? []).filter((f) => !names.some((n) => belongsTo(f, n)));
}

/** Units typed as "a, b, c": trimmed, empty entries and repeats dropped, order kept. */
export function parseUnits(text: string): string[] {
  const units = text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  return [...new Set(units)];
}

export const formatUnits = (units: readonly string[]) => units.join(', ');

/** The server's rule for every password (kept in step with it; the server is the one that decides). */
export const MIN_PASSWORD_LENGTH = 12;

export function passwordProblem(pw: string): string | null {
  if (pw.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  return null;
}

/**
 * A decimal number as typed ("0.5", "0,5", "12"): null for anything else (empty, "1e3", "abc").
 * Signs only where `allowNegative`.
 */
export function parseDecimal(text: string, allowNegative = false): number | null {
  const t = text.trim().replace(',', '.');
  const re = allowNegative ? /^-?\d+(\.\d+)?$|^-?\.\d+$/ : /^\d+(\.\d+)?$|^\.\d+$/;
  if (!re.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
