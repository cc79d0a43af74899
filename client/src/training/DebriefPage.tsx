import { useEffect, useState } from 'react';
import { DEBRIEF_EXPORT_FORMATS, type DebriefExportFormat, type TrainingDebrief } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { OVERVIEW_HREF, progressHref } from '../app/route';
import { PriorityChip } from '../components/PriorityChip';
import { fetchDownload, formatBytes, saveFile } from '../export/exportDownload';
import { formatDateTime } from '../format';
import { shownText } from '../clinicianWords';
import { ackText, breakdown, medianAck, outcomeText, OUTCOME_TONE, pointsText, responseText, scenarioTime, scoreText, SOURCE_LABEL } from './debriefText';

/** A run still going is read again at this interval: its debrief fills in as the trainee acts. */
const LIVE_RELOAD_MS = 5000;

const FORMAT_LABEL: Record<DebriefExportFormat, string> = { pdf: 'Export PDF', csv: 'Export CSV' };

export const debriefPath = (runId: string) => `/api/training/runs/${encodeURIComponent(runId)}/debrief`;

/** The training marker of every debrief screen: never a patient record. */
export function TrainingBadge() {
  return (
    <span className="simulated-badge" data-testid="training-badge" title="Simulated training run: not a patient record">
      SIMULATED · TRAINING
    </span>
  );
}

