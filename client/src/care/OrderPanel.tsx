import { useEffect, useState, type FormEvent } from 'react';
import type { FieldError, Order, Session } from '@infusion/shared';
import { useCan } from '../auth/useCan';
import { FieldErrorText, FormError } from '../components/FormErrors';
import { CARE_SETTING_LABEL, formatClock } from '../format';
import { useMonitor } from '../stores/useMonitor';
import { loadOrder, writeOrder } from './careActions';
import { orderFormFrom, orderSummary, toOrderInput, type OrderForm } from './doseLimits';
import { shownPerson } from '../clinicianWords';

const FIELDS = ['rateMinMgKgH', 'rateMaxMgKgH', 'bolusMaxMgKg', 'bolusMinIntervalMin', 'maxCumulativeMgKg', 'note'] as const;

function OrderEditor({ session, order }: { session: Session; order: Order | null }) {
  const [form, setForm] = useState<OrderForm>(() => orderFormFrom(order));
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (k: keyof OrderForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    setDone(null);
    const parsed = toOrderInput(form, session.setting);
    if (!parsed.ok) {
      setRefusal({ error: 'Order not written:', fields: parsed.problems });
      return;
    }
    setPending(true);
    setRefusal(null);
    const res = await writeOrder(session.id, parsed.input);
    setPending(false);
    if (!res.ok) {
      setRefusal({ error: res.error, fields: res.fields });
      return;
    }
    const reopened = res.data.checklist?.reopened?.orderVersion === res.data.order.version ? res.data.checklist.reopened.items : [];
    setDone(`Order v${res.data.order.version} written.${reopened.length ? ` The checklist item(s) ${reopened.join(', ')} are re-opened for this order: the start and boluses wait for a new checklist or a physician's override.` : ''}`);
    setForm((f) => ({ ...f, note: '' }));
  };

  const fields = refusal?.fields;
  return (
    <form className="care-form order-form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="order-form">
      <div className="care-form-title">{order ? 'Change the order' : 'Write the order'} (ketamine, {CARE_SETTING_LABEL[session.setting]})</div>
      <label>
        Rate from (mg/kg/h)
        <input data-testid="order-rate-min" inputMode="decimal" autoComplete="off" value={form.rateMin} onChange={set('rateMin')} />
        <FieldErrorText fields={fields} name="rateMinMgKgH" />
      </label>
      <label>
        to (mg/kg/h)
        <input data-testid="order-rate-max" inputMode="decimal" autoComplete="off" value={form.rateMax} onChange={set('rateMax')} />
        <FieldErrorText fields={fields} name="rateMaxMgKgH" />
      </label>
      <label className="checkbox">
        <input type="checkbox" data-testid="order-bolus-allowed" checked={form.bolusAllowed} onChange={(e) => setForm((f) => ({ ...f, bolusAllowed: e.target.checked }))} />
        Boluses allowed
      </label>
      {form.bolusAllowed && (
        <>
          <label>
            Bolus max (mg/kg)
            <input data-testid="order-bolus-max" inputMode="decimal" autoComplete="off" value={form.bolusMax} onChange={set('bolusMax')} />
            <FieldErrorText fields={fields} name="bolusMaxMgKg" />
          </label>
          <label>
            Min interval (min)
            <input data-testid="order-bolus-interval" inputMode="numeric" autoComplete="off" value={form.bolusInterval} onChange={set('bolusInterval')} />
            <FieldErrorText fields={fields} name="bolusMinIntervalMin" />
          </label>
        </>
      )}
      <label>
        Max cumulative (mg/kg)
        <input data-testid="order-max-cumulative" inputMode="decimal" autoComplete="off" value={form.maxCumulative} onChange={set('maxCumulative')} />
        <FieldErrorText fields={fields} name="maxCumulativeMgKg" />
      </label>
      <label>
        Note
        <input data-testid="order-note" autoComplete="off" maxLength={500} value={form.note} onChange={set('note')} />
      </label>
      <button type="submit" className="primary-button" data-testid="order-submit" disabled={pending}>
        {pending ? 'Writing…' : order ? 'Change order' : 'Write order'}
      </button>
      <FormError error={refusal?.error ?? null} fields={fields} known={FIELDS} testId="order-error" />
      {done && (
        <div className="flash" role="status" data-testid="order-done">
          {done}
        </div>
      )}
    </form>
  );
}

/**
 * The physician's order for the session (guideline Q6: the nurse titrates within it). Everyone sees
 * the current one and its version; physicians write or change it (a new version, audited).
 */
export function OrderPanel({ session }: { session: Session }) {
  const canWrite = useCan('order.write');
  const order = useMonitor((s) => s.orders[session.id]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    void loadOrder(session.id).then((r) => {
      if (!cancelled) setError(r.ok ? null : r.error);
    });
    return () => {
      cancelled = true;
    };
  }, [session.id]);

  return (
    <div className="care-block order-block" data-testid="order-panel">
      <h4>Physician's order</h4>
      {error && <p className="fetch-error">Could not load the order: {error}</p>}
      {order ? (
        <div className="order-current" data-testid="order-current" data-version={order.version}>
          <strong>Ketamine v{order.version}:</strong> {orderSummary(order)} <span className="hint">({CARE_SETTING_LABEL[order.setting]}; by {shownPerson(order.by)} at {formatClock(order.at)})</span>
          {order.note && <div className="hint">Note: {order.note}</div>}
        </div>
      ) : order === null ? (
        <p className="hint" data-testid="order-current" data-version="0">
          No order written: the rate the checklist was passed for is the upper bound, and no bolus may be given.
        </p>
      ) : null}
      {canWrite && order !== undefined && <OrderEditor session={session} order={order} />}
    </div>
  );
}
