import type { z } from 'zod';

/** A rejected input names the field and the reason, so a device integrator can fix it. */
export interface FieldError {
  field: string;
  reason: string;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.map(String).join('.') : i.code === 'unrecognized_keys' ? i.keys.join(',') : '(root)',
    reason: i.code === 'unrecognized_keys' ? `unknown field(s): ${i.keys.join(', ')}` : i.message,
  }));
}

/** The shape of every ack and HTTP error body: `{ ok: true, data }` or `{ ok: false, error, fields? }`. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: string; fields?: FieldError[] };
