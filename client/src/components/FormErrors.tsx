import type { FieldError } from '@infusion/shared';
import { fieldMessage, otherFieldErrors } from '../forms';

/** The server's reason under one input, if it has one. */
export function FieldErrorText({ fields, name, testId }: { fields: readonly FieldError[] | undefined; name: string; testId?: string }) {
  const msg = fieldMessage(fields, name);
  if (!msg) return null;
  return (
    <span className="field-error" role="alert" data-testid={testId}>
      {msg}
    </span>
  );
}

/** A refused form: the server's error text, plus any field errors no input shows. */
export function FormError({ error, fields, known, testId }: { error: string | null; fields?: readonly FieldError[] | undefined; known: readonly string[]; testId: string }) {
  if (!error) return null;
  const others = otherFieldErrors(fields, known);
  return (
    <div className="form-error" role="alert" data-testid={testId}>
      {error}
      {others.map((f) => (
        <div key={`${f.field}:${f.reason}`}>
          {f.field}: {f.reason}
        </div>
      ))}
    </div>
  );
}
