import type { FieldError } from '@infusion/shared';

/** A refused request: carries the HTTP status and, where it applies, the fields at fault. */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: FieldError[],
    /** Extra fields of the error body (e.g. `check`: the dose check that refused). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
export const notFound = (what: string) => new DomainError(404, `${what} not found`);
export const badRequest = (msg: string, fields?: FieldError[]) => new DomainError(400, msg, fields);
export const conflict = (msg: string) => new DomainError(409, msg);
