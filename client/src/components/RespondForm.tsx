import { useContext, useState, type FormEvent } from 'react';
import { RESPONSE_MAX_CHARS, RESPONSE_QUICK_CHOICES, fieldErrors, physicianResponseInputSchema, type FieldError } from '@infusion/shared';
import { SocketContext } from '../app/socketContext';
import { recordResponse } from '../realtime/requests';
import { addResponse } from '../stores/monitorState';
import { updateMonitor } from '../stores/useMonitor';
import { FieldErrorText, FormError } from './FormErrors';

const KNOWN_FIELDS = ['text', 'escalationId'] as const;

/**
 * A physician's response for the bedside: a quick choice or a short free text ("reduce to 0.3 mg/kg/h").
 * It is documented advice: the infusion is changed only by whoever then documents the change.
 */
export function RespondForm({ sessionId, escalationId, testId, onDone }: { sessionId: string; escalationId?: number; testId: string; onDone?: () => void }) {
  // Null for a moment while a login's link is being replaced (the header panel sits outside it).
  const socket = useContext(SocketContext);
  const [text, setText] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);

  const send = async (value: string) => {
    if (pending) return;
    if (!socket) {
      setRefusal({ error: 'Not sent: not connected to the server.' });
      return;
    }
    // The server's own schema, checked here first so the reason shows under the field at once.
    const checked = physicianResponseInputSchema.safeParse({ text: value });
    if (!checked.success) {
      setRefusal({ error: 'Not sent: write a response or pick one above.', fields: fieldErrors(checked.error) });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await recordResponse(socket, { sessionId, text: value, ...(escalationId !== undefined ? { escalationId } : {}) });
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: `Not sent: ${res.error}`, fields: res.fields });
      return;
    }
    updateMonitor((s) => addResponse(s, res.data));
    setText('');
    onDone?.();
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void send(text);
  };

  return (
    <form className="respond-form" data-testid={testId} onSubmit={onSubmit} noValidate>
      <div className="respond-quick" role="group" aria-label="Quick responses">
        {RESPONSE_QUICK_CHOICES.map((q) => (
          <button key={q} type="button" className="quick-button" disabled={pending} onClick={() => void send(q)}>
            {q}
          </button>
        ))}
      </div>
      <label className="respond-text">
        Response to the bedside
        <input
          data-testid={`${testId}-text`}
          autoComplete="off"
          maxLength={RESPONSE_MAX_CHARS}
          placeholder="e.g. reduce to 0.3 mg/kg/h"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setRefusal(null);
          }}
        />
        <FieldErrorText fields={refusal?.fields} name="text" testId={`${testId}-error-text`} />
      </label>
      <button type="submit" className="primary-button" data-testid={`${testId}-send`} disabled={pending}>
        {pending ? 'Sending…' : 'Send'}
      </button>
      <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={KNOWN_FIELDS} testId={`${testId}-error`} />
    </form>
  );
}
