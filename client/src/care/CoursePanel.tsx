import { useEffect, useState, type FormEvent } from 'react';
import {
  ALDRETE_ITEMS,
  END_OUTCOMES,
  OBSERVATION_SCALES,
  PHASE_LABELS,
  PADSS_ITEMS,
  SEDATION_SCALES,
  dischargeScoreOf,
  dischargeSettingsOf,
  fmtDuration,
  type DischargeAssessment,
  type DischargeRecord,
  type EndOutcome,
  type InfusionEvent,
  type Observation,
  type RuleSet,
  type Session,
  type SiteDischargeSettings,
} from '@infusion/shared';
import { api } from '../auth/authActions';
import { useCan } from '../auth/useCan';
import { useNow } from '../app/useNow';
import { shownPerson, shownText } from '../clinicianWords';
import { formatClock } from '../format';
import { useMonitor } from '../stores/useMonitor';
import { assessDischarge, dischargeSession, endSession, sessionRulesPath } from './careActions';
import { emptyDischargeForm, toDischargeInput, type DischargeFormState } from './dischargeForm';

const MIN = 60_000;
const minutes = (ms: number) => `${Math.max(0, Math.floor(ms / MIN))} min`;

/** The session's rule set (its version and profile): schedules and discharge settings come from it. */
function useSessionRuleSet(session: Session): RuleSet | null {
  const [rs, setRs] = useState<RuleSet | null>(null);
  const id = session.status === 'active' ? session.id : null;
  useEffect(() => {
    if (id === null) return;
    let cancelled = false;
    void api<{ ruleSet: RuleSet }>('GET', sessionRulesPath(id)).then((r) => {
      if (!cancelled && r.ok) setRs(r.data.ruleSet);
    });
    return () => {
      cancelled = true;
    };
  }, [id]);
  return rs;
}

/** Recovery at a glance: time since the stop, the minimum observation time, and when the next sedation score is due. */
function RecoveryStatus({ session, observations, ruleSet }: { session: Session; observations: readonly Observation[]; ruleSet: RuleSet | null }) {
  const now = useNow(true, 5000);
  const settings = dischargeSettingsOf(ruleSet);
  const since = now - session.phaseSince;
  const rule = ruleSet?.rules.find((r) => r.kind === 'observation_due' && r.observation === 'sedation' && r.activeWhen.includes('stopped') && r.enabled !== false);
  const lastSedation = observations.filter((o) => o.scale !== 'NRS_PAIN').at(-1);
  const interval = rule?.kind === 'observation_due' ? rule.intervalMs : null;
  const dueAt = interval !== null ? (lastSedation?.t ?? session.createdAt) + interval : null;
  const left = settings.minObservation.ms - since;
  return (
    <dl className="recovery-status session-fields" data-testid="recovery-status">
      <div className="field">
        <dt>Infusion stopped</dt>
        <dd data-testid="recovery-since">
          {formatClock(session.phaseSince)} · {minutes(since)} ago
        </dd>
      </div>
      <div className="field">
        <dt>Minimum observation</dt>
        <dd data-testid="recovery-min-observation">
          {fmtDuration(settings.minObservation.ms)} after the stop {left > 0 ? `· ${minutes(left + MIN - 1)} to go` : '· reached'}
          <div className="hint">{shownText(`institutional default: ${settings.minObservation.source.section}`)}</div>
        </dd>
      </div>
      <div className="field">
        <dt>Sedation score</dt>
        <dd data-testid="recovery-sedation-due" data-overdue={dueAt !== null && now > dueAt ? 'true' : 'false'}>
          {dueAt === null
            ? 'no recovery schedule in the rule set'
            : now > dueAt
              ? `overdue by ${minutes(now - dueAt)} (every ${fmtDuration(interval ?? 0)}; last ${lastSedation ? formatClock(lastSedation.t) : 'none'})`
              : `next due ${formatClock(dueAt)}, in ${minutes(dueAt - now + MIN - 1)} (every ${fmtDuration(interval ?? 0)})`}
        </dd>
      </div>
    </dl>
  );
}

