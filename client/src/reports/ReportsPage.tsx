import { lazy, Suspense, useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ALARM_PRIORITIES, ALL_UNITS } from '@infusion/shared';
import { api } from '../auth/authActions';
import { useAuth } from '../auth/useAuth';
import { PriorityChip } from '../components/PriorityChip';
import { formatDateTime, guardrailActionLabel } from '../format';
import { browserTimeZone, formatAckSeconds, reportPath, reportRange, type AlarmReport, type GuardrailReport, type ReportPeriod, type RuleStats } from './reportQuery';
import { shownPerson, shownText } from '../clinicianWords';

// Charts load with the reports page only: recharts stays out of the monitoring screens' bundle.
const AlarmTimelineChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.AlarmTimelineChart })));
const AckTimeChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.AckTimeChart })));
const GuardrailChart = lazy(() => import('./ReportCharts').then((m) => ({ default: m.GuardrailChart })));
const ChartSlot = ({ children }: { children: ReactNode }) => <Suspense fallback={<p className="hint">Loading chart…</p>}>{children}</Suspense>;

const DEFAULT_UNIT = 'infusion-suite';
const NO_UNITS: string[] = [];

function RuleTable({ rules, testId }: { rules: RuleStats[]; testId: string }) {
  if (rules.length === 0) return <p className="empty">No alarms in this period.</p>;
  return (
    <table className="report-table" data-testid={testId}>
      <thead>
        <tr>
          <th>Rule</th>
          <th>Priority</th>
          <th>Alarms</th>
          <th>Per session-hour</th>
          <th>Acknowledged</th>
          <th>Median to ack</th>
          <th>90th percentile to ack</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <tr key={`${r.ruleId}:${r.priority}`}>
            <td>
              {r.title}
            </td>
            <td>
              <PriorityChip priority={r.priority} />
            </td>
            <td>{r.count}</td>
            <td>{r.perSessionHour}</td>
            <td>{r.acknowledged}</td>
            <td>{formatAckSeconds(r.medianAckS)}</td>
            <td>{formatAckSeconds(r.p90AckS)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ReportView({ report }: { report: AlarmReport }) {
  const byRule = [...report.byRule].sort((a, b) => b.count - a.count || a.ruleId.localeCompare(b.ruleId));
  return (
    <div className="report" data-testid="report">
      <p className="hint">
        Unit {report.unit}, {formatDateTime(report.from)} to {formatDateTime(report.to)}, {report.includeSimulated ? 'simulated sessions included' : 'real sessions only'}.
      </p>
      <dl className="report-totals" data-testid="report-totals">
        <div>
          <dt>Sessions</dt>
          <dd>{report.sessions}</dd>
        </div>
        <div>
          <dt>Session-hours</dt>
          <dd>{report.sessionHours}</dd>
        </div>
        <div>
          <dt>Alarms</dt>
          <dd>{report.alarms}</dd>
        </div>
        <div>
          <dt>Alarms per session-hour</dt>
          <dd>{report.alarmsPerSessionHour}</dd>
        </div>
      </dl>
      <ChartSlot>
        <AlarmTimelineChart timeline={report.timeline} includeSimulated={report.includeSimulated} />
      </ChartSlot>
      <h3>By priority</h3>
      <table className="report-table" data-testid="report-priority">
        <thead>
          <tr>
            <th>Priority</th>
            <th>Alarms</th>
            <th>Per session-hour</th>
            <th>Median to ack</th>
            <th>90th percentile to ack</th>
          </tr>
        </thead>
        <tbody>
          {ALARM_PRIORITIES.map((p) => {
            const x = report.byPriority[p];
            return (
              <tr key={p}>
                <td>
                  <PriorityChip priority={p} />
                </td>
                <td>{x.count}</td>
                <td>{x.perSessionHour}</td>
                <td>{formatAckSeconds(x.medianAckS)}</td>
                <td>{formatAckSeconds(x.p90AckS)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <ChartSlot>
        <AckTimeChart bins={report.ackTimes} includeSimulated={report.includeSimulated} />
      </ChartSlot>
      <h3>Noisiest rules</h3>
      <p className="hint">The rules that raise the most alarms: where a site reviews its limits first.</p>
      <RuleTable rules={report.noisiestRules} testId="report-noisiest" />
      <h3>By rule</h3>
      <RuleTable rules={byRule} testId="report-rules" />
      <h3>Escalations</h3>
      <dl className="report-totals" data-testid="report-escalations">
        <div>
          <dt>Level 1 (physicians)</dt>
          <dd>{report.escalations.level1}</dd>
        </div>
        <div>
          <dt>Level 2 (whole unit)</dt>
          <dd>{report.escalations.level2}</dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd>{report.escalations.acknowledged}</dd>
        </div>
      </dl>
    </div>
  );
}

/**
 * Dose guardrail compliance (the pump drug-library analytics a pharmacy reviews): soft-limit alerts,
 * overrides with their reasons and hard-limit refusals, per limit, for the same unit and period.
 */
function GuardrailView({ report }: { report: GuardrailReport }) {
  const byLimit = [...report.byLimit].sort((a, b) => b.alerts + b.overrides + b.refusals - (a.alerts + a.overrides + a.refusals) || a.limitId.localeCompare(b.limitId));
  // An override names its limit as the table above does: clinical words, not the rule id.
  const limitLabel = new Map(report.byLimit.map((l) => [l.limitId, l.label]));
  return (
    <div className="report" data-testid="guardrail-report">
      <h3>Dose guardrails</h3>
      <p className="hint">Every dose checked against the order and the dose limits before it was stored: what was alerted, overridden and refused.</p>
      <dl className="report-totals" data-testid="guardrail-totals">
        <div>
          <dt>Soft-limit alerts (not confirmed)</dt>
          <dd data-testid="guardrail-alerts">{report.softAlerts}</dd>
        </div>
        <div>
          <dt>Overrides with a reason</dt>
          <dd data-testid="guardrail-overrides">{report.overrides}</dd>
        </div>
        <div>
          <dt>Hard-limit refusals</dt>
          <dd data-testid="guardrail-refusals">{report.hardRefusals}</dd>
        </div>
      </dl>
      {byLimit.length > 0 && (
        <ChartSlot>
          <GuardrailChart byLimit={byLimit} includeSimulated={report.includeSimulated} label={(l) => shownText(l.label)} />
        </ChartSlot>
      )}
      {byLimit.length === 0 ? (
        <p className="empty">No dose limit was crossed in this period.</p>
      ) : (
        <table className="report-table" data-testid="guardrail-limits">
          <thead>
            <tr>
              <th>Limit</th>
              <th>Level</th>
              <th>Alerts</th>
              <th>Overrides</th>
              <th>Refusals</th>
            </tr>
          </thead>
          <tbody>
            {byLimit.map((l) => (
              <tr key={`${l.limitId}|${l.level}`} data-limit={l.limitId}>
                <td>
                  {shownText(l.label)}
                </td>
                <td>{l.level}</td>
                <td>{l.alerts}</td>
                <td>{l.overrides}</td>
                <td>{l.refusals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Override reasons</h3>
      {report.overrideReasons.length === 0 ? (
        <p className="empty">No overrides in this period.</p>
      ) : (
        <table className="report-table" data-testid="guardrail-reasons">
          <thead>
            <tr>
              <th>Time</th>
              <th>By</th>
              <th>Action</th>
              <th>Limit</th>
              <th>Value</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {report.overrideReasons.map((o, i) => (
              <tr key={`${o.at}|${o.limitId}|${i}`}>
                <td>{formatDateTime(o.at)}</td>
                <td>{shownPerson(o.by)}</td>
                <td>{guardrailActionLabel(o.action)}</td>
                <td>{shownText(limitLabel.get(o.limitId) ?? o.limitId)}</td>
                <td>
                  {o.value} {o.unit} (limit {o.limit} {o.unit})
                </td>
                <td>{o.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Alarm and dose guardrail statistics per unit and period (report.view: physicians of the unit, admins). No patient identities. */
export function ReportsPage() {
  const units = useAuth((s) => s.user?.units ?? NO_UNITS);
  const role = useAuth((s) => s.user?.role);
  // Admins may report on any unit; so may users assigned to every unit.
  const anyUnit = role === 'admin' || units.includes(ALL_UNITS) || units.length === 0;
  const ownUnits = units.filter((u) => u !== ALL_UNITS);
  const [unit, setUnit] = useState(ownUnits[0] ?? DEFAULT_UNIT);
  const [period, setPeriod] = useState<ReportPeriod>('24h');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [includeSimulated, setIncludeSimulated] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [report, setReport] = useState<AlarmReport | null>(null);
  const [guardrails, setGuardrails] = useState<GuardrailReport | null>(null);

  const load = useCallback(async (q: { unit: string; period: ReportPeriod; from: string; to: string; includeSimulated: boolean }) => {
    const range = reportRange(q.period, Date.now(), q.from, q.to);
    if (!range.ok) {
      setError(range.reason);
      return;
    }
    if (!q.unit.trim()) {
      setError('enter a unit');
      return;
    }
    setPending(true);
    setError(null);
    const query = { unit: q.unit.trim(), from: range.from, to: range.to, includeSimulated: q.includeSimulated, tz: browserTimeZone() };
    const [res, guard] = await Promise.all([api<AlarmReport>('GET', reportPath(query)), api<GuardrailReport>('GET', reportPath(query, 'guardrails'))]);
    setPending(false);
    const failed = !res.ok ? res : !guard.ok ? guard : null;
    if (res.ok) setReport(res.data);
    if (guard.ok) setGuardrails(guard.data);
    if (failed) setError(failed.fields?.length ? `${failed.error}: ${failed.fields.map((f) => `${f.field} ${f.reason}`).join('; ')}` : failed.error);
  }, []);

  // First view: the last 24 h of the user's first unit.
  const [initial] = useState({ unit, period, from, to, includeSimulated });
  useEffect(() => {
    void load(initial);
  }, [load, initial]);

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    void load({ unit, period, from, to, includeSimulated });
  };

  return (
    <div className="report-page" data-testid="report-page">
      <h2>Alarm and dose guardrail report</h2>
      <form className="admin-form report-form" onSubmit={onSubmit} noValidate>
        <label>
          Unit
          {anyUnit ? (
            <input data-testid="report-unit" autoComplete="off" value={unit} onChange={(e) => setUnit(e.target.value)} />
          ) : (
            <select data-testid="report-unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
              {ownUnits.map((u) => (
                <option key={u} value={u}>
                  {u}
                </option>
              ))}
            </select>
          )}
        </label>
        <label>
          Period
          <select data-testid="report-period" value={period} onChange={(e) => setPeriod(e.target.value as ReportPeriod)}>
            <option value="24h">Last 24 hours</option>
            <option value="7d">Last 7 days</option>
            <option value="custom">Custom</option>
          </select>
        </label>
        {period === 'custom' && (
          <>
            <label>
              From
              <input type="datetime-local" data-testid="report-from" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label>
              To
              <input type="datetime-local" data-testid="report-to" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
          </>
        )}
        <label className="checkbox">
          <input type="checkbox" data-testid="report-simulated" checked={includeSimulated} onChange={(e) => setIncludeSimulated(e.target.checked)} />
          Include simulated sessions
        </label>
        <button type="submit" className="primary-button" data-testid="report-submit" disabled={pending}>
          {pending ? 'Loading…' : 'Show report'}
        </button>
        {error && (
          <p className="form-error" role="alert" data-testid="report-error">
            {error}
          </p>
        )}
      </form>
      {report && <ReportView report={report} />}
      {guardrails && <GuardrailView report={guardrails} />}
    </div>
  );
}
