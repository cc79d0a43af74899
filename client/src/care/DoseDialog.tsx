import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import type { LimitCrossing } from '@infusion/shared';
import { OP_SYMBOL, reasonProblem } from './doseLimits';
import { shownText } from '../clinicianWords';

export interface DoseDialogSpec {
  title: string;
  /** What will be done ("Give a bolus of 28 mg (0.4 mg/kg)"). */
  summary: string;
  /** Soft limits the dose crosses: each is confirmed with the reason. */
  crossings: LimitCrossing[];
  confirmLabel: string;
  /** A physician must confirm (the nurse cannot: the server answers 403). */
  physicianMustConfirm: boolean;
  mayConfirm: boolean;
}

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal confirmation for a dose or a stop. With soft limits crossed it states each limit, the
 * value and its source and requires a reason. Keyboard: focus starts inside and stays there, Enter
 * confirms, Escape cancels, and focus returns to where it was.
 */
export function DoseDialog({
  spec,
  pending,
  error,
  onConfirm,
  onCancel,
  returnFocusTo,
}: {
  spec: DoseDialogSpec;
  pending: boolean;
  error: string | null;
  onConfirm: (reason: string | null) => void;
  onCancel: () => void;
  /** Where focus goes when the dialog closes (the control that opened it); else wherever it was. */
  returnFocusTo?: HTMLElement | null;
}) {
  const titleId = useId();
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const needsReason = spec.crossings.length > 0;

  useEffect(() => {
    const before = returnFocusTo ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    box.current?.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => before?.focus();
    // Focus moves in once, when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // React events bubble through the portal to the form the dialog was opened from: keep them here.
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    e.stopPropagation();
    if (pending || !spec.mayConfirm) return;
    if (needsReason) {
      const p = reasonProblem(reason);
      setProblem(p);
      if (p) return;
      onConfirm(reason.trim());
      return;
    }
    onConfirm(null);
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={box} onKeyDown={onKeyDown} data-testid="dose-dialog" data-kind={needsReason ? 'soft-limit' : 'confirm'}>
        <form onSubmit={onSubmit} noValidate>
          <h3 id={titleId}>{spec.title}</h3>
          <p className="dialog-summary" data-testid="dose-dialog-summary">
            {spec.summary}
          </p>
          {needsReason && (
            <>
              <p>This dose goes past {spec.crossings.length === 1 ? 'a soft limit' : `${spec.crossings.length} soft limits`}:</p>
              <ul className="dialog-crossings" data-testid="dose-dialog-crossings">
                {spec.crossings.map((c) => (
                  <li key={`${c.id}|${c.limit}`} data-limit={c.id}>
                    <strong>{c.label}</strong>
                    <div>
                      value <strong>{c.value} {c.unit}</strong>, limit {OP_SYMBOL[c.op]} {c.limit} {c.unit} (soft{c.confirmRole === 'physician' ? ', a physician confirms' : ''})
                    </div>
                    <div className="hint">Source: {shownText(c.source)}</div>
                  </li>
                ))}
              </ul>
              {spec.physicianMustConfirm && (
                <p className={spec.mayConfirm ? 'hint' : 'form-error'} data-testid="dose-dialog-physician">
                  {spec.mayConfirm ? 'A physician must confirm this: your confirmation is recorded as the physician’s.' : 'A physician must confirm this dose: ask the supervising physician to confirm it on their screen.'}
                </p>
              )}
              <label className="dialog-reason">
                Reason (required, recorded with the dose)
                <input
                  data-testid="dose-dialog-reason"
                  data-autofocus={spec.mayConfirm ? '' : undefined}
                  autoComplete="off"
                  maxLength={500}
                  value={reason}
                  disabled={!spec.mayConfirm}
                  aria-invalid={problem ? true : undefined}
                  onChange={(e) => setReason(e.target.value)}
                />
              </label>
              {problem && (
                <div className="field-error" role="alert" data-testid="dose-dialog-problem">
                  {problem}
                </div>
              )}
            </>
          )}
          {error && (
            <div className="form-error" role="alert" data-testid="dose-dialog-error">
              {error}
            </div>
          )}
          <div className="form-buttons">
            <button type="submit" className={needsReason ? 'danger-button' : 'primary-button'} data-testid="dose-dialog-confirm" data-autofocus={needsReason ? undefined : ''} disabled={pending || !spec.mayConfirm}>
              {pending ? '…' : spec.confirmLabel}
            </button>
            <button type="button" className="header-button" data-testid="dose-dialog-cancel" data-autofocus={needsReason && !spec.mayConfirm ? '' : undefined} onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>,
    document.body,
  );
}
