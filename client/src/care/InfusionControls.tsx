import { useEffect, useRef, useState } from 'react';
import { transitionError, type DoseCheck, type DosingWeight, type InfusionEventInput, type InfusionEventType, type Session } from '@infusion/shared';
import { useAuth } from '../auth/useAuth';
import { useCan } from '../auth/useCan';
import { formatRate } from '../format';
import { parseDecimal } from '../forms';
import { useMonitor } from '../stores/useMonitor';
import { documentInfusion, loadOrder, previewDose } from './careActions';
import { DoseDialog, type DoseDialogSpec } from './DoseDialog';
import { markOf, mayConfirm, orderVersionIn, readDoseRefusal, type DoseRefusalView } from './doseLimits';
import { DoseLimitsList, DoseRefusal } from './DoseLimitsView';

/** Whether the infusion's state allows the action (the server checks again and says why not). */
const allowed = (session: Session, type: InfusionEventType) => transitionError(session.infusion.status, type) === null;

const PREVIEW_DELAY_MS = 200;
/** A value far below any limit, to show the limits before anything is typed (its crossings are not shown). */
const PROBE = 0.001;

/**
 * The shared dose check's answer for what is typed (POST dose-check: the same function the server
 * runs before storing the dose), refreshed when the order, checklist or infusion changes.
 */
function useDosePreview(sessionId: string, input: InfusionEventInput | null, context: string): DoseCheck | null {
  const key = input ? `${JSON.stringify(input)}|${context}` : null;
  const [held, setHeld] = useState<{ key: string; check: DoseCheck } | null>(null);
  useEffect(() => {
    if (key === null || input === null) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      void previewDose(sessionId, input).then((r) => {
        if (!cancelled && r.ok) setHeld({ key, check: r.data });
      });
    }, PREVIEW_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `key` stands for `input` (its JSON) and the context.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sessionId, key]);
  return held && held.key === key ? held.check : null;
}

/** The typed value's check, or with nothing typed the limits alone (probed with a tiny dose, crossings hidden). */
function usePreviewFor(sessionId: string, typed: InfusionEventInput | null, probe: InfusionEventInput | null, context: string): { check: DoseCheck | null; typed: boolean } {
  const check = useDosePreview(sessionId, typed ?? probe, context);
  if (typed || !check) return { check, typed: typed !== null };
  return { check: { ...check, crossings: [], outcome: 'ok', confirmRole: null }, typed: false };
}

/** A dose per kg on the weight the site doses on, saying which ("0.40 mg/kg, per kg actual body weight, 70 kg"). */
const perKg = (mg: number, w: DosingWeight) => `${(mg / w.kg).toFixed(2)} mg/kg, ${w.label}`;


/**
 * Start, rate change, pause, resume, stop (infusion.document) and bolus (infusion.bolus: within the
 * physician's order). Each dose form shows the limits that apply before submit and marks a value that
 * crosses one; a soft limit opens a confirmation asking for the reason, a hard limit is refused
 * plainly. Stop and bolus ask for confirmation.
 */