function DebriefExports({ runId }: { runId: string }) {
  const [busy, setBusy] = useState<{ format: DebriefExportFormat; bytes: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (format: DebriefExportFormat) => {
    setBusy({ format, bytes: 0 });
    setError(null);
    const r = await fetchDownload(`${debriefPath(runId)}/export?format=${format}`, `debrief-${runId}.${format}`, (bytes) => setBusy({ format, bytes }));
    if (r.ok) saveFile(r.file, r.name);
    else setError(`${format.toUpperCase()} export failed: ${r.error}`);
    setBusy(null);
  };
  return (
    <div className="export-buttons" role="group" aria-label="Export the debrief" data-testid="debrief-exports">
      {DEBRIEF_EXPORT_FORMATS.map((f) => (
        <button key={f} type="button" className="export-button" data-testid={`debrief-export-${f}`} disabled={busy !== null} aria-busy={busy?.format === f} onClick={() => void run(f)}>
          {busy?.format === f ? `Exporting… ${busy.bytes ? formatBytes(busy.bytes) : ''}`.trim() : FORMAT_LABEL[f]}
        </button>
      ))}
      {error && (
        <p className="fetch-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function ScoreCard({ d }: { d: TrainingDebrief }) {
  const acks = medianAck(d.alarms);
  return (
    <section className="debrief-score card" data-testid="debrief-score" aria-label="Score">
      <div className="debrief-score-main">
        <span className="debrief-percent" data-testid="debrief-percent">
          {scoreText(d.score)}
        </span>
        <span className="debrief-points">
          {d.score.points} of {d.score.max} points{d.state !== 'ended' ? ' so far' : ''}
        </span>
      </div>
      <ul className="debrief-breakdown" data-testid="debrief-breakdown">
        {breakdown(d.items).map((b) => (
          <li key={b.label} className={`outcome-${b.tone}`}>
            <strong>{b.count}</strong> {b.label}
          </li>
        ))}
        <li>
          <strong>{d.alarms.length}</strong> alarm{d.alarms.length === 1 ? '' : 's'}, median time to acknowledge <strong>{acks === null ? '—' : `${acks} s`}</strong>
        </li>
        <li className={d.wrongActions.length ? 'outcome-bad' : 'outcome-good'}>
          <strong>{d.wrongActions.length}</strong> action{d.wrongActions.length === 1 ? '' : 's'} counted against
        </li>
      </ul>
    </section>
  );
}

function ItemsTable({ d }: { d: TrainingDebrief }) {
  if (!d.items.length) return <p className="empty">This scenario sets no expected actions to judge.</p>;
  return (
    <table className="debrief-table" data-testid="debrief-items">
      <thead>
        <tr>
          <th>Expected action</th>
          <th>Outcome</th>
          <th>Response</th>
          <th>Clock started</th>
          <th>Points</th>
          <th>What happened</th>
        </tr>
      </thead>
      <tbody>
        {d.items.map((i) => (
          <tr key={i.id} data-outcome={i.outcome}>
            <td>{i.label}</td>
            <td>
              <span className={`outcome-chip outcome-${OUTCOME_TONE[i.outcome]}`}>{outcomeText(i)}</span>
            </td>
            <td className="nowrap">{responseText(i)}</td>
            <td className="debrief-time">{i.startedMs === null ? '—' : scenarioTime(i.startedMs)}</td>
            <td className="nowrap">{pointsText(i)}</td>
            <td className="debrief-detail">{shownText(i.detail)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AlarmsTable({ d }: { d: TrainingDebrief }) {
  if (!d.alarms.length) return <p className="empty">No alarm was raised in this run.</p>;
  return (
    <table className="debrief-table" data-testid="debrief-alarms">
      <thead>
        <tr>
          <th>Alarm</th>
          <th>Priority</th>
          <th>Raised</th>
          <th>Acknowledged</th>
          <th>Time to acknowledge</th>
          <th>By</th>
        </tr>
      </thead>
      <tbody>
        {d.alarms.map((a) => (
          <tr key={a.alarmId}>
            <td>
              {shownText(a.message)}
              {a.expected && <span className="hint"> · expected in this scenario</span>}
            </td>
            <td>
              <PriorityChip priority={a.priority} />
            </td>
            <td>{scenarioTime(a.raisedMs)}</td>
            <td>{a.acknowledgedMs === null ? '—' : scenarioTime(a.acknowledgedMs)}</td>
            <td className={a.timeToAckS === null ? 'outcome-bad' : undefined}>{ackText(a)}</td>
            <td>{a.acknowledgedBy ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WrongActions({ d }: { d: TrainingDebrief }) {
  if (!d.wrongActions.length) return <p className="empty">Nothing counted against the trainee.</p>;
  return (
    <ul className="debrief-wrong" data-testid="debrief-wrong">
      {d.wrongActions.map((w, k) => (
        <li key={k}>
          <span className="debrief-time">{scenarioTime(w.scenarioMs)}</span> <strong>{shownText(w.text)}</strong> — {shownText(w.reason)}
        </li>
      ))}
    </ul>
  );
}

function Timeline({ d }: { d: TrainingDebrief }) {
  if (!d.timeline.length) return <p className="empty">Nothing happened yet.</p>;
  return (
    <table className="debrief-table debrief-timeline" data-testid="debrief-timeline">
      <thead>
        <tr>
          <th>Scenario time</th>
          <th>Who</th>
          <th>What</th>
        </tr>
      </thead>
      <tbody>
        {d.timeline.map((e, k) => (
          <tr key={k} className={`source-${e.source}`}>
            <td className="debrief-time" title={formatDateTime(e.at)}>
              {scenarioTime(e.scenarioMs)}
            </td>
            <td>{SOURCE_LABEL[e.source]}</td>
            <td>{shownText(e.text)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * A training run's debrief (`#/training/runs/<id>/debrief`): the score and its breakdown, each expected
 * action judged with the response time against its deadline, the alarms with time to acknowledge, what
 * counted against the trainee, the run's timeline in scenario time, and the exports. Marked simulated
 * training throughout.
 */
export function DebriefPage({ runId }: { runId: string }) {
  const { data: d, error, loading, reload } = useApiData<TrainingDebrief>(debriefPath(runId));
  const live = d !== null && d.state !== 'ended';
  useEffect(() => {
    if (!live) return;
    const t = setInterval(reload, LIVE_RELOAD_MS);
    return () => clearInterval(t);
  }, [live, reload]);

  return (
    <div className="debrief-page" data-testid="debrief-page">
      <a className="back-link" href={OVERVIEW_HREF}>
        ← Overview
      </a>
      <header className="debrief-head">
        <h2>
          Training debrief <TrainingBadge />
        </h2>
        {d && (
          <p className="debrief-meta" data-testid="debrief-meta">
            <strong>{d.scenarioTitle}</strong> · trainee {d.trainee} · trainer {d.trainer} · {d.state === 'ended' ? `ended ${formatDateTime(d.endedAt)}` : d.state === 'created' ? 'not started' : `${d.state}, not final`} · scenario time {scenarioTime(d.scenarioMs)}
          </p>
        )}
        {d && (
          <a className="header-link" href={progressHref(d.trainee)} data-testid="debrief-progress-link">
            Progress of {d.trainee}
          </a>
        )}
      </header>
      {loading && !d && <p className="hint">Loading the debrief…</p>}
      {error && (
        <p className="fetch-error" role="alert">
          {error}
        </p>
      )}
      {d && (
        <>
          <ScoreCard d={d} />
          <DebriefExports runId={runId} />
          <h3>Expected actions</h3>
          <ItemsTable d={d} />
          <h3>Alarms and time to acknowledge</h3>
          <AlarmsTable d={d} />
          <h3>Counted against the trainee</h3>
          <WrongActions d={d} />
          <h3>Timeline</h3>
          <p className="hint debrief-hint">Scenario time is minutes:seconds from the start of the run; hover a time for the clock time.</p>
          <Timeline d={d} />
        </>
      )}
    </div>
  );
}
