import type { TraineeProgress } from '@infusion/shared';
import { useApiData } from '../admin/useApiData';
import { debriefHref, OVERVIEW_HREF } from '../app/route';
import { formatDateTime } from '../format';
import { progressPoints } from './debriefText';
import { TrainingBadge } from './DebriefPage';

const W = 560;
const H = 140;
const PAD = 40;

/** Score (%) per ended run, oldest on the left: a line with a dot per run and the 0/50/100 % guides. */
function ProgressChart({ progress }: { progress: TraineeProgress }) {
  const pts = progressPoints(progress.runs);
  if (!pts.length) return null;
  const x = (v: number) => PAD + v * (W - 2 * PAD);
  const y = (pct: number) => H - PAD / 2 - (pct / 100) * (H - PAD);
  return (
    <svg className="progress-chart card" data-testid="progress-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Score of each run, oldest first: ${pts.map((p) => `${p.y} %`).join(', ')}`}>
      {[0, 50, 100].map((g) => (
        <g key={g}>
          <line x1={PAD} x2={W - PAD} y1={y(g)} y2={y(g)} className="progress-guide" />
          <text x={PAD - 4} y={y(g) + 4} textAnchor="end" className="progress-axis">
            {g} %
          </text>
        </g>
      ))}
      <polyline points={pts.map((p) => `${x(p.x)},${y(p.y)}`).join(' ')} className="progress-line" />
      {pts.map((p) => (
        <circle key={p.run.runId} cx={x(p.x)} cy={y(p.y)} r={4} className="progress-dot">
          <title>{`${p.run.scenarioTitle}: ${p.y} % (${formatDateTime(p.run.endedAt)})`}</title>
        </circle>
      ))}
    </svg>
  );
}

/** A trainee's ended training runs with their scores (`#/training/trainees/<username>/progress`). */
export function ProgressPage({ username }: { username: string }) {
  const { data, error, loading } = useApiData<TraineeProgress>(`/api/training/trainees/${encodeURIComponent(username)}/progress`);
  return (
    <div className="debrief-page" data-testid="progress-page">
      <a className="back-link" href={OVERVIEW_HREF}>
        ← Overview
      </a>
      <h2>
        Training progress of {username} <TrainingBadge />
      </h2>
      {loading && !data && <p className="hint">Loading…</p>}
      {error && (
        <p className="fetch-error" role="alert">
          {error}
        </p>
      )}
      {data && !data.runs.length && <p className="empty">No ended training run yet.</p>}
      {data && data.runs.length > 0 && (
        <>
          <p className="hint debrief-hint">Score of each ended run, oldest on the left.</p>
          <ProgressChart progress={data} />
          <table className="debrief-table" data-testid="progress-runs">
            <thead>
              <tr>
                <th>Ended</th>
                <th>Scenario</th>
                <th>Trainer</th>
                <th>Score</th>
                <th>Missed</th>
                <th>Not avoided</th>
                <th>Median time to acknowledge</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.runs.map((r) => (
                <tr key={r.runId}>
                  <td>{formatDateTime(r.endedAt)}</td>
                  <td>{r.scenarioTitle}</td>
                  <td>{r.trainer}</td>
                  <td>{r.percent === null ? 'No scored items' : `${r.percent} % (${r.points} of ${r.max})`}</td>
                  <td className={r.missed ? 'outcome-bad' : undefined}>{r.missed}</td>
                  <td className={r.violated ? 'outcome-bad' : undefined}>{r.violated}</td>
                  <td>{r.medianAckS === null ? '—' : `${r.medianAckS} s`}</td>
                  <td>
                    <a href={debriefHref(r.runId)}>Debrief</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
