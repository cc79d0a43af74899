import { useEffect, useState, type FormEvent } from 'react';
import { type FieldError, type ResponseAssessment, type ResponseInput, type ResponseRecord, type Satisfaction } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { api } from '../auth/authActions';
import { useCan } from '../auth/useCan';
import { shownText } from '../clinicianWords';
import { FormError } from '../components/FormErrors';
import { parseDecimal } from '../forms';
import { SatisfactionSelect } from './SatisfactionSelect';

interface Answer {
  record: ResponseRecord | null;
  assessment: ResponseAssessment;
}

const pct = (x: number | null) => (x === null ? '—' : `${x}%`);
const yesNo = (x: boolean | null, yes: string, no: string, unknown: string) => (x === null ? unknown : x ? yes : no);

/** The response as the server computes it (Q8): pain before and after, the decrease and whether it reaches 30 %. */
export function ResponseSummary({ a }: { a: ResponseAssessment }) {
  return (
    <dl className="response-summary" data-testid="response-summary" data-decrease={a.pain.decreasePct ?? ''} data-responder={String(a.pain.responder)}>
      <dt>Pain before → after</dt>
      <dd data-testid="response-pain">
        {a.pain.before ?? '—'} → {a.pain.after ?? '—'}
      </dd>
      <dt>Decrease</dt>
      <dd data-testid="response-decrease">
        {pct(a.pain.decreasePct)} {yesNo(a.pain.responder, '(reaches 30%)', '(below 30%)', '')}
      </dd>
      <dt>Satisfaction</dt>
      <dd>{a.satisfaction ?? 'not recorded'}</dd>
      <dt>Opioid use</dt>
      <dd>{a.opioidReductionPct === null ? 'not recorded' : `${a.opioidReductionPct}% less`}</dd>
      <dt>Positive response</dt>
      <dd data-testid="response-positive">{yesNo(a.positive, 'yes', 'no', 'cannot be judged yet')}</dd>
      <dd className="source">{shownText(a.source)}</dd>
    </dl>
  );
}

/**
 * The session's response once the infusion has stopped: pain after is the last pain score documented
 * after the stop; satisfaction, opioid use and a function score are recorded here.
 */
export function ResponsePanel({ sessionId, painScores }: { sessionId: string; painScores: number }) {
  const path = `/api/sessions/${encodeURIComponent(sessionId)}/response`;
  const { data, reload } = useApiData<Answer>(path);
  const allowed = useCan('outcome.document');
  // A new pain score changes the response: read it again.
  useEffect(() => reload(), [painScores, reload]);
  const [satisfaction, setSatisfaction] = useState<'' | Satisfaction>('');
  const [opioidBefore, setOpioidBefore] = useState('');
  const [opioidAfter, setOpioidAfter] = useState('');
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ error: string; fields?: FieldError[] | undefined } | null>(null);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const before = parseDecimal(opioidBefore);
    const after = parseDecimal(opioidAfter);
    const body: ResponseInput = { ...(satisfaction ? { satisfaction } : {}), ...(before !== null ? { opioidMmeBefore: before } : {}), ...(after !== null ? { opioidMmeAfter: after } : {}) };
    setPending(true);
    const res = await api<Answer>('PUT', path, body);
    setPending(false);
    if (!res.ok) return setRefusal({ error: res.error, fields: res.fields });
    setRefusal(null);
    reload();
  };
  return (
    <section className="response-panel" data-testid="response-panel">
      <h3>Response</h3>
      {data ? <ResponseSummary a={data.assessment} /> : <p className="empty">Loading…</p>}
      {allowed && (
        <form className="response-form" onSubmit={(e) => void onSubmit(e)} noValidate>
          <label>
            Satisfaction
            <SatisfactionSelect testId="response-satisfaction" value={satisfaction} onChange={setSatisfaction} />
          </label>
          <label>
            Opioid before (mg MME/day)
            <input data-testid="response-opioid-before" inputMode="decimal" size={5} value={opioidBefore} onChange={(e) => setOpioidBefore(e.target.value)} />
          </label>
          <label>
            after
            <input data-testid="response-opioid-after" inputMode="decimal" size={5} value={opioidAfter} onChange={(e) => setOpioidAfter(e.target.value)} />
          </label>
          <button type="submit" data-testid="response-submit" disabled={pending}>
            Record
          </button>
          <FormError error={refusal?.error ?? null} fields={refusal?.fields} known={[]} testId="response-error" />
        </form>
      )}
    </section>
  );
}