/** The criteria, each met or not with the reason the server gave, and the items of the score the site used. */
export function DischargeCriteria({ assessment, testId }: { assessment: DischargeAssessment; testId: string }) {
  const score = dischargeScoreOf(assessment);
  return (
    <div className="discharge-criteria" data-testid={testId} data-met={String(assessment.met)}>
      <table className="aldrete-table" data-testid={`${testId}-${score.scale}`}>
        <thead>
          <tr>
            <th>{score.name}</th>
            <th>Score</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {score.items.map((i) => (
            <tr key={i.item} data-testid={`${score.scale}-${i.item}`}>
              <td>
                {i.label}
                {i.computed && <span className="hint"> (measured)</span>}
                {i.policy && <span className="hint"> (site policy)</span>}
              </td>
              <td>{i.score}</td>
              <td>{i.why}</td>
            </tr>
          ))}
          <tr className="aldrete-total">
            <td>Total</td>
            <td data-testid={`${testId}-score`}>{assessment.score} / 10</td>
            <td>site threshold {assessment.minScore}</td>
          </tr>
        </tbody>
      </table>
      <ul className="checklist-result">
        {assessment.criteria.map((c) => (
          <li key={c.id} className={c.met ? 'checklist-item item-ok' : c.todo ? 'checklist-item item-caution' : 'checklist-item item-failed'} data-testid={`criterion-${c.id}`} data-met={String(c.met)}>
            <span className="item-mark">{c.met ? 'MET' : c.todo ? 'TO DO' : 'NOT MET'}</span>
            <span className="item-label">{c.label}</span>
            <span className="item-reason"> — {c.reason}</span>
            <div className="hint">{shownText(c.source)}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ScoreSelect({ testId, item, value, onChange }: { testId: string; item: { label: string; scores: readonly string[] }; value: number | null; onChange: (v: number) => void }) {
  return (
    <label>
      {item.label}
      <select data-testid={testId} value={value === null ? '' : String(value)} onChange={(e) => onChange(Number(e.target.value))}>
        <option value="" disabled>
          score…
        </option>
        {item.scores.map((text, score) => (
          <option key={score} value={score}>
            {score}: {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function OxygenCheckbox({ checked, onChange }: { checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label className="checkbox">
      <input type="checkbox" data-testid="discharge-oxygen" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      On supplemental oxygen now
    </label>
  );
}

/** The discharge checklist: bedside answers, the criteria as the server assesses them, discharge (or a physician's override). */
function DischargeForm({ session, observations, events, settings }: { session: Session; observations: readonly Observation[]; events: readonly InfusionEvent[]; settings: SiteDischargeSettings }) {
  const canOverride = useCan('discharge.override');
  const startedAt = events.find((e) => e.type === 'start')?.t ?? null;
  const [form, setForm] = useState<DischargeFormState>(() => emptyDischargeForm(observations, startedAt));
  const [assessment, setAssessment] = useState<DischargeAssessment | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  /** The answers changed since the criteria shown were assessed: the table is of the old answers. */
  const [changedSince, setChangedSince] = useState(false);
  // A refusal is of the answers sent: once one changes it no longer applies (it could read "8 of 10"
  // beside answers that sum to 9), so it goes, with the override it offered, until the form is sent again.
  const set = <K extends keyof DischargeFormState>(k: K, v: DischargeFormState[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setRefused(null);
    setChangedSince(true);
  };

  const run = async (what: 'assess' | 'discharge' | 'override') => {
    if (pending) return;
    const check = toDischargeInput(form, settings);
    if (!check.ok) {
      setError(`Not complete: ${check.problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`);
      return;
    }
    if (what === 'override' && reason.trim().length < 5) {
      setError('Give the reason for discharging before the criteria are met (at least 5 characters).');
      return;
    }
    setPending(true);
    setError(null);
    if (what === 'assess') {
      const r = await assessDischarge(session.id, check.input);
      setPending(false);
      if (r.ok) {
        setAssessment(r.data);
        setRefused(null);
        setChangedSince(false);
      } else setError(r.fields?.map((f) => `${f.field}: ${f.reason}`).join('; ') || r.error);
      return;
    }
    const r = await dischargeSession(session.id, what === 'override' ? { ...check.input, override: { reason: reason.trim() } } : check.input);
    setPending(false);
    if (r.ok) return;
    if (r.status === 409 && r.assessment) {
      setAssessment(r.assessment as DischargeAssessment);
      setRefused(r.error);
      setChangedSince(false);
    } else setError(r.fields?.map((f) => `${f.field}: ${f.reason}`).join('; ') || r.error);
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void run('discharge');
  };

  return (
    <form className="care-form discharge-form" data-testid="discharge-form" onSubmit={onSubmit} noValidate>
      <h4>Discharge criteria</h4>
      {settings.score.scale === 'aldrete' ? (
        <fieldset data-testid="discharge-score-aldrete">
          <legend>Modified Aldrete: bedside items (circulation and SpO2 are taken from the monitor)</legend>
          <ScoreSelect testId="discharge-activity" item={ALDRETE_ITEMS.activity} value={form.activity} onChange={(v) => set('activity', v)} />
          <ScoreSelect testId="discharge-respiration" item={ALDRETE_ITEMS.respiration} value={form.respiration} onChange={(v) => set('respiration', v)} />
          <ScoreSelect testId="discharge-consciousness" item={ALDRETE_ITEMS.consciousness} value={form.consciousness} onChange={(v) => set('consciousness', v)} />
          <OxygenCheckbox checked={form.onSupplementalOxygen} onChange={(v) => set('onSupplementalOxygen', v)} />
        </fieldset>
      ) : (
        <fieldset data-testid="discharge-score-padss">
          <legend>PADSS: bedside items (vital signs are taken from the monitor; site threshold {settings.score.minScore})</legend>
          <ScoreSelect testId="discharge-padss-activity" item={PADSS_ITEMS.activity} value={form.padssActivity} onChange={(v) => set('padssActivity', v)} />
          <ScoreSelect testId="discharge-padss-nauseaVomiting" item={PADSS_ITEMS.nauseaVomiting} value={form.nauseaVomiting} onChange={(v) => set('nauseaVomiting', v)} />
          <ScoreSelect testId="discharge-padss-pain" item={PADSS_ITEMS.pain} value={form.padssPain} onChange={(v) => set('padssPain', v)} />
          {settings.padss.bleeding.handling === 'nurse_scores' ? (
            <ScoreSelect testId="discharge-padss-bleeding" item={PADSS_ITEMS.bleeding} value={form.bleeding} onChange={(v) => set('bleeding', v)} />
          ) : (
            <p className="hint" data-testid="discharge-padss-bleeding-policy">
              {PADSS_ITEMS.bleeding.label}: not applicable (no surgical wound), scored 2 — {shownText(settings.padss.bleeding.source.document)}
            </p>
          )}
          <OxygenCheckbox checked={form.onSupplementalOxygen} onChange={(v) => set('onSupplementalOxygen', v)} />
          <div className="hint">{shownText(settings.padss.source.document)}</div>
        </fieldset>
      )}

      <fieldset>
        <legend>Final check</legend>
        <label>
          Sedation scale
          <select data-testid="discharge-sedation-scale" value={form.sedationScale} onChange={(e) => set('sedationScale', e.target.value as DischargeFormState['sedationScale'])}>
            {SEDATION_SCALES.map((s) => (
              <option key={s} value={s}>
                {OBSERVATION_SCALES[s].label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Sedation score
          <input data-testid="discharge-sedation-score" inputMode="numeric" autoComplete="off" value={form.sedationScore} onChange={(e) => set('sedationScore', e.target.value)} />
        </label>
        <label>
          Pain (0-10)
          <input data-testid="discharge-pain" inputMode="numeric" autoComplete="off" value={form.pain} onChange={(e) => set('pain', e.target.value)} />
        </label>
        <label className="checkbox">
          <input type="checkbox" data-testid="discharge-mental" checked={form.mentalStatusAtBaseline} onChange={(e) => set('mentalStatusAtBaseline', e.target.checked)} />
          Mental status back to baseline (oriented, verbalising, aware)
        </label>
        {settings.escort.required && (
          <label className="checkbox">
            <input type="checkbox" data-testid="discharge-escort" checked={form.escortPresent} onChange={(e) => set('escortPresent', e.target.checked)} />
            Responsible adult escort present
          </label>
        )}
        {settings.noDriving.required && (
          <label className="checkbox">
            <input type="checkbox" data-testid="discharge-no-driving" checked={form.noDrivingAgreed} onChange={(e) => set('noDrivingAgreed', e.target.checked)} />
            Told not to drive today, and agrees
          </label>
        )}
        {assessment?.criteria.some((c) => c.id === 'post_infusion_lft') && (
          <label className="checkbox">
            <input type="checkbox" data-testid="discharge-lft" checked={form.postInfusionLftsArranged} onChange={(e) => set('postInfusionLftsArranged', e.target.checked)} />
            Post-infusion liver function tests arranged
          </label>
        )}
      </fieldset>
      <div className="form-buttons">
        <button type="button" className="header-button" data-testid="discharge-assess" disabled={pending} onClick={() => void run('assess')}>
          Check criteria
        </button>
        <button type="submit" className="primary-button" data-testid="discharge-submit" disabled={pending}>
          {pending ? 'Sending…' : 'Discharge'}
        </button>
      </div>
      {error && (
        <div className="form-error" role="alert" data-testid="discharge-error">
          {error}
        </div>
      )}
      {refused && (
        <div className="form-error" role="alert" data-testid="discharge-refused">
          Discharge refused: {refused.replace(/^discharge criteria not met: /, 'criteria not met: ')}
        </div>
      )}
      {assessment && changedSince && (
        <p className="hint discharge-stale" data-testid="discharge-assessment-stale">
          The answers changed since this check: the criteria below are of the earlier answers. Check criteria again.
        </p>
      )}
      {assessment && <DischargeCriteria assessment={assessment} testId="discharge-assessment" />}
      {refused && canOverride && (
        <div className="override-form">
          <label>
            Physician override: reason for discharging before the criteria are met
            <input data-testid="discharge-override-reason" autoComplete="off" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
          <button type="button" className="danger-button" data-testid="discharge-override-submit" disabled={pending} onClick={() => void run('override')}>
            Discharge despite unmet criteria
          </button>
        </div>
      )}
    </form>
  );
}

/** End the session before discharge: ended early or transferred, with the reason. */
function EndForm({ session }: { session: Session }) {
  const [outcome, setOutcome] = useState<EndOutcome>('ended_early');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const onSubmit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (pending) return;
    if (reason.trim().length < 5) {
      setError('Give the reason (at least 5 characters).');
      return;
    }
    setPending(true);
    setError(null);
    const r = await endSession(session.id, outcome, reason.trim());
    setPending(false);
    if (!r.ok) setError(r.fields?.map((f) => f.reason).join('; ') || r.error);
  };
  return (
    <form className="care-form end-form" data-testid="end-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h4>End without discharge</h4>
      <label>
        Outcome
        <select data-testid="end-outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as EndOutcome)}>
          {END_OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {PHASE_LABELS[o]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason
        <input data-testid="end-reason" autoComplete="off" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="submit" className="danger-button" data-testid="end-submit" disabled={pending}>
        {pending ? 'Ending…' : `End: ${PHASE_LABELS[outcome].toLowerCase()}`}
      </button>
      {error && (
        <div className="form-error" role="alert" data-testid="end-error">
          {error}
        </div>
      )}
    </form>
  );
}

/** The recorded discharge: when, by whom, score and criteria, and a physician's override. */
function DischargeSummary({ record }: { record: DischargeRecord }) {
  return (
    <div className="discharge-summary" data-testid="discharge-summary">
      <p>
        Discharged {formatClock(record.at)} by {shownPerson(record.by)} · {dischargeScoreOf(record.assessment).name} {record.assessment.score} / 10 · final sedation {OBSERVATION_SCALES[record.input.finalSedation.scale].label} {record.input.finalSedation.score} · pain{' '}
        {record.input.finalPain} / 10 · mental status {record.input.mentalStatusAtBaseline ? 'at baseline' : 'not at baseline'}
      </p>
      {record.override && (
        <p className="checklist-override" data-testid="discharge-override">
          Criteria not met: discharged on the physician&apos;s decision ({shownPerson(record.override.by)}, {formatClock(record.override.at)}): {record.override.reason}
        </p>
      )}
      <DischargeCriteria assessment={record.assessment} testId="discharge-recorded" />
    </div>
  );
}

/**
 * The course of care after the start: the recovery panel (time since the stop, scores due) with the
 * discharge checklist, ending without discharge (with a reason), and the recorded discharge.
 */
export function CoursePanel({ session, observations, events }: { session: Session; observations: readonly Observation[]; events: readonly InfusionEvent[] }) {
  const canDischarge = useCan('session.discharge');
  const canEnd = useCan('session.end');
  const ruleSet = useSessionRuleSet(session);
  const record = useMonitor((s) => s.discharges[session.id]) ?? null;
  return (
    <section className="course-panel" data-testid="course-panel" data-phase={session.phase}>
      <h3>
        {PHASE_LABELS[session.phase]} <span className="hint">since {formatClock(session.phaseSince)}</span>
      </h3>
      {session.phase === 'recovery' && session.status === 'active' && (
        <div data-testid="recovery-panel">
          <RecoveryStatus session={session} observations={observations} ruleSet={ruleSet} />
          {canDischarge && (ruleSet ? <DischargeForm session={session} observations={observations} events={events} settings={dischargeSettingsOf(ruleSet)} /> : <p className="hint">Loading the site&apos;s discharge criteria…</p>)}
        </div>
      )}
      {session.phase === 'infusion' && <p className="hint">The session cannot be ended while the infusion runs or is paused: stopping it starts recovery.</p>}
      {session.status === 'active' && session.phase !== 'infusion' && canEnd && <EndForm session={session} />}
      {record && <DischargeSummary record={record} />}
    </section>
  );
}