export function InfusionControls({ session, orderedRate }: { session: Session; orderedRate: number | null }) {
  const canDocument = useCan('infusion.document');
  const canBolus = useCan('infusion.bolus');
  const role = useAuth((s) => s.user?.role);
  const order = useMonitor((s) => s.orders[session.id]) ?? null;
  const checklistAt = useMonitor((s) => s.checklists[session.id]?.at ?? null);
  const eventCount = useMonitor((s) => s.infusionEvents[session.id]?.length ?? 0);
  const [rate, setRate] = useState('');
  const [bolus, setBolus] = useState('');
  const [pending, setPending] = useState<InfusionEventType | null>(null);
  const [refusal, setRefusal] = useState<DoseRefusalView | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [dialog, setDialog] = useState<{ input: InfusionEventInput; spec: DoseDialogSpec } | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  /** The control that opened the dialog: focus goes back there (it may be disabled while the dose is sent). */
  const opener = useRef<HTMLElement | null>(null);

  const status = session.infusion.status;
  const rateType = status === 'running' || status === 'paused' ? 'rate_change' : 'start';
  const r = parseDecimal(rate);
  const d = parseDecimal(bolus);
  const context = `${order?.version ?? 0}|${checklistAt ?? 0}|${status}|${session.infusion.rateMgKgH}|${eventCount}`;
  const ratePreview = usePreviewFor(session.id, r !== null && r > 0 && r <= 20 ? { type: rateType, rateMgKgH: r } : null, { type: rateType, rateMgKgH: PROBE }, context);
  const bolusPreview = usePreviewFor(session.id, d !== null && d > 0 && d <= 500 ? { type: 'bolus', doseMg: d } : null, canBolus ? { type: 'bolus', doseMg: PROBE } : null, context);

  // Orders are not pushed live: when the server checked against a newer order than this page shows, read it.
  const checkedOrder = orderVersionIn(ratePreview.check) ?? orderVersionIn(bolusPreview.check);
  const shownOrder = order?.version ?? 0;
  useEffect(() => {
    if (checkedOrder !== null && checkedOrder > shownOrder) void loadOrder(session.id);
  }, [checkedOrder, shownOrder, session.id]);

  if (!canDocument || session.status !== 'active') return null;

  const describe = (input: InfusionEventInput): string => {
    if (input.type === 'bolus') return `Give a bolus of ${input.doseMg} mg (${perKg(input.doseMg, session.dosingWeight)}) of ketamine`;
    if (input.type === 'start') return `Start the infusion at ${formatRate(input.rateMgKgH)}`;
    if (input.type === 'rate_change') return `Change the rate from ${formatRate(session.infusion.rateMgKgH)} to ${formatRate(input.rateMgKgH)}`;
    if (input.type === 'stop') return `Stop the infusion (now ${formatRate(session.infusion.rateMgKgH)}, ${session.infusion.cumulativeMgPerKg.toFixed(2)} mg/kg given, ${session.dosingWeight.label})`;
    return input.type;
  };

  const send = async (input: InfusionEventInput, reason: string | null) => {
    setPending(input.type);
    const body: InfusionEventInput = reason && (input.type === 'start' || input.type === 'rate_change' || input.type === 'bolus') ? { ...input, confirm: { reason } } : input;
    const res = await documentInfusion(session.id, body);
    setPending(null);
    if (res.ok) {
      setDialog(null);
      setRefusal(null);
      const e = res.data.event;
      setDone(
        `Documented: ${e.type.replace('_', ' ')}${e.rateMgKgH !== null ? ` at ${formatRate(e.rateMgKgH)}` : ''}${e.doseMg !== null ? ` ${e.doseMg} mg` : ''}${e.override ? ` — override recorded: ${e.override.reason}` : ''}`,
      );
      if (input.type === 'bolus') setBolus('');
      return;
    }
    const answer = readDoseRefusal(res, reason !== null, dialog !== null);
    if (answer.kind === 'confirm') {
      // The server named soft limits (and logged the alert): confirm them with a reason.
      setRefusal(null);
      setDialogError(null);
      setDialog({
        input,
        spec: {
          title: 'Soft limit: confirm with a reason',
          summary: describe(input),
          crossings: answer.check.crossings,
          confirmLabel: 'Confirm and give',
          physicianMustConfirm: answer.check.confirmRole === 'physician',
          mayConfirm: mayConfirm(role, session.simulated, answer.check),
        },
      });
    } else if (answer.kind === 'dialog_error') {
      setDialogError(answer.text);
    } else {
      setDialog(null);
      setRefusal(answer.refusal);
    }
  };

  const act = (type: InfusionEventType) => {
    if (pending) return;
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setDone(null);
    let input: InfusionEventInput;
    if (type === 'start' || type === 'rate_change') {
      if (r === null || r <= 0) {
        setRefusal({ error: 'Enter the rate in mg/kg/h first.', check: null });
        return;
      }
      input = { type, rateMgKgH: r };
    } else if (type === 'bolus') {
      if (d === null || d <= 0) {
        setRefusal({ error: 'Enter the bolus dose in mg first.', check: null });
        return;
      }
      input = { type, doseMg: d };
    } else {
      input = { type };
    }
    setRefusal(null);
    // Stop and a bolus within every limit are confirmed first; a dose past a limit goes to the server, which names the limits.
    const plainConfirm = type === 'stop' || (type === 'bolus' && markOf(bolusPreview.check) === 'ok');
    if (plainConfirm) {
      setDialogError(null);
      setDialog({
        input,
        spec: {
          title: type === 'stop' ? 'Stop the infusion?' : 'Give this bolus?',
          summary: describe(input),
          crossings: [],
          confirmLabel: type === 'stop' ? 'Stop infusion' : 'Give bolus',
          physicianMustConfirm: false,
          mayConfirm: true,
        },
      });
      return;
    }
    void send(input, null);
  };

  const button = (type: InfusionEventType, label: string, testId: string, className = 'header-button') => (
    <button type="button" className={className} data-testid={testId} disabled={pending !== null || !allowed(session, type)} onClick={() => act(type)}>
      {pending === type ? '…' : label}
    </button>
  );

  const rateMark = ratePreview.typed ? markOf(ratePreview.check) : 'ok';
  const bolusMark = bolusPreview.typed ? markOf(bolusPreview.check) : 'ok';
  return (
    <div className="care-block infusion-controls" data-testid="infusion-controls">
      <h4>Infusion</h4>
      <div className="care-form">
        <label>
          Rate (mg/kg/h)
          <input
            data-testid="infusion-rate"
            className={`limit-input mark-${rateMark}`}
            data-mark={rateMark}
            aria-invalid={rateMark !== 'ok' ? true : undefined}
            aria-describedby="infusion-rate-limits"
            inputMode="decimal"
            autoComplete="off"
            value={rate}
            placeholder={order ? `order ${order.rateMinMgKgH}-${order.rateMaxMgKgH}` : orderedRate !== null ? `checklist ${orderedRate}` : undefined}
            onChange={(e) => setRate(e.target.value)}
          />
        </label>
        <div className="form-buttons">
          {button('start', 'Start', 'infusion-start', 'primary-button')}
          {button('rate_change', 'Change rate', 'infusion-change')}
          {button('pause', 'Pause', 'infusion-pause')}
          {button('resume', 'Resume', 'infusion-resume')}
          {button('stop', 'Stop', 'infusion-stop', 'danger-button')}
        </div>
      </div>
      <div id="infusion-rate-limits">
        <DoseLimitsList check={ratePreview.check} testId="rate-limits" />
      </div>
      {canBolus && (
        <>
          <div className="care-form">
            <label>
              Bolus (mg)
              <input
                data-testid="infusion-bolus-dose"
                className={`limit-input mark-${bolusMark}`}
                data-mark={bolusMark}
                aria-invalid={bolusMark !== 'ok' ? true : undefined}
                aria-describedby="infusion-bolus-limits"
                inputMode="decimal"
                autoComplete="off"
                value={bolus}
                onChange={(e) => setBolus(e.target.value)}
              />
            </label>
            {d !== null && d > 0 && <span className="hint">{perKg(d, session.dosingWeight)}</span>}
            <div className="form-buttons">{button('bolus', 'Give bolus', 'infusion-bolus')}</div>
          </div>
          <div id="infusion-bolus-limits">
            <DoseLimitsList check={bolusPreview.check} testId="bolus-limits" />
          </div>
        </>
      )}
      {refusal && <DoseRefusal error={refusal.error} fields={refusal.fields} check={refusal.check} testId="infusion-error" />}
      {done && (
        <div className="flash" role="status" data-testid="infusion-done">
          {done}
        </div>
      )}
      {dialog && (
        <DoseDialog
          spec={dialog.spec}
          pending={pending !== null}
          error={dialogError}
          returnFocusTo={opener.current}
          onConfirm={(reason) => void send(dialog.input, reason)}
          onCancel={() => {
            setDialog(null);
            setDialogError(null);
          }}
        />
      )}
    </div>
  );
}
